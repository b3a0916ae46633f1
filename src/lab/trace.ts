/**
 * @module lab/trace
 * `arslab trace --from ROUTER_OR_VM --to IP`: the path a packet would take, read from the
 * control plane — at each speaker the longest-match route for the destination and its best
 * next hop, followed speaker by speaker (on-premises router → MSEE → ExpressRoute gateway
 * instance → MSEE → router; a VM starts at its NIC's effective route). Where a speaker holds
 * several paths tied on every step of its decision process (an MSEE's two routes from the
 * two gateway instances: the data plane spreads flows over them, as a traceroute sees one
 * or the other), the trace branches and lists each path, the speaker's BGP best first.
 *
 * Nothing here changes the lab: the walk reads speakers' tables (candidates ranked by each
 * speaker's own best-path configuration) and the model's addresses.
 */
import { formatPrefix, parseIpv4, prefixContains, v4Prefix, type Prefix } from '../bgp/wire/index.js';
import {
  AzureErrors,
  byId,
  flowHash,
  nicByAddress,
  primaryIpConfig,
  type Flow,
  type ForwardingDecision,
  type NetworkInterface,
  type VirtualMachine,
} from '../azure/index.js';
import { compare, formatAsPathAzure, rank, selectBest, type Path, type Speaker } from '../rib/index.js';
import type { DaemonRoute } from './daemons/types.js';
import type { LabSpeaker } from './graph/index.js';
import type { Lab } from './lab.js';

export type TraceHopKind = 'vm' | 'router' | 'msee' | 'expressroute-gateway' | 'vpn-gateway' | 'route-server' | 'nva';

export interface TraceHop {
  readonly kind: TraceHopKind;
  /** "site2", "er-circuit-site2/primary", "ergw/1", "quaggavm01". */
  readonly name: string;
  /** The address the packet is sent to at this hop (the previous hop's next hop); the source's own address for hop 1. */
  readonly address: string;
  /** The route this hop forwards by (longest match), absent where the trace ends. */
  readonly route?: { readonly prefix: string; readonly nextHop: string; readonly asPath: string; readonly via: string };
  /** This hop is one of several tied next hops of the previous hop: 'best' (the previous speaker's BGP best) or 'equal'. */
  readonly choice?: { readonly rank: 'best' | 'equal'; readonly of: number };
  /**
   * The address that answers when the probe's TTL runs out here, as traceroute prints it:
   * the interface the packet entered by; the destination itself where this hop owns it;
   * null (`*`) where the hop does not answer (an MSEE; the sending VM, which is no hop).
   */
  readonly reply: string | null;
  /** The sending VM: its line is the route it sent by, not a traceroute hop. */
  readonly source?: boolean;
}

/**
 * Where a walk ended: `reached` (a VM holding the address, a router owning it — it
 * originates a prefix holding it —, a node on it), `vnet` (delivered into a VNet where no VM
 * holds it), `nva` (handed to a real NVA or daemon, whose table ARSLab does not read),
 * `no-route`, `loop` (a hop seen twice), `ttl-exceeded` (maxHops hops), `unresolved` (a next
 * hop that is nothing of the lab), `link-down` (the next link is cut and its ends have not
 * noticed: what a probe meets during a failover's detection time).
 */
export type TraceEnd = 'reached' | 'vnet' | 'nva' | 'no-route' | 'loop' | 'ttl-exceeded' | 'link-down' | 'unresolved';

export interface TracePath {
  readonly hops: TraceHop[];
  readonly end: TraceEnd;
  /** One line: where and why the trace ended. */
  readonly detail: string;
}

export interface TraceResult {
  readonly from: string;
  readonly to: string;
  readonly paths: TracePath[];
}

/** At most this many paths (branches at tied next hops). */
const MAX_PATHS = 8;

interface Place {
  readonly lab: LabSpeaker;
  readonly speaker: Speaker;
  readonly kind: TraceHopKind;
  readonly name: string;
}

/** The speaker kinds a trace walks through (each forwards by its own table). */
const WALKED = ['route-server', 'expressroute-gateway', 'vpn-gateway', 'msee', 'router'] as const;

/** The lab's speakers by BGP next-hop address, and the NVAs' addresses: read from the lab graph. */
class Addresses {
  readonly places: Place[] = [];
  private readonly byLab = new Map<LabSpeaker, Place>();

