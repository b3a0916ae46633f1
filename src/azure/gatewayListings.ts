/**
 * @module azure/gatewayListings
 * What `az network vnet-gateway list-learned-routes | list-advertised-routes |
 * list-bgp-peer-status` and `az network express-route list-route-tables |
 * list-route-tables-summary` print, computed from one gateway instance's or one MSEE's
 * speaker tables (R-ER-3, R-ER-1, R-ARS-11), in Azure's JSON shapes and key order. Pure:
 * every input is a view of a speaker the caller reads; nothing here keeps routing state but
 * the arrival order of route groups (ArrivalOrder), which Azure's learned-routes listing
 * shows and no RIB keeps (docs/azure-differences.md, "Gateway listings").
 *
 * @see https://learn.microsoft.com/rest/api/network-gateway/virtual-network-gateways/get-learned-routes
 * @see https://learn.microsoft.com/rest/api/expressroute/express-route-circuits/list-routes-table
 */
import { formatPrefix, parseIpv4, type Prefix } from '../bgp/wire/index.js';
import { formatAsPathAzure, type Path, type RouteAttrs } from '../rib/index.js';
import { advertisedRoutes, type AdvertisedRoute } from './routeServer.js';

// ---------------------------------------------------------------------------
// Row shapes (REST). The REST answer leaves out what a row does not have (the next hop of a
// Network row, the source peer of an advertised route); az's SDK models print those as null.

/** GatewayRoute (learned). Key order as the REST API and the SDK model declare it. */
export interface GatewayLearnedRoute {
  localAddress: string;
  network: string;
  /** Absent on Network rows (az shows null; its table leaves the cell empty). */
  nextHop?: string;
  sourcePeer: string;
  origin: 'Network' | 'IBgp' | 'EBgp';
  /** Hyphen-joined ("12076-133937"); '' for an empty path. */
  asPath: string;
  weight: number;
}

export type GatewayAdvertisedRoute = AdvertisedRoute;

export type BgpPeerState = 'Unknown' | 'Stopped' | 'Idle' | 'Connecting' | 'Connected';

/** BgpPeerStatus, key order of the REST API. */
export interface BgpPeerStatus {
  localAddress: string;
  neighbor: string;
  asn: number;
  state: BgpPeerState;
  /** .NET TimeSpan ("01:43:11.4004661"); absent when not connected. */
  connectedDuration?: string;
  routesReceived: number;
  messagesSent: number;
  messagesReceived: number;
}

/** ExpressRouteCircuitRoutesTable, key order of the REST API (and of az's `--query value -o table`). */
export interface CircuitRoute {
  network: string;
  /** The next hop, with `*` appended on the MSEE's best path. */
  nextHop: string;
  locPrf: string;
  weight: number;
  /** Space-separated, as the MSEE prints it ("65515 65002"). */
  path: string;
}

/** ExpressRouteCircuitRoutesTableSummary. */
export interface CircuitRouteSummary {
  neighbor: string;
  v: number;
  as: number;
  /** Cisco style: "01:02:03" under a day, "5d20h" under a week, "8w4d" beyond; "never". */
  upDown: string;
  /** Routes received while Established; the BGP state otherwise ("Active", "Idle (Admin)"). */
  statePfxRcd: string;
}

// ---------------------------------------------------------------------------
// Learned routes: the ordering rule.
//
// Seed 001's two captures (one per gateway instance) list the rows in *groups*: one group
// per (prefix, class), where class "internal" holds the instance's own Network row and
// every IBgp row of that prefix (route-server and VPN-gateway instances), and class
// "external" the EBgp rows (MSEEs, VPN tunnels). Groups come in the order they first
// appeared: the VNet ranges (Network, at the gateway's creation, joined by the route
// server's IBgp copies), then the rest as learned — a prefix learned from an MSEE and later
// from the route server (1.2.3.0/24) is two groups, far apart; the MSEE's reflections of
// the VNet ranges (12076-12076) are groups of their own after the on-premises ones. Within
// a group rows follow the gateway's best-path ranking (Network first, then weight, AS-path
// length, origin, eBGP over iBGP, lowest neighbour address). A group that empties is
// forgotten: when it comes back it goes to the end.

