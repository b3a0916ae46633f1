/**
 * @module azure/routeServer
 * Azure Route Server's routing rules (azure-routing.md §1), as policy for the generic
 * speakers of src/rib and as pure functions over their tables. One RouteServer resource
 * runs two instances, RouteServiceRole_IN_0 and _IN_1, each its own speaker (R-ARS-1).
 *
 * @see https://learn.microsoft.com/azure/route-server/route-server-faq
 */
import { formatPrefix, parseIpv4, type Prefix } from '../bgp/wire/index.js';
import {
  forwardUnknown,
  formatAsPathAzure,
  internAttrs,
  pathContains,
  prependAsPath,
  wellKnownBlock,
  withAttrs,
  type BestPathConfig,
  type Neighbor,
  type Path,
  type RouteAttrs,
  type SpeakerPolicy,
} from '../rib/index.js';
import { isReservedPeerAsn, ROUTE_SERVER_ASN } from './constants.js';
import { AzureErrors, type AzureError } from './errors.js';
import type { HubRoutingPreference, RouteServer, RouteServerSettings } from './model.js';

export const INSTANCE_NAMES = ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1'] as const;
export type InstanceName = (typeof INSTANCE_NAMES)[number];

/** Weight shown on learned routes (R-ARS-10) and on advertised ones (R-ARS-9). */
export const LEARNED_WEIGHT = 32768;

/**
 * R-ARS-3: a peer ASN must be 16-bit and not reserved.
 * @rule R-ARS-3
 */
export function checkPeerAsn(asn: number): AzureError | undefined {
  if (!Number.isInteger(asn) || asn < 1 || asn > 4294967295)
    return AzureErrors.invalidParameter('peerAsn', `${asn} is not an ASN`);
  if (isReservedPeerAsn(asn)) return AzureErrors.peerAsnReserved(asn);
  if (asn > 65535) return AzureErrors.peerAsnNot16Bit(asn);
  return undefined;
}

/** What kind of neighbour a route-server instance talks to (Neighbor.info.role). */
export type RouteServerNeighborRole = 'nva' | 'expressroute-gateway' | 'vpn-gateway';

export interface RouteServerNeighborInfo extends Record<string, unknown> {
  readonly role: RouteServerNeighborRole;
  /** The peering (bgpConnection) name, for NVAs. */
  readonly peering?: string;
}

function roleOf(n: Neighbor): RouteServerNeighborRole {
  return ((n.info as RouteServerNeighborInfo | undefined)?.role ?? 'nva') as RouteServerNeighborRole;
}

/**
 * R-ARS-7 (1): the preference class of a route by where it came from, under
 * hubRoutingPreference. Higher wins before AS-path length is compared.
 */
export function preferenceClass(role: RouteServerNeighborRole | 'local', pref: HubRoutingPreference): number {
  if (pref === 'ASPath' || role === 'local') return 0;
  const er = role === 'expressroute-gateway';
  if (pref === 'ExpressRoute') return er ? 2 : 1;
  return er ? 1 : 2; // VpnGateway: VPN and NVA routes beat ExpressRoute
}

/**
 * R-ARS-7 (3): at equal preference class and AS-path length, routes of one origin win —
 * ExpressRoute, then VPN, then NVAs — so that no equal-cost set mixes MSEE, VPN gateway and
 * NVA next hops (no source shows Azure doing it). ExpressRoute first is documented ("If all
 * the routes are local to the virtual hub, the routes from ExpressRoute connections will be
 * chosen", hubRoutingPreference AS Path; "When the same route is learned over ExpressRoute,
 * Azure VPN or an SDWAN appliance, the ExpressRoute network will be preferred"); VPN before
 * NVA is ARSLab's (Microsoft: "Route Server will prefer the route with the shortest BGP
 * AS-PATH", nothing on a tie; ADR 0041).
 */
export function originRank(role: string | undefined): number {
  return role === 'expressroute-gateway' || role === 'expressroute'
    ? 0
    : role === 'vpn-gateway' || role === 'vpn'
      ? 1
      : 2;
}

/** R-ARS-7: preference class, then AS-path length, then one origin; ties within an origin are equal cost. */
export function routeServerBestPath(settings: RouteServerSettings): BestPathConfig {
  return {
    // Its own VNet routes first; neighbor-address only orders equal-cost paths
    // deterministically (Azure does not say, ADR 0007).
    steps: ['locally-originated', 'preference', 'as-path-length', 'source-rank', 'neighbor-address'],
    multipathThrough: 'source-rank',
    maxPaths: settings.maxEcmpPaths,
    sourceRank: (p) => originRank(p.source.role),
  };
}