  constructor(private readonly lab: Lab) {
    for (const s of lab.graph.speakers({ kind: WALKED })) {
      if (!s.rib) continue;
      const p: Place = { lab: s, speaker: s.rib, kind: s.kind as TraceHopKind, name: s.name };
      this.places.push(p);
      this.byLab.set(s, p);
    }
  }

  /** The speaker a next-hop address belongs to. */
  at(address: string): Place | undefined {
    const s = this.lab.graph.speakerAt(address, { kind: WALKED });
    return s ? this.byLab.get(s) : undefined;
  }

  /** The NVA (a lab node) on an address. */
  nva(address: string): string | undefined {
    return this.lab.graph.nodeAt(address);
  }

  /** The place of a lab speaker. */
  of(s: LabSpeaker | undefined): Place | undefined {
    return s ? this.byLab.get(s) : undefined;
  }

  place(name: string): Place | undefined {
    const n = name.toLowerCase();
    return this.places.find((p) => p.name.toLowerCase() === n);
  }

  /**
   * Whether the link between two speakers is cut (`arslab link down` without --graceful):
   * nothing crosses it, though neither side has noticed yet (hold timer, BFD).
   */
  cut(a: LabSpeaker, b: LabSpeaker): boolean {
    return this.lab.graph.sidesOf(a).some((x) => x.remote.speaker === b && x.session.state === 'Cut');
  }

  /** The speaker's own address (a router: its address on its first attachment): hop 1's address. */
  ownAddress(p: Place): string {
    const s = this.lab.graph.speakerOf(p.speaker);
    return s ? this.lab.graph.addressOf(s, { kind: WALKED }) : '';
  }
}

/** Longest-match prefix for `dst` with a usable best path at `sp`. */
function longestMatch(sp: Speaker, dst: number): { prefix: Prefix; ties: Path[] } | undefined {
  const cfg = sp.bestPathConfig;
  for (let len = 32; len >= 0; len--) {
    const p = v4Prefix(dst, len);
    const ranked = rank(sp.candidates(p), cfg);
    const best = selectBest(ranked, cfg);
    if (!best.length) continue;
    // The best, its equal-cost paths, and paths tied with it on every step (an MSEE keeps the
    // oldest as its BGP best; the data plane spreads flows over all of them).
    const ties = ranked.filter((x) => !x.rejected && (best.includes(x) || compare(best[0]!, x, cfg).order === 0));
    return { prefix: p, ties };
  }
  return undefined;
}

/**
 * The MSEE behind a NIC's ExpressRoute next hop: a circuit's MSEE-side addresses are its
 * primary's then its secondary's (R-ER-4).
 */
function mseeOfNextHop(lab: Lab, nh: string): LabSpeaker | undefined {
  for (const s of lab.graph.speakers({ kind: 'msee' })) {
    if (s.owner.kind !== 'circuit') continue;
    const i = s.owner.runtime.resource.mseeAddresses.indexOf(nh);
    if (i >= 0 && s.owner.link === (i === 1 ? 1 : 0)) return s;
  }
  return undefined;
}

/** The flow a walk follows (probe, `trace --source-port`): at every ECMP tie one next hop by its hash. */
export interface TraceOptions {
  readonly flow?: Flow;
  /**
   * The tables of the real daemons (their best routes, `daemonTables`): a daemon on the path
   * then forwards by its own Loc-RIB; without them the walk ends at it (`nva`).
   */
  readonly daemons?: ReadonlyMap<string, readonly DaemonRoute[]>;
  /** A VM start already resolved (a NIC named by the caller): used instead of looking `from` up. */
  readonly source?: { readonly vm: VirtualMachine; readonly nic: NetworkInterface };
  /** Hops before the packet's TTL runs out: traceroute's and tracert's default maximum, 30. */
  readonly maxHops?: number;
}

export const DEFAULT_MAX_HOPS = 30;

const numeric = (ip: string) => parseIpv4(ip) ?? 0;

/**
 * Which hops answer a traceroute (ADR 0032): an MSEE never does (seed 003's tracerts show
 * `*` on both sides of the gateway); a gateway instance answers from its own address (seed
 * 003: 10.200.1.6; Microsoft's "Interoperability in Azure – data plane analysis" shows the
 * hub's VPN gateway as hop 1); a router and a VM from the address the packet entered by.
 */