export type RouteGroupClass = 'internal' | 'external';

export function routeGroupClass(p: Path): RouteGroupClass {
  return p.source.kind === 'ebgp' ? 'external' : 'internal';
}

const CLASSES: readonly RouteGroupClass[] = ['internal', 'external'];

/**
 * The arrival order of a speaker's route groups (see above), kept next to the speaker by
 * its runtime: `update` after every UPDATE the speaker took in, `prune` after a neighbour
 * went down.
 */
export class ArrivalOrder {
  private next = 1;
  private readonly groups = new Map<string, { prefix: Prefix; cls: RouteGroupClass; seq: number }>();

  private static key(prefix: Prefix, cls: RouteGroupClass): string {
    return `${cls === 'internal' ? 'i' : 'e'}${formatPrefix(prefix)}`;
  }

  /** Brings the groups of `prefixes` in line with the speaker's candidates now: a new group takes the next number, an empty one is forgotten. */
  update(prefixes: Iterable<Prefix>, candidates: (p: Prefix) => readonly Path[]): void {
    for (const prefix of prefixes) {
      const present = new Set<RouteGroupClass>();
      for (const p of candidates(prefix)) if (!p.rejected) present.add(routeGroupClass(p));
      for (const cls of CLASSES) {
        const k = ArrivalOrder.key(prefix, cls);
        if (!present.has(cls)) this.groups.delete(k);
        else if (!this.groups.has(k)) this.groups.set(k, { prefix, cls, seq: this.next++ });
      }
    }
  }

  /** Forgets every group left without a path (after a session went down). */
  prune(candidates: (p: Prefix) => readonly Path[]): void {
    for (const [k, g] of [...this.groups]) {
      if (!candidates(g.prefix).some((p) => !p.rejected && routeGroupClass(p) === g.cls)) this.groups.delete(k);
    }
  }

  seq(prefix: Prefix, cls: RouteGroupClass): number | undefined {
    return this.groups.get(ArrivalOrder.key(prefix, cls))?.seq;
  }
}

/** One gateway instance's tables, as the learned-routes listing reads them. */
export interface GatewayInstanceView {
  /** The instance's own address: localAddress and sourcePeer of its Network rows. */
  readonly address: string;
  /** Every prefix the instance holds, in its table's order. */
  readonly prefixes: Iterable<Prefix>;
  /** Candidates for a prefix, best first, rejected ones last (Speaker.candidates). */
  candidates(prefix: Prefix): readonly Path[];
  /** The instance's address on the session a path came from (APIPA toward VPN tunnels); `address` if undefined. */
  localAddressOf?(path: Path): string | undefined;
  /** Group arrival order; groups it does not know sort last, in table order. */
  readonly order?: ArrivalOrder;
}

/**
 * R-ER-3: every path the instance holds (not those its import policy rejected): Network
 * rows for its own ranges (weight 32768, no next hop, empty AS path), IBgp rows from the
 * route server and VPN gateway instances, EBgp rows from the MSEEs (32769 + routingWeight)
 * and the tunnels — grouped and ordered as the rule above says.
 * @rule R-ER-3
 */
export function gatewayLearnedRoutes(view: GatewayInstanceView): GatewayLearnedRoute[] {
  const groups: { seq: number; at: number; rows: GatewayLearnedRoute[] }[] = [];
  let at = 0;
  for (const prefix of view.prefixes) {
    const cands = view.candidates(prefix).filter((p) => !p.rejected);
    for (const cls of CLASSES) {
      const members = cands.filter((p) => routeGroupClass(p) === cls);
      if (members.length === 0) continue;
      groups.push({
        seq: view.order?.seq(prefix, cls) ?? Number.MAX_SAFE_INTEGER,
        at: at++,
        rows: members.map((p) => learnedRow(view, prefix, p)),
      });
    }
  }
  groups.sort((a, b) => a.seq - b.seq || a.at - b.at);
  return groups.flatMap((g) => g.rows);
}

