/**
 * @module azure/gatewayRoutes
 * The routes a VNet's NICs get from its gateways (R-NIC-2): from the route server (NVA
 * paths, R-ARS-8), the ExpressRoute gateway (toward the MSEEs, R-ER-4) and the VPN gateway
 * (toward its instances, R-VPN-1) — of the VNet's own hub, or of the hub it peers with
 * using remote gateways — merged per prefix by the hub's routing preference (R-ARS-7).
 */
import { comparePrefixes, formatPrefix, type Prefix } from '../bgp/wire/index.js';
import type { Path } from '../rib/index.js';
import { byId, connectedPeers, routeServerOfVnet } from './lookup.js';
import type { AzureModel, HubRoutingPreference, VirtualNetwork, VirtualNetworkGateway } from './model.js';
import { indexedGatewaysOfVnet } from './modelIndex.js';
import { originRank, type ProgrammedRoute } from './routeServer.js';

export type GatewayRouteOrigin = 'route-server' | 'expressroute' | 'vpn';

export interface GatewayRoute extends ProgrammedRoute {
  readonly origin: GatewayRouteOrigin;
  /** AS-path length of the best path (for the ASPath preference and explain). */
  readonly asPathLength: number;
}

export interface GatewayRoutes {
  readonly routes: readonly GatewayRoute[];
  /** The address spaces of the VNets served together (never programmed from BGP, R-ARS-8). */
  readonly servedPrefixes: readonly Prefix[];
  /** Routes that lost the merge or were filtered, with why (explain). */
  readonly dropped: readonly { readonly route: GatewayRoute; readonly rule: string; readonly reason: string }[];
}

/** A VNet with a route server or a gateway: the hub of its spokes. */
export function isHub(model: AzureModel, vnet: VirtualNetwork): boolean {
  return !!routeServerOfVnet(model, vnet) || gatewaysOfVnet(model, vnet).length > 0;
}

export function gatewaysOfVnet(model: AzureModel, vnet: VirtualNetwork): readonly VirtualNetworkGateway[] {
  return indexedGatewaysOfVnet(model, vnet.id);
}

/** The hub whose gateways program this VNet: itself, or the hub it uses remote gateways of. */
export function hubOf(model: AzureModel, vnet: VirtualNetwork): VirtualNetwork | undefined {
  if (isHub(model, vnet)) return vnet;
  for (const { remote, local, back } of connectedPeers(model, vnet)) {
    if (local.useRemoteGateways && back.allowGatewayTransit && isHub(model, remote)) return remote;
  }
  return undefined;
}

/** The hub and the spokes that use its gateways (R-ARS-8). */
export function servedByHub(model: AzureModel, hub: VirtualNetwork): VirtualNetwork[] {
  const out = [hub];
  for (const { remote, local, back } of connectedPeers(model, hub)) {
    if (local.allowGatewayTransit && back.useRemoteGateways) out.push(remote);
  }
  return out;
}

/**
 * R-ARS-7: the routing preference the hub's NICs are programmed by. Microsoft: "When
 * branch-to-branch is enabled and Route Server learns multiple routes across S2S VPN,
 * ExpressRoute and SD-WAN NVAs … users can now configure connection preferences" — with
 * branch-to-branch off the setting does not apply, and the default (ExpressRoute first, "When
 * the same route is learned over ExpressRoute, Azure VPN or an SDWAN appliance, the
 * ExpressRoute network will be preferred") does.
 */
export function effectiveRoutingPreference(
  rs: { readonly hubRoutingPreference: HubRoutingPreference; readonly allowBranchToBranchTraffic: boolean } | undefined,
): HubRoutingPreference {
  return rs?.allowBranchToBranchTraffic ? rs.hubRoutingPreference : 'ExpressRoute';
}

/** R-ARS-7 (1): the class of a route by its origin under hubRoutingPreference; higher wins. */
function originClass(o: GatewayRouteOrigin, pref: HubRoutingPreference): number {
  if (pref === 'ASPath') return 0;
  if (pref === 'ExpressRoute') return o === 'expressroute' ? 1 : 0;
  return o === 'expressroute' ? 0 : 1; // VpnGateway: VPN and NVA routes beat ExpressRoute
}

/**
 * Per prefix: the best origin class wins (R-ARS-7 (1)), then the shortest AS path, then one
 * origin (ExpressRoute, VPN, NVA: R-ARS-7 (3), `originRank`); equal ones of that origin are
 * merged as ECMP (next hops deduplicated, at most `maxEcmp`). Gateway rows are
 * ordered by prefix, highest address first — the order seed 001's NICs print (an inference
 * from two captures: docs/azure-differences.md).
 */
export function mergeGatewayRoutes(
  candidates: readonly GatewayRoute[],
  pref: HubRoutingPreference,
  maxEcmp: number,
): { routes: GatewayRoute[]; dropped: GatewayRoutes['dropped'] } {
  const byPrefix = new Map<string, GatewayRoute[]>();
  for (const c of candidates) {
    const k = formatPrefix(c.prefix);
    const l = byPrefix.get(k);
    if (l) l.push(c);
    else byPrefix.set(k, [c]);
  }
  const routes: GatewayRoute[] = [];
  const dropped: { route: GatewayRoute; rule: string; reason: string }[] = [];
  for (const list of byPrefix.values()) {
    const rank = (r: GatewayRoute) => [-originClass(r.origin, pref), r.asPathLength, originRank(r.origin)] as const;
    const cmp = (a: GatewayRoute, b: GatewayRoute) =>
      rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1] || rank(a)[2] - rank(b)[2];
    const sorted = [...list].sort(cmp);
    const top = sorted[0]!;
    const winners = sorted.filter((r) => cmp(r, top) === 0);
    for (const r of sorted) {
      if (winners.includes(r)) continue;
      const why =
        rank(r)[0] !== rank(top)[0]
          ? `hubRoutingPreference ${pref}: ${top.origin} routes win over ${r.origin} routes (R-ARS-7)`
          : rank(r)[1] !== rank(top)[1]
            ? `AS path length ${top.asPathLength} < ${r.asPathLength} (R-ARS-7)`
            : `equal AS path length ${top.asPathLength}: ${top.origin} routes win over ${r.origin} routes, never one ECMP set across origins (R-ARS-7)`;
      dropped.push({ route: r, rule: 'R-ARS-7', reason: why });
    }
    const nextHops: string[] = [];
    const paths: Path[] = [];
    for (const w of winners) {
      for (const nh of w.nextHops) if (!nextHops.includes(nh) && nextHops.length < maxEcmp) nextHops.push(nh);
      paths.push(...w.paths);
    }
    routes.push({ ...top, nextHops, paths });
  }
  // Row order of the NIC's gateway routes: descending prefix, the one order both of seed 001's
  // tables agree with (arrival order does not: spoke11 lists 10.2.0.0/16 before 10.1.0.0/16,
  // which hub1's route server learned the other way round). docs/azure-differences.md.
  routes.sort((a, b) => -comparePrefixes(a.prefix, b.prefix));
  return { routes, dropped };
}

export { byId };