function replyOf(kind: TraceHopKind, address: string): string | null {
  return kind === 'msee' ? null : address || null;
}

/**
 * Follows a packet toward the address `to` from `from` (a built-in router, a VM, or any
 * speaker of the lab: "ergw/0", "er-circuit-site1/primary"), hop by hop, each hop by its own
 * forwarding state: a VM by its NIC's effective routes (R-NIC-4, R-NIC-5), every speaker by
 * its own Loc-RIB (longest match, its best-path configuration). Without a flow, a hop whose
 * best paths tie branches and every path is listed (the BGP best first); with `opts.flow`,
 * one next hop is taken at every tie by the flow's 5-tuple hash (src/azure/dataPath.ts, the
 * hash the NIC's ECMP uses), so the walk is the one path that flow takes (`arslab probe`).
 * @rule R-ER-3 R-ER-4 R-ER-5 R-NIC-4 R-NIC-5
 */
export function traceRoute(lab: Lab, from: string, to: string, opts: TraceOptions = {}): TraceResult {
  return followPacket(lab, from, to, opts).result;
}

/** traceRoute, and for a VM with a flow the NIC's forwarding decision (what `arslab probe` reports and connects by). */
export function followPacket(
  lab: Lab,
  from: string,
  to: string,
  opts: TraceOptions = {},
): { result: TraceResult; first?: ForwardingDecision } {
  const dst = parseIpv4(to.trim());
  if (dst === undefined) throw AzureErrors.invalidParameter('to', `'${to}' is not an IPv4 address`);
  const ix = new Addresses(lab);
  const paths: TracePath[] = [];
  const maxHops = opts.maxHops ?? DEFAULT_MAX_HOPS;
  const flow = opts.flow;
  const hop = (h: Omit<TraceHop, 'reply'>, reply?: string | null): TraceHop => ({
    ...h,
    reply: reply === undefined ? replyOf(h.kind, h.address) : reply,
  });

  /**
   * The packet is handed to next hop `nh` (by `so`, the hops so far): a VM or NVA owning it,
   * the speaker owning it, or nothing of the lab.
   */
  const handTo = (nh: string, so: TraceHop[], from: string, choice: TraceHop['choice'], at?: LabSpeaker): void => {
    const c = choice ? { choice } : {};
    const nva = ix.nva(nh);
    const table = nva ? opts.daemons?.get(nva.toLowerCase()) : undefined;
    if (nva && table) {
      daemonHop(nva, nh, table, so, choice);
      return;
    }
    if (nva) {
      const reached = nh === to;
      paths.push({
        hops: [...so, hop({ kind: 'nva', name: nva, address: nh, ...c })],
        end: reached ? 'reached' : 'nva',
        detail: reached ? `${to} is the address of ${nva}` : `the NVA ${nva} (${nh}) forwards by its own table`,
      });
      return;
    }
    // ExpressRoute routes of a NIC point at a circuit's MSEE-side addresses (R-ER-4).
    const target = ix.of(mseeOfNextHop(lab, nh)) ?? ix.at(nh);
    if (!target) {
      paths.push({ hops: so, end: 'unresolved', detail: `next hop ${nh} of ${from} is no speaker of the lab` });
      return;
    }
    if (at && ix.cut(at, target.lab)) {
      paths.push({
        hops: so,
        end: 'link-down',
        detail: `the link ${at.name} -> ${target.name} is cut: the packet is lost (${at.name} has not noticed yet)`,
      });
      return;
    }
    walk(target, nh, so, choice);
  };

  /**
   * A real daemon on the path, by its own best routes (read before the walk): the longest
   * prefix holding the destination; a route it originates (no next hop, no AS path) means it
   * owns the address.
   */
  const daemonHop = (
    name: string,
    address: string,
    table: readonly DaemonRoute[],
    so: TraceHop[],
    choice: TraceHop['choice'],
  ): void => {
    const c = choice ? { choice } : {};
    if (so.length >= maxHops) {
      paths.push({
        hops: so,
        end: 'ttl-exceeded',
        detail: `TTL exceeded: ${maxHops} hops and ${to} not reached (at ${name})`,
      });
      return;
    }
    if (so.some((h) => h.name === name)) {
      paths.push({
        hops: [...so, hop({ kind: 'nva', name, address, ...c })],
        end: 'loop',
        detail: `${name} is on the path already: a forwarding loop (the packet circles until its TTL runs out)`,
      });
      return;
    }
    const target = v4Prefix(dst, 32);
    let best: { route: DaemonRoute; len: number } | undefined;
    for (const r of table) {
      if (!r.best) continue;
      const [ip, l] = r.prefix.split('/');
      const a = parseIpv4(ip ?? '');
      const len = Number(l);
      if (a === undefined || !(len >= 0 && len <= 32)) continue;
      if (!prefixContains(v4Prefix(a, len), target)) continue;
      if (!best || len > best.len) best = { route: r, len };
    }
    if (!best) {
      paths.push({
        hops: [...so, hop({ kind: 'nva', name, address, ...c })],
        end: 'no-route',
        detail: `${name} has no route for ${to}`,
      });
      return;
    }
    const r = best.route;
    const route = { prefix: r.prefix, nextHop: r.nextHop, asPath: r.asPath.join(' '), via: r.peer ?? 'its own' };
    const own = !r.peer && r.asPath.length === 0 && (!r.nextHop || r.nextHop === '0.0.0.0');
    if (own) {
      paths.push({
        hops: [...so, { ...hop({ kind: 'nva', name, address, ...c }), route: { ...route, nextHop: '' }, reply: to }],
        end: 'reached',
        detail: `${to} is in ${name}'s own ${r.prefix}`,
      });
      return;
    }
    handTo(
      r.nextHop,
      [...so, hop({ kind: 'nva', name, address, route, ...c })],
      name,
      undefined,
      lab.graph.speaker(name),
    );
  };

  /** Delivered into a VNet (a gateway's own range, a NIC's VnetLocal or peering row): the VM holding `to`, if any. */
  const deliver = (so: TraceHop[], where: string, prefix: string, choice?: TraceHop['choice']): void => {
    const nic = nicByAddress(lab.model, to);
    const vm = nic?.virtualMachine ? byId(lab.model.virtualMachines, nic.virtualMachine) : undefined;
    if (vm) {
      paths.push({
        hops: [...so, hop({ kind: 'vm', name: vm.name, address: to, ...(choice ? { choice } : {}) })],
        end: 'reached',
        detail: `${to} is ${vm.name}'s address in ${prefix}`,
      });
      return;
    }
    paths.push({ hops: so, end: 'vnet', detail: `${where} delivers into ${prefix}; no VM of the lab holds ${to}` });
  };

  /** Walks on from `at`, the hops so far in `hops`. */
  const walk = (at: Place, address: string, hops: TraceHop[], choice: TraceHop['choice']): void => {
    if (paths.length >= MAX_PATHS) return;
    const here = (route?: TraceHop['route']): TraceHop =>
      hop({ kind: at.kind, name: at.name, address, ...(route ? { route } : {}), ...(choice ? { choice } : {}) });
    if (hops.length >= maxHops) {
      paths.push({
        hops,
        end: 'ttl-exceeded',
        detail: `TTL exceeded: ${maxHops} hops and ${to} not reached (at ${at.name})`,
      });
      return;
    }
    if (hops.some((h) => h.name === at.name)) {
      paths.push({
        hops: [...hops, here()],
        end: 'loop',
        detail: `${at.name} is on the path already: a forwarding loop (the packet circles until its TTL runs out)`,
      });
      return;
    }
    const m = longestMatch(at.speaker, dst);
    if (!m) {
      paths.push({ hops: [...hops, here()], end: 'no-route', detail: `${at.name} has no route for ${to}` });
      return;
    }
    const prefix = formatPrefix(m.prefix);
    const top = m.ties[0]!;
    if (top.source.kind === 'local') {
      const route = { prefix, nextHop: '', asPath: '', via: 'its own' };
      if (at.kind === 'expressroute-gateway' || at.kind === 'vpn-gateway') {
        deliver([...hops, here(route)], at.name, prefix);
        return;
      }
      // The router originates a prefix holding `to`: it owns the address and answers for it.
      const end = here(route);
      paths.push({
        hops: [...hops, { ...end, reply: to }],
        end: 'reached',
        detail: `${to} is in ${at.name}'s own ${prefix}`,
      });
      return;
    }
    // One branch per distinct next hop, the BGP best first; a flow takes one by its hash.
    let nextHops = [...new Set(m.ties.map((p) => p.attrs.nextHop))];
    const tied = nextHops.length;
    let rankOf = (nh: string) => nextHops.indexOf(nh);
    if (flow && tied > 1) {
      const byAddress = [...nextHops].sort((a, b) => numeric(a) - numeric(b));
      const chosen = byAddress[flowHash(flow) % tied]!;
      const order = [...new Set(m.ties.map((p) => p.attrs.nextHop))];
      rankOf = (nh) => order.indexOf(nh);
      nextHops = [chosen];
    }
    for (const nh of nextHops) {
      const p = m.ties.find((x) => x.attrs.nextHop === nh)!;
      const route = {
        prefix,
        nextHop: nh,
        asPath: formatAsPathAzure(p.attrs.asPath).replace(/-/g, ' '),
        via: p.source.name,
      };
      const next: TraceHop['choice'] = tied > 1 ? { rank: rankOf(nh) === 0 ? 'best' : 'equal', of: tied } : undefined;
      handTo(nh, [...hops, here(route)], at.name, next, at.lab);
    }
  };

  const start = opts.source ? undefined : ix.place(from);
  if (start) {
    // A router stands for a host behind it (the seed's tracerts): hop 1 is the router itself.
    walk(start, ix.ownAddress(start), [], undefined);
    return { result: { from, to, paths } };
  }
  // A VM: its NIC's effective route (R-NIC-4), then the speaker its next hop belongs to.
  const vm = opts.source?.vm ?? lab.model.virtualMachines.find((v) => v.name.toLowerCase() === from.toLowerCase());
  if (!vm) {
    const known = [
      ...ix.places.filter((p) => p.kind === 'router').map((p) => p.name),
      ...lab.model.virtualMachines.map((v) => v.name),
    ];
    throw AzureErrors.speakerNotFound(from, known);
  }
  const nic = opts.source?.nic ?? byId(lab.model.networkInterfaces, vm.networkInterfaces[0]);
  if (!nic) throw AzureErrors.invalidParameter('from', `VM ${vm.name} has no network interface`);
  const self = primaryIpConfig(nic)?.privateIPAddress ?? '';
  // The sender is not a hop of its own traceroute: its line carries the route it sent by.
  const vmHop = (route?: TraceHop['route']): TraceHop => ({
    kind: 'vm',
    name: vm.name,
    address: self,
    reply: null,
    source: true,
    ...(route ? { route } : {}),
  });
  let rows: { prefix: string; type: string; source: string; nextHops: string[] } | undefined;
  let first: ForwardingDecision | undefined;
  if (flow) {
    // The one row this flow takes (the NIC's ECMP by the 5-tuple hash): what `arslab probe` follows.
    first = lab.forward(nic, flow);
    if (first.prefix && first.nextHopType && first.outcome !== 'no route') {
      const row = lab.effectiveRouteTable(nic).value.find((r) => r.addressPrefix[0] === first!.prefix);
      rows = {
        prefix: first.prefix,
        type: first.nextHopType,
        source: row?.source ?? '',
        nextHops: [first.nextHopIp && !isLocal(first.nextHopType) ? first.nextHopIp : ''],
      };
    }
  } else {
    // Every Active row of the longest prefix holding the destination: an ECMP route is one
    // row per next hop (R-ER-4: a circuit's two MSEEs), each a path.
    const target = v4Prefix(dst, 32);
    const matching = lab
      .effectiveRouteTable(nic)
      .details.filter((d) => !d.hidden && d.route.state === 'Active' && prefixContains(d.prefix, target));
    const len = Math.max(-1, ...matching.map((d) => d.prefix.len));
    const longest = matching.filter((d) => d.prefix.len === len);
    const row = longest[0];
    if (row && row.route.nextHopType !== 'None')
      rows = {
        prefix: formatPrefix(row.prefix),
        type: row.route.nextHopType,
        source: row.route.source,
        nextHops: [
          ...new Set(longest.flatMap((d) => (d.route.nextHopIpAddress.length ? [...d.route.nextHopIpAddress] : ['']))),
        ],
      };
  }
  if (!rows) {
    paths.push({
      hops: [vmHop()],
      end: 'no-route',
      detail: first?.reason ?? `${nic.name} has no route for ${to}`,
    });
    return { result: { from, to, paths }, ...(first ? { first } : {}) };
  }
  const { prefix, type, nextHops } = rows;
  nextHops.forEach((nh, i) => {
    const choice: TraceHop['choice'] =
      nextHops.length > 1 ? { rank: i === 0 ? 'best' : 'equal', of: nextHops.length } : undefined;
    const firstHop = vmHop({ prefix, nextHop: nh, asPath: '', via: `${type} (${rows!.source})` });
    if (isLocal(type)) {
      deliver([firstHop], nic.name, prefix);
      return;
    }
    if (!nh) {
      paths.push({
        hops: [firstHop],
        end: 'unresolved',
        detail: first?.reason ?? `${nic.name} sends ${prefix} to ${type}; no speaker of the lab beyond it`,
      });
      return;
    }
    handTo(nh, [firstHop], nic.name, choice);
  });
  return { result: { from, to, paths }, ...(first ? { first } : {}) };
}