function learnedRow(view: GatewayInstanceView, prefix: Prefix, p: Path): GatewayLearnedRoute {
  const network = formatPrefix(prefix);
  if (p.source.kind === 'local')
    return {
      localAddress: view.address,
      network,
      sourcePeer: view.address,
      origin: 'Network',
      asPath: formatAsPathAzure(p.attrs.asPath),
      weight: p.weight,
    };
  return {
    localAddress: view.localAddressOf?.(p) ?? view.address,
    network,
    nextHop: p.attrs.nextHop,
    sourcePeer: p.source.address,
    origin: p.source.kind === 'ibgp' ? 'IBgp' : 'EBgp',
    asPath: formatAsPathAzure(p.attrs.asPath),
    weight: p.weight,
  };
}

/**
 * What the instance advertised to one peer: its Adj-RIB-Out toward it, in the order it was
 * first sent (seed 001: the VNet ranges, then the MSEE routes as they came).
 * @rule R-ER-3 R-ARS-11
 */
export function gatewayAdvertisedRoutes(
  localAddress: string,
  adjRibOut: Iterable<{ prefix: Prefix; attrs: RouteAttrs }>,
): GatewayAdvertisedRoute[] {
  return advertisedRoutes(localAddress, adjRibOut);
}

// ---------------------------------------------------------------------------
// BGP peer status

/** One session of a gateway instance, as its in-process end reports it. */
export interface GatewayPeerView {
  /** The instance's address on the session. */
  readonly localAddress: string;
  readonly neighbor: string;
  readonly asn: number;
  readonly kind: 'ebgp' | 'ibgp';
  /** The in-process session's state: a cut link still looks up until it is detected. */
  readonly state: 'Established' | 'Cut' | 'Idle' | 'AdminDown';
  readonly connectedMs?: number;
  readonly routesReceived: number;
  readonly messagesSent: number;
  readonly messagesReceived: number;
}

export function peerState(s: GatewayPeerView['state']): BgpPeerState {
  switch (s) {
    case 'Established':
    case 'Cut': // nothing crosses, but the instance has not noticed yet
      return 'Connected';
    case 'Idle':
      return 'Connecting'; // the gateway keeps trying
    case 'AdminDown':
      return 'Stopped';
  }
}