/** R-ARS-11: the marker community on routes exchanged with ExpressRoute gateways. */
export const ER_MARKER_COMMUNITY = ((65517 << 16) | 65517) >>> 0;

/** R-ER-4: the MSEE link subnets are neither programmed nor passed to NVAs. */
export function isMseeTransit(prefix: Prefix): boolean {
  return prefix.afi === 1 && prefix.len >= 16 && (prefix.addr as number) >>> 16 === ((169 << 8) | 254);
}

/** Adds a community once (a set keeps its order). */
export function withCommunity(attrs: RouteAttrs, c: number): RouteAttrs {
  if (attrs.communities?.includes(c)) return attrs;
  return withAttrs(attrs, { communities: [...(attrs.communities ?? []), c] });
}

/**
 * The policy of one route-server instance (R-ARS-6, R-ARS-7, R-ARS-9, R-ARS-11).
 * @rule R-ARS-6 R-ARS-7 R-ARS-9 R-ARS-11
 */
export function routeServerPolicy(rs: RouteServer, instance: 0 | 1, settings: RouteServerSettings): SpeakerPolicy {
  const localIp = rs.virtualRouterIps[instance];
  return {
    bestPath: routeServerBestPath(settings),
    import(from, attrs) {
      // R-ARS-6: loop prevention on 65515, and ASN 0 is never valid (RFC 7607).
      if (pathContains(attrs, ROUTE_SERVER_ASN)) {
        return { accept: false, rule: 'R-ARS-6', reason: `AS_PATH ${formatAsPathAzure(attrs.asPath)} contains 65515` };
      }
      if (pathContains(attrs, 0)) return { accept: false, rule: 'R-ARS-6', reason: 'AS_PATH contains AS 0' };
      return {
        accept: true,
        weight: LEARNED_WEIGHT,
        preference: preferenceClass(roleOf(from), rs.hubRoutingPreference),
      };
    },
    importPrefix(from, prefix) {
      // R-ER-4: a gateway passes the MSEE /30s along; the route server keeps them out.
      if (roleOf(from) !== 'nva' && isMseeTransit(prefix))
        return { rule: 'R-ER-4', reason: 'MSEE link subnet (169.254.0.0/16): neither programmed nor passed to NVAs' };
      return undefined;
    },
    export(to, path) {
      const role = roleOf(to);
      const block = wellKnownBlock(path.attrs, role === 'nva' ? 'ebgp' : 'ibgp');
      if (block) return { rule: 'R-ARS-9', reason: `${block} community` };
      if (role === 'nva') return exportToNva(path.attrs, localIp);
      // R-ARS-11: toward the gateways (iBGP, 65515 on both sides): the VNet ranges with the
      // instance as next hop; everything learned, AS path and next hop unchanged; toward
      // ExpressRoute tagged 65517:65517.
      if (!rs.allowBranchToBranchTraffic) return { rule: 'R-ARS-11', reason: 'branch-to-branch traffic is off' };
      const attrs =
        path.source.kind === 'local' ? path.attrs : withAttrs(path.attrs, { med: undefined, localPref: undefined });
      return role === 'expressroute-gateway' ? withCommunity(attrs, ER_MARKER_COMMUNITY) : attrs;
    },
  };
}

/** R-ARS-9: toward an NVA, 65515 prepended, next hop the instance, MED and LOCAL_PREF not carried. */
export function exportToNva(attrs: RouteAttrs, localIp: string): RouteAttrs {
  return internAttrs({
    origin: attrs.origin,
    asPath: prependAsPath(attrs.asPath, ROUTE_SERVER_ASN),
    nextHop: localIp,
    atomicAggregate: attrs.atomicAggregate,
    aggregator: attrs.aggregator,
    communities: attrs.communities,
    extendedCommunities: attrs.extendedCommunities,
    largeCommunities: attrs.largeCommunities,
    unknown: forwardUnknown(attrs.unknown),
  });
}

/** The route an instance originates for a VNet address space (R-ARS-9): origin IGP, empty path, next hop self. */
export function vnetRouteAttrs(localIp: string): RouteAttrs {
  return internAttrs({ origin: 0, asPath: [], nextHop: localIp });
}