const isLocal = (type: string) => type === 'VnetLocal' || type === 'VNetPeering' || type === 'VNetGlobalPeering';

/**
 * Traceroute's text: one block per path, one line per hop — its number, the address that
 * answers (`*` where the hop does not answer, ADR 0032), the hop's name and the route it
 * forwards by. A sending VM is no hop: its route is the block's first line.
 */
export function renderTrace(r: TraceResult): string {
  const out: string[] = [`traceroute to ${r.to} from ${r.from} (each hop by its own forwarding table)`];
  const all = r.paths.flatMap((p) => p.hops);
  const wName = Math.max(4, ...all.map((h) => h.name.length));
  const wAddr = Math.max(7, ...all.map((h) => (h.reply ?? '*').length));
  const routeText = (h: TraceHop) =>
    h.route
      ? h.route.nextHop
        ? `${h.route.prefix} via ${h.route.nextHop}${h.route.asPath ? ` (path ${h.route.asPath})` : ''}`
        : `${h.route.prefix} (${h.route.via})`
      : '';
  r.paths.forEach((p, i) => {
    if (r.paths.length > 1) out.push(`path ${i + 1} of ${r.paths.length}:`);
    let n = 0;
    for (const h of p.hops) {
      const choice = h.choice ? `  [${h.choice.rank === 'best' ? 'best' : 'equal'} of ${h.choice.of}]` : '';
      if (h.source) {
        out.push(`      from ${h.name} (${h.address})  ${routeText(h)}`.trimEnd());
        continue;
      }
      n++;
      out.push(
        `  ${String(n).padStart(2)}  ${(h.reply ?? '*').padEnd(wAddr)}  ${h.name.padEnd(wName)}  ${routeText(h)}${choice}`.trimEnd(),
      );
    }
    out.push(`      ${p.end}: ${p.detail}`);
  });
  return `${out.join('\n')}\n`;
}