/** .NET TimeSpan "c" format: [d.]hh:mm:ss[.fffffff]. */
export function formatTimeSpan(ms: number): string {
  const ticks = Math.max(0, Math.round(ms * 10_000));
  const totalSeconds = Math.floor(ticks / 10_000_000);
  const frac = ticks % 10_000_000;
  const d = Math.floor(totalSeconds / 86_400);
  const h = Math.floor((totalSeconds % 86_400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d > 0 ? `${d}.` : ''}${two(h)}:${two(m)}:${two(s)}${frac ? `.${String(frac).padStart(7, '0')}` : ''}`;
}

function addrNum(a: string): number {
  return parseIpv4(a) ?? Number.MAX_SAFE_INTEGER;
}

/**
 * `list-bgp-peer-status`: the instance's sessions, eBGP neighbours (MSEEs, tunnels) first,
 * then iBGP (route server, the other gateway), each by address — seed 001's order.
 */
export function bgpPeerStatus(peers: readonly GatewayPeerView[], onlyPeer?: string): BgpPeerStatus[] {
  return peers
    .filter((p) => onlyPeer === undefined || p.neighbor === onlyPeer)
    .slice()
    .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'ebgp' ? -1 : 1) || addrNum(a.neighbor) - addrNum(b.neighbor))
    .map((p) => {
      const state = peerState(p.state);
      return {
        localAddress: p.localAddress,
        neighbor: p.neighbor,
        asn: p.asn,
        state,
        ...(state === 'Connected' && p.connectedMs !== undefined
          ? { connectedDuration: formatTimeSpan(p.connectedMs) }
          : {}),
        routesReceived: p.routesReceived,
        messagesSent: p.messagesSent,
        messagesReceived: p.messagesReceived,
      };
    });
}

// ---------------------------------------------------------------------------
// The MSEE's route table of one link (express-route list-route-tables)

function comparePrefix(a: Prefix, b: Prefix): number {
  if (a.afi !== b.afi) return a.afi - b.afi;
  if (a.afi === 1 && b.afi === 1) return (a.addr as number) - (b.addr as number) || a.len - b.len;
  return formatPrefix(a) < formatPrefix(b) ? -1 : formatPrefix(a) > formatPrefix(b) ? 1 : 0;
}

/** "65515 65002" (AS_SET as "{a,b}"), as the MSEE's BGP table prints paths. */
export function formatPathCisco(attrs: RouteAttrs): string {
  return attrs.asPath
    .map((s) => (s.type === 2 ? s.asns.join(' ') : `{${s.asns.join(',')}}`))
    .filter((x) => x.length > 0)
    .join(' ');
}

/**
 * R-ER-1: an MSEE's BGP table for one circuit link: every path it holds (customer routes
 * with the customer edge as next hop, VNet and NVA routes from each gateway instance), by
 * prefix, paths by next hop, the best one's next hop marked `*` (captures show
 * "10.40.0.12*"); LOCAL_PREF is blank and weight 0, as the MSEE prints them.
 * @rule R-ER-1 R-ER-2
 */
export function circuitRouteTable(
  entries: Iterable<{ prefix: Prefix; candidates: readonly Path[]; best: readonly Path[] }>,
): CircuitRoute[] {
  const sorted = [...entries].sort((a, b) => comparePrefix(a.prefix, b.prefix));
  const out: CircuitRoute[] = [];
  for (const { prefix, candidates, best } of sorted) {
    const paths = candidates
      .filter((p) => !p.rejected)
      .sort((a, b) => addrNum(a.attrs.nextHop) - addrNum(b.attrs.nextHop));
    for (const p of paths) {
      out.push({
        network: formatPrefix(prefix),
        nextHop: `${p.attrs.nextHop}${best.includes(p) ? '*' : ''}`,
        locPrf: '',
        weight: 0,
        path: formatPathCisco(p.attrs),
      });
    }
  }
  return out;
}

/** Cisco's Up/Down column. */
export function formatUpDown(ms: number | undefined): string {
  if (ms === undefined) return 'never';
  const s = Math.floor(ms / 1000);
  if (s < 86_400) {
    const two = (n: number) => String(n).padStart(2, '0');
    return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  }
  const d = Math.floor(s / 86_400);
  if (d < 7) return `${d}d${Math.floor((s % 86_400) / 3600)}h`;
  return `${Math.floor(d / 7)}w${d % 7}d`;
}

/** One customer-edge session of an MSEE, for the summary. */
export interface CircuitNeighborView {
  readonly neighbor: string;
  readonly asn: number;
  readonly state: GatewayPeerView['state'];
  readonly connectedMs?: number;
  readonly routesReceived: number;
}

/** `list-route-tables-summary`: the link's BGP neighbours on the customer side, Cisco's `show bgp summary` columns. */
export function circuitRouteSummary(neighbors: readonly CircuitNeighborView[]): CircuitRouteSummary[] {
  return [...neighbors]
    .sort((a, b) => addrNum(a.neighbor) - addrNum(b.neighbor))
    .map((n) => ({
      neighbor: n.neighbor,
      v: 4,
      as: n.asn,
      upDown: formatUpDown(n.state === 'Established' || n.state === 'Cut' ? n.connectedMs : undefined),
      statePfxRcd:
        n.state === 'Established' || n.state === 'Cut'
          ? String(n.routesReceived)
          : n.state === 'AdminDown'
            ? 'Idle (Admin)'
            : 'Active',
    }));
}