// ---------------------------------------------------------------------------
// Listings (R-ARS-9, R-ARS-10), in Azure's JSON shape and key order.

export interface LearnedRoute {
  localAddress: string;
  network: string;
  nextHop: string;
  sourcePeer: string;
  origin: 'EBgp' | 'IBgp' | 'Network';
  asPath: string;
  weight: number;
}

export interface AdvertisedRoute {
  localAddress: string;
  network: string;
  nextHop: string;
  origin: 'Igp' | 'Egp' | 'Incomplete';
  asPath: string;
  weight: number;
}

const ORIGIN_NAMES = ['Igp', 'Egp', 'Incomplete'] as const;

/** R-ARS-10: the routes an instance holds from one peer, dropped ones (R-ARS-6) left out. */
export function learnedRoutes(
  localAddress: string,
  adjRibIn: Iterable<{ prefix: Prefix; path: Path }>,
): LearnedRoute[] {
  const out: LearnedRoute[] = [];
  for (const { prefix, path } of adjRibIn) {
    if (path.rejected) continue;
    out.push({
      localAddress,
      network: formatPrefix(prefix),
      nextHop: path.attrs.nextHop,
      sourcePeer: path.source.address,
      origin: path.source.kind === 'ibgp' ? 'IBgp' : 'EBgp',
      asPath: formatAsPathAzure(path.attrs.asPath),
      weight: path.weight,
    });
  }
  return out;
}