/** Reads one daemon's best routes; undefined when it cannot be read (stopped, paused). */
async function readDaemon(s: LabSpeaker): Promise<readonly DaemonRoute[] | undefined> {
  if (s.owner.kind !== 'node') return undefined;
  try {
    return await s.owner.node.receivedRoutes();
  } catch {
    // Not readable now: the walk stops at it, as at any NVA.
    return undefined;
  }
}

/**
 * The best routes of every real daemon of the lab (their own `receivedRoutes`, best paths
 * marked), read once before a walk so that the walk itself stays synchronous. A daemon that
 * cannot be read (stopped, paused) is left out: the walk ends at it.
 */
export async function daemonTables(lab: Lab): Promise<Map<string, readonly DaemonRoute[]>> {
  const out = new Map<string, readonly DaemonRoute[]>();
  await Promise.all(
    lab.graph.speakers({ kind: 'daemon' }).map(async (s) => {
      const t = await readDaemon(s);
      if (t) out.set(s.name.toLowerCase(), t);
    }),
  );
  return out;
}

/** How long a cached daemon table may serve walks (DaemonTableCache). */
export interface DaemonCacheBounds {
  /** A table read less than this long after a change the lab saw is read again (the daemon may not have applied it yet). */
  readonly settleMs: number;
  /** Any table is read again once this old: changes the lab cannot see (a session between two daemons, vtysh). */
  readonly maxAgeMs: number;
}

