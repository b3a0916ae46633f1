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
import { AzureErrors, byId, primaryIpConfig } from '../azure/index.js';
import { compare, formatAsPathAzure, rank, selectBest, type Path, type Speaker } from '../rib/index.js';
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
}

export type TraceEnd = 'reached' | 'vnet' | 'nva' | 'no-route' | 'loop' | 'unresolved';

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

/** At most this many paths (branches at tied next hops) and hops per path. */
const MAX_PATHS = 8;
const MAX_HOPS = 16;

interface Place {
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
      const p: Place = { speaker: s.rib, kind: s.kind as TraceHopKind, name: s.name };
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

/**
 * Follows best next hops from `from` (a built-in router, a VM, or any speaker of the lab:
 * "ergw/0", "er-circuit-site1/primary") toward the address `to`.
 * @rule R-ER-3 R-ER-4 R-ER-5 R-NIC-4
 */
export function traceRoute(lab: Lab, from: string, to: string): TraceResult {
  const dst = parseIpv4(to.trim());
  if (dst === undefined) throw AzureErrors.invalidParameter('to', `'${to}' is not an IPv4 address`);
  const ix = new Addresses(lab);
  const paths: TracePath[] = [];

  /** Walks on from `at`, the hops so far in `hops`. */
  const walk = (at: Place, address: string, hops: TraceHop[], choice: TraceHop['choice']): void => {
    if (paths.length >= MAX_PATHS) return;
    const seen = hops.some((h) => h.name === at.name);
    const m = seen || hops.length >= MAX_HOPS ? undefined : longestMatch(at.speaker, dst);
    const here = (route?: TraceHop['route']): TraceHop => ({
      kind: at.kind,
      name: at.name,
      address,
      ...(route ? { route } : {}),
      ...(choice ? { choice } : {}),
    });
    if (seen || hops.length >= MAX_HOPS) {
      paths.push({
        hops: [...hops, here()],
        end: 'loop',
        detail: `${at.name} is on the path already: a forwarding loop`,
      });
      return;
    }
    if (!m) {
      paths.push({ hops: [...hops, here()], end: 'no-route', detail: `${at.name} has no route for ${to}` });
      return;
    }
    const prefix = formatPrefix(m.prefix);
    const top = m.ties[0]!;
    if (top.source.kind === 'local') {
      const route = { prefix, nextHop: '', asPath: '', via: 'its own' };
      if (at.kind === 'expressroute-gateway' || at.kind === 'vpn-gateway') {
        paths.push({
          hops: [...hops, here(route)],
          end: 'vnet',
          detail: `${at.name} delivers into its VNet (${prefix})`,
        });
      } else
        paths.push({ hops: [...hops, here(route)], end: 'reached', detail: `${to} is in ${at.name}'s own ${prefix}` });
      return;
    }
    // One branch per distinct next hop, the BGP best first.
    const nextHops = [...new Set(m.ties.map((p) => p.attrs.nextHop))];
    nextHops.forEach((nh, i) => {
      const p = m.ties.find((x) => x.attrs.nextHop === nh)!;
      const route = {
        prefix,
        nextHop: nh,
        asPath: formatAsPathAzure(p.attrs.asPath).replace(/-/g, ' '),
        via: p.source.name,
      };
      const so = [...hops, here(route)];
      const next: TraceHop['choice'] =
        nextHops.length > 1 ? { rank: i === 0 ? 'best' : 'equal', of: nextHops.length } : undefined;
      const nva = ix.nva(nh);
      if (nva) {
        paths.push({
          hops: [...so, { kind: 'nva', name: nva, address: nh, ...(next ? { choice: next } : {}) }],
          end: 'nva',
          detail: `the NVA ${nva} (${nh}) forwards by its own table`,
        });
        return;
      }
      const target = ix.at(nh);
      if (!target) {
        paths.push({ hops: so, end: 'unresolved', detail: `next hop ${nh} of ${at.name} is no speaker of the lab` });
        return;
      }
      walk(target, nh, so, next);
    });
  };

  const start = ix.place(from);
  if (start) {
    walk(start, ix.ownAddress(start), [], undefined);
    return { from, to, paths };
  }
  // A VM: its NIC's effective route (R-NIC-4), then the speaker its next hop belongs to.
  const vm = lab.model.virtualMachines.find((v) => v.name.toLowerCase() === from.toLowerCase());
  if (!vm) {
    const known = [
      ...ix.places.filter((p) => p.kind === 'router').map((p) => p.name),
      ...lab.model.virtualMachines.map((v) => v.name),
    ];
    throw AzureErrors.speakerNotFound(from, known);
  }
  const nic = byId(lab.model.networkInterfaces, vm.networkInterfaces[0]);
  if (!nic) throw AzureErrors.invalidParameter('from', `VM ${vm.name} has no network interface`);
  const self = primaryIpConfig(nic)?.privateIPAddress ?? '';
  const target = v4Prefix(dst, 32);
  const row = lab
    .effectiveRouteTable(nic)
    .details.filter((d) => !d.hidden && d.route.state === 'Active' && prefixContains(d.prefix, target))
    .sort((a, b) => b.prefix.len - a.prefix.len)[0];
  const vmHop = (route?: TraceHop['route']): TraceHop => ({
    kind: 'vm',
    name: vm.name,
    address: self,
    ...(route ? { route } : {}),
  });
  if (!row) {
    paths.push({ hops: [vmHop()], end: 'no-route', detail: `${nic.name} has no route for ${to}` });
    return { from, to, paths };
  }
  const prefix = formatPrefix(row.prefix);
  const type = row.route.nextHopType;
  const hops = row.route.nextHopIpAddress.length ? row.route.nextHopIpAddress : [''];
  hops.forEach((nh, i) => {
    const choice: TraceHop['choice'] =
      hops.length > 1 ? { rank: i === 0 ? 'best' : 'equal', of: hops.length } : undefined;
    const first = vmHop({ prefix, nextHop: nh, asPath: '', via: `${type} (${row.route.source})` });
    if (type === 'VnetLocal' || type === 'VNetPeering' || type === 'VNetGlobalPeering') {
      paths.push({
        hops: [first],
        end: 'vnet',
        detail: `${to} is in ${prefix}, reached within Azure's fabric (${type})`,
      });
      return;
    }
    const nva = ix.nva(nh);
    if (nva) {
      paths.push({
        hops: [first, { kind: 'nva', name: nva, address: nh, ...(choice ? { choice } : {}) }],
        end: 'nva',
        detail: `the NVA ${nva} (${nh}) forwards by its own table`,
      });
      return;
    }
    // ExpressRoute routes point at a circuit's MSEE-side addresses (R-ER-4): primary, secondary.
    const place = ix.of(mseeOfNextHop(lab, nh)) ?? ix.at(nh);
    if (!place) {
      paths.push({
        hops: [first],
        end: 'unresolved',
        detail: `${nic.name} sends ${prefix} to ${type}${nh ? ` ${nh}` : ''}; no speaker of the lab beyond it`,
      });
      return;
    }
    walk(place, nh, [first], choice);
  });
  return { from, to, paths };
}

/** Traceroute-like text: one block per path, one line per hop. */
export function renderTrace(r: TraceResult): string {
  const out: string[] = [`trace from ${r.from} to ${r.to} (best routes, speaker by speaker)`];
  const wName = Math.max(4, ...r.paths.flatMap((p) => p.hops.map((h) => h.name.length)));
  const wAddr = Math.max(7, ...r.paths.flatMap((p) => p.hops.map((h) => h.address.length)));
  r.paths.forEach((p, i) => {
    if (r.paths.length > 1) out.push(`path ${i + 1} of ${r.paths.length}:`);
    p.hops.forEach((h, n) => {
      const route = h.route
        ? h.route.nextHop
          ? `${h.route.prefix} via ${h.route.nextHop}${h.route.asPath ? ` (path ${h.route.asPath})` : ''}`
          : `${h.route.prefix} (${h.route.via})`
        : '';
      const choice = h.choice ? `  [${h.choice.rank === 'best' ? 'best' : 'equal'} of ${h.choice.of}]` : '';
      out.push(
        `  ${String(n + 1).padStart(2)}  ${h.address.padEnd(wAddr)}  ${h.name.padEnd(wName)}  ${route}${choice}`.trimEnd(),
      );
    });
    out.push(`      ${p.end}: ${p.detail}`);
  });
  return `${out.join('\n')}\n`;
}