/** R-ARS-9: what an instance advertised to one peer (its Adj-RIB-Out). */
export function advertisedRoutes(
  localAddress: string,
  adjRibOut: Iterable<{ prefix: Prefix; attrs: RouteAttrs }>,
): AdvertisedRoute[] {
  const out: AdvertisedRoute[] = [];
  for (const { prefix, attrs } of adjRibOut) {
    out.push({
      localAddress,
      network: formatPrefix(prefix),
      nextHop: attrs.nextHop,
      origin: ORIGIN_NAMES[attrs.origin],
      asPath: formatAsPathAzure(attrs.asPath),
      weight: 0,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Programming into NICs (R-ARS-8)

export interface ProgrammedRoute {
  readonly prefix: Prefix;
  /** Next-hop IPs, one per equal-cost path, in best-path order. */
  readonly nextHops: readonly string[];
  /** The paths behind it (for explain). */
  readonly paths: readonly Path[];
}

/**
 * What a Route Server programs: per prefix, the best paths of its instances. Where the
 * instances disagree (an NVA peered with one instance only, R-ARS-3), the instance whose
 * best path ranks higher wins and equal ones are merged — Azure leaves this undocumented
 * (docs/azure-differences.md).
 */
export function programmedRoutes(
  instances: readonly Iterable<{ prefix: Prefix; best: Path[] }>[],
  bestPath: BestPathConfig,
  compare: (a: Path, b: Path) => number,
): ProgrammedRoute[] {
  const byKey = new Map<string, { prefix: Prefix; paths: Path[] }>();
  for (const rib of instances) {
    for (const { prefix, best } of rib) {
      // Only NVA (eBGP) paths: the VNet's own ranges are system routes, and a best path
      // learned from a gateway is programmed by that gateway, toward the MSEE or the tunnel
      // (R-ER-4, R-VPN-1), not toward the gateway's address.
      const usable = best.filter((p) => p.source.kind === 'ebgp');
      if (usable.length === 0) continue;
      const k = formatPrefix(prefix);
      const cur = byKey.get(k);
      if (!cur) {
        byKey.set(k, { prefix, paths: usable });
        continue;
      }
      const c = compare(usable[0]!, cur.paths[0]!);
      if (c < 0) cur.paths = usable;
      else if (c === 0) cur.paths = [...cur.paths, ...usable];
    }
  }
  const out: ProgrammedRoute[] = [];
  for (const { prefix, paths } of byKey.values()) {
    const nextHops: string[] = [];
    for (const p of paths)
      if (!nextHops.includes(p.attrs.nextHop) && nextHops.length < bestPath.maxPaths) nextHops.push(p.attrs.nextHop);
    out.push({ prefix, nextHops, paths });
  }
  return out;
}

/**
 * R-ARS-21: which route-server instance programs a NIC. Microsoft: the two instances "share
 * the responsibility of sending the routes to all other VMs", and an NVA must set up two
 * identical sessions "so that your VMs in the virtual network can get consistent routing
 * info" (https://learn.microsoft.com/azure/route-server/troubleshoot-route-server); yet with
 * both sessions set up, losing one (maintenance: "BGP peering might go down between your NVA
 * and one of Route Server's instances") keeps connectivity (route-server-faq). So a NIC is
 * served by one instance, and misses the routes of an NVA that never peered with that
 * instance; a session that was up and failed is covered by the other instance. Which NICs an
 * instance serves is not published; ARSLab's deterministic choice is the lowest bit of the
 * NIC's primary address (even: IN_0, odd: IN_1), the other instance while one is under
 * maintenance (docs/azure-differences.md, ADR 0029).
 * @rule R-ARS-21
 */
export function programmingInstance(nicAddress: string, underMaintenance: readonly [boolean, boolean]): 0 | 1 {
  const a = parseIpv4(nicAddress) ?? 0;
  const home = (a & 1) as 0 | 1;
  const other = (1 - home) as 0 | 1;
  return underMaintenance[home] && !underMaintenance[other] ? other : home;
}

/**
 * R-ARS-21: what a NIC gets from its hub's route server — the instance that programs it and
 * the NVA peerings that instance never had (peered with the other instance only, R-ARS-3).
 * The routes depend on `unpeered` only, so NICs with the same `key` get the same routes;
 * `key` is '' when nothing is missing (every NVA peered with both instances — the usual
 * case, where every NIC of the hub gets the same routes, as before R-ARS-21).
 */
export interface ProgrammingView {
  readonly instance: 0 | 1;
  readonly unpeered: readonly string[];
  readonly key: string;
}

/** R-ARS-21: the view of a NIC programmed by `instance`, which never peered with `unpeered` (sorted). */
export function programmingView(instance: 0 | 1, unpeered: readonly string[]): ProgrammingView {
  return { instance, unpeered, key: unpeered.length > 0 ? JSON.stringify(unpeered) : '' };
}

/** The unpeered peerings a view key names (programmingView's key). */
export function unpeeredOfKey(key: string): readonly string[] {
  return key === '' ? [] : (JSON.parse(key) as string[]);
}

/**
 * R-ARS-21: the instances' best paths without those of NVA peerings that never reached
 * Established with the NIC's instance (`unpeered`, by peering name).
 */
export function withoutUnpeered(
  rib: Iterable<{ prefix: Prefix; best: Path[] }>,
  unpeered: ReadonlySet<string>,
): Iterable<{ prefix: Prefix; best: Path[] }> {
  // The usual case (nothing unpeered): the RIB as it is, not a copy.
  if (unpeered.size === 0) return rib;
  const out: { prefix: Prefix; best: Path[] }[] = [];
  for (const { prefix, best } of rib) {
    const kept = best.filter((p) => !(p.source.kind === 'ebgp' && unpeered.has(p.source.name)));
    if (kept.length) out.push({ prefix, best: kept });
  }
  return out;
}

/**
 * R-ARS-21: what one instance programs into the NICs it serves, and, for explain, the routes
 * only the other instance holds — not programmed there, with why.
 */
export function instanceProgrammedRoutes(
  mine: readonly ProgrammedRoute[],
  other: readonly ProgrammedRoute[],
  names: { readonly mine: string; readonly other: string },
): {
  routes: readonly ProgrammedRoute[];
  missing: readonly { route: ProgrammedRoute; rule: string; reason: string }[];
} {
  const held = new Set(mine.map((r) => formatPrefix(r.prefix)));
  const missing = other
    .filter((r) => !held.has(formatPrefix(r.prefix)))
    .map((route) => ({
      route,
      rule: 'R-ARS-21',
      reason:
        `not programmed: this NIC is served by ${names.mine}, and the NVA behind it never peered with ` +
        `${names.mine} (peered with ${names.other} only, R-ARS-3)`,
    }));
  return { routes: mine, missing };
}

/** R-ARS-1: the 4th and 5th addresses of RouteServerSubnet. */
export function virtualRouterIps(subnetPrefix: Prefix): [string, string] {
  if (subnetPrefix.afi !== 1) throw new Error('RouteServerSubnet must be IPv4');
  const base = subnetPrefix.addr;
  const f = (n: number) => {
    const a = (base + n) >>> 0;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  };
  return [f(4), f(5)];
}