export const DAEMON_CACHE_BOUNDS: DaemonCacheBounds = { settleMs: 250, maxAgeMs: 1000 };

interface CachedTable {
  readonly table: readonly DaemonRoute[] | undefined;
  /** What the lab saw of the daemon's sessions when the read started. */
  readonly seen: string;
  readonly readAt: number;
  /** When `seen` last changed before the read started. */
  readonly changedAt: number;
}

/**
 * The daemons' tables for a series of walks (one probe run): reading a daemon's table costs
 * a process and its parse (FRR's vtysh: 150–180 ms), too slow for a probe every 100 ms, so
 * each table is read once and kept while nothing the lab sees of that daemon changes — the
 * state and the message counts of every session between it and the lab (an UPDATE, a
 * withdrawal, a NOTIFICATION, a session cut or closed all show there). Bounds (ADR 0038):
 * after a change the lab sees, the first walk at least `settleMs` later uses a table read
 * after the daemon had that long to apply it (walks in between wait for a new read, so a
 * failover shows at once when the daemon is quick), and a walk never joins the lab's state
 * to a table read before the daemon's last message to the lab; a change the lab cannot see
 * shows within `maxAgeMs` and one read (an old table keeps serving while it is read again).
 * Concurrent walks share one read.
 */
export class DaemonTableCache {
  private readonly entries = new Map<string, CachedTable>();
  private readonly reading = new Map<string, { readonly seen: string; readonly entry: Promise<CachedTable> }>();
  /** The last `seen` of each daemon and when it changed to it. */
  private readonly lastSeen = new Map<string, { seen: string; at: number }>();
  /** Tables read (for benchmarks and tests). */
  reads = 0;

  constructor(
    private readonly lab: Lab,
    private readonly bounds: DaemonCacheBounds = DAEMON_CACHE_BOUNDS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** What the lab sees of a daemon now: its sessions' states and message counts at the lab's end. */
  private seenOf(s: LabSpeaker): string {
    return this.lab.graph
      .sidesOf(s)
      .map((x) => {
        const v = x.session.view(x.side === 0 ? 1 : 0);
        return `${x.session.name} ${x.session.state} ${v.messagesSent} ${v.messagesReceived}`;
      })
      .join('|');
  }

  async tables(): Promise<Map<string, readonly DaemonRoute[]>> {
    const out = new Map<string, readonly DaemonRoute[]>();
    await Promise.all(
      this.lab.graph.speakers({ kind: 'daemon' }).map(async (s) => {
        let e = await this.table(s);
        // The daemon told the lab something while its table was read (it had changed
        // already, or changed meanwhile): read it once more, so that the walk does not
        // join the lab's new state to the daemon's old table.
        if (this.seenOf(s) !== e.seen) e = await this.table(s);
        if (e.table) out.set(s.name.toLowerCase(), e.table);
      }),
    );
    return out;
  }

  private table(s: LabSpeaker): Promise<CachedTable> {
    const key = s.name.toLowerCase();
    const now = this.now();
    const seen = this.seenOf(s);
    const last = this.lastSeen.get(key);
    // The first look is no change: the daemon has had its sessions' messages since before.
    if (!last || last.seen !== seen) this.lastSeen.set(key, { seen, at: last ? now : -Infinity });
    const changedAt = this.lastSeen.get(key)!.at;
    const e = this.entries.get(key);
    const { settleMs, maxAgeMs } = this.bounds;
    if (e && e.seen === seen && e.readAt - e.changedAt >= settleMs) {
      // Nothing the lab sees changed: the table serves; once older than maxAgeMs it is read
      // again meanwhile (a change the lab cannot see shows within maxAgeMs and one read).
      if (now - e.readAt >= maxAgeMs && !this.reading.has(key)) void this.read(s, key, seen, now, changedAt);
      return Promise.resolve(e);
    }
    // A read already under way serves this walk when it started on what the lab sees now.
    const pending = this.reading.get(key);
    if (pending?.seen === seen) return pending.entry;
    return this.read(s, key, seen, now, changedAt);
  }

  private read(s: LabSpeaker, key: string, seen: string, now: number, changedAt: number): Promise<CachedTable> {
    const p = readDaemon(s).then((table) => {
      const entry: CachedTable = { table, seen, readAt: now, changedAt };
      if (!this.entries.has(key) || this.entries.get(key)!.readAt <= now) this.entries.set(key, entry);
      if (this.reading.get(key)?.entry === p) this.reading.delete(key);
      return entry;
    });
    this.reads++;
    this.reading.set(key, { seen, entry: p });
    return p;
  }
}
