/**
 * @module lab/explain
 * `arslab explain`: why a NIC has (or lacks) a route for a prefix, and why a prefix is (or
 * is not) advertised to a peer — a trace through the lab's speakers. Each table read is a
 * speaker's own (candidates ranked, rejected paths kept with their Rejection); the lines
 * and the rule table are src/azure/explain.ts. Nothing here changes the lab.
 *
 * - NIC: the effective-route rows covering the target (longest match first), then the
 *   speakers of the NIC's hub — route-server instances, ExpressRoute and VPN gateway
 *   instances — each with every candidate, and for the best one the speaker it came from
 *   (gateway → MSEE → on-premises router), each speaker shown once.
 * - Peer: for every session of the Azure side with that peer (a route-server peering, a
 *   gateway's neighbour, a built-in on-premises router), whether the prefix is advertised
 *   to it and why not, and what was received from it; where the advertising speaker has no
 *   route, which of its neighbours has one and why it was not passed on.
 */
import { formatPrefix, parseIpv4, parsePrefix, prefixEquals, v4Prefix, type Prefix } from '../bgp/wire/index.js';
import {
  AzureErrors,
  findSubnet,
  gatewaysOfVnet,
  getNetworkInterface,
  getRouteServer,
  hubOf,
  isMseeTransit,
  primaryIpConfig,
  routeServerOfVnet,
  sameName,
  type GatewayRoute,
} from '../azure/index.js';
import {
  candidateLines,
  describeAttrs,
  describeRoute,
  infoLine,
  isRejection,
  lossLine,
  nicRowLines,
  routeInfo,
  ruleFor,
  ruleOfRejection,
  type ExplainLine,
  type ExplainQuery,
  type ExplainResult,
  type ExplainSection,
  type ExplainTarget,
  type SpeakerKind,
} from '../azure/explain.js';
import { rank, selectBest, type Path, type RouteSource, type Speaker } from '../rib/index.js';
import type { CircuitRuntime, GatewayRuntime, HybridRuntime, RouterRuntime } from './hybrid.js';
import type { Lab } from './lab.js';
import type { RouteServerRuntime } from './routeServer.js';

/** How far a trace follows best paths back toward where they came from. */
const MAX_DEPTH = 4;

/** The lab graph's speaker kinds explain walks. */
const EXPLAINED = ['route-server', 'expressroute-gateway', 'vpn-gateway', 'msee', 'router'] as const;

// ---------------------------------------------------------------------------
// The lab's speakers and the sessions between them

interface SpeakerRef {
  readonly speaker: Speaker;
  readonly kind: SpeakerKind;
  /** "route server hub1rs RouteServiceRole_IN_0 (10.1.0.4)" */
  readonly title: string;
  /** "route-server instance hub1rs/IN_0": where a route was dropped. */
  readonly at: string;
  /** Short name: "hub1rs/IN_0", "er1/0", "c1/primary", "onprem1". */
  readonly short: string;
  /** Lower-case names a user may give for it (resource, instance, address). */
  readonly aliases: readonly string[];
  readonly rs?: RouteServerRuntime;
  readonly gateway?: GatewayRuntime;
  readonly circuit?: CircuitRuntime;
  readonly router?: RouterRuntime;
}

/** One end of a session: `from`'s view of its neighbour. */
interface Link {
  readonly from: SpeakerRef;
  readonly neighborId: number;
  /** How `from` sees the neighbour (its paths carry this source). */
  readonly source: RouteSource;
  /** The neighbour, when it is one of the lab's own speakers. */
  readonly to?: SpeakerRef;
  /** The neighbour, when it is an NVA on a route-server peering. */
  readonly nva?: {
    readonly peering: string;
    readonly peerIp: string;
    readonly peerAsn: number;
    readonly node?: string;
  };
  readonly state: () => string;
  /** A route-server ↔ gateway session (R-ARS-11). */
  readonly branchToBranch: boolean;
  /** The route server of a branch-to-branch session. */
  readonly rs?: RouteServerRuntime;
}

class LabIndex {
  readonly refs: SpeakerRef[] = [];
  readonly links: Link[] = [];
  private readonly bySpeaker = new Map<Speaker, SpeakerRef>();

  constructor(readonly lab: Lab) {
    // The lab graph's speakers that explain walks (Azure's and the built-in routers), in the
    // graph's order: route-server instances, gateway instances, MSEEs, routers.
    for (const s of lab.graph.speakers({ kind: EXPLAINED })) {
      if (!s.rib) continue;
      const o = s.owner;
      this.add({
        speaker: s.rib,
        kind: s.kind as SpeakerKind,
        title: s.title,
        at: s.at,
        short: s.name,
        aliases: s.aliases,
        ...(o.kind === 'route-server' ? { rs: o.runtime } : {}),
        ...(o.kind === 'gateway' ? { gateway: o.runtime } : {}),
        ...(o.kind === 'circuit' ? { circuit: o.runtime } : {}),
        ...(o.kind === 'router' ? { router: o.runtime } : {}),
      });
    }
    // Each session from each end that is one of those speakers: toward another of them, or
    // toward an NVA on a route-server peering (outside them: a daemon, a scripted speaker).
    for (const s of lab.graph.sessions()) {
      const refs = s.ends.map((e) => (e.speaker?.rib ? this.ref(e.speaker.rib) : undefined));
      const rsEnd = refs.find((r) => r?.kind === 'route-server');
      const gwEnd = refs.some((r) => r?.kind === 'expressroute-gateway' || r?.kind === 'vpn-gateway');
      const b2b = !!rsEnd && gwEnd && refs.every(Boolean);
      const state = () => s.state;
      for (const side of [0, 1] as const) {
        const from = refs[side];
        const here = s.ends[side];
        if (!from || !here.source) continue;
        const to = refs[side === 0 ? 1 : 0];
        const there = s.ends[side === 0 ? 1 : 0];
        this.links.push({
          from,
          neighborId: here.source.id,
          source: here.source,
          ...(to
            ? { to }
            : {
                nva: {
                  peering: there.name,
                  peerIp: there.address,
                  peerAsn: there.asn,
                  ...(there.speaker ? { node: there.speaker.name } : {}),
                },
              }),
          state,
          branchToBranch: b2b,
          ...(b2b && rsEnd?.rs ? { rs: rsEnd.rs } : {}),
        });
      }
    }
  }

  private add(r: SpeakerRef): void {
    this.refs.push(r);
    this.bySpeaker.set(r.speaker, r);
  }

  ref(sp: Speaker): SpeakerRef | undefined {
    return this.bySpeaker.get(sp);
  }

  linksFrom(r: SpeakerRef): Link[] {
    return this.links.filter((l) => l.from === r);
  }

  /** The link of `from` over which a path from `sourceId` arrived. */
  linkOf(from: SpeakerRef, sourceId: number): Link | undefined {
    return this.links.find((l) => l.from === from && l.neighborId === sourceId);
  }

  /** `from`'s link to `to`. */
  linkTo(from: SpeakerRef, to: SpeakerRef): Link | undefined {
    return this.links.find((l) => l.from === from && l.to === to);
  }
}

function peerName(l: Link): string {
  if (l.to) return l.to.short;
  if (l.nva) return `peering ${l.nva.peering} (${l.nva.peerIp})`;
  return `${l.source.name} (${l.source.address})`;
}

// ---------------------------------------------------------------------------
// Targets

/** A prefix ("1.2.3.0/24"), or an address ("1.2.3.4": a /32 resolved by longest match). */
export function parseTarget(text: string): ExplainTarget {
  const t = text.trim();
  if (t.includes('/')) {
    const p = parsePrefix(t, true);
    if (!p) throw AzureErrors.invalidParameter('prefix', `'${text}' is not a prefix (a.b.c.d/len) or an IPv4 address`);
    return { prefix: p, address: false };
  }
  const a = parseIpv4(t);
  if (a === undefined)
    throw AzureErrors.invalidParameter('prefix', `'${text}' is not a prefix (a.b.c.d/len) or an IPv4 address`);
  return { prefix: v4Prefix(a, 32), address: true };
}

/** The prefix a speaker holds for the target: the prefix itself, or its longest match for an address. */
function lookup(sp: Speaker, t: ExplainTarget): Prefix | undefined {
  if (!t.address) return sp.candidates(t.prefix).length ? t.prefix : undefined;
  if (t.prefix.afi !== 1) return undefined;
  for (let len = 32; len >= 0; len--) {
    const p = v4Prefix(t.prefix.addr, len);
    if (sp.candidates(p).length) return p;
  }
  return undefined;
}

/** The longest prefix covering `p` (shorter than it) for which `sp` has a best path. */
function covering(sp: Speaker, p: Prefix): { prefix: Prefix; best: Path } | undefined {
  if (p.afi !== 1) return undefined;
  for (let len = p.len - 1; len >= 0; len--) {
    const q = v4Prefix(p.addr, len);
    const best = selectBest(rank(sp.candidates(q), sp.bestPathConfig), sp.bestPathConfig)[0];
    if (best) return { prefix: q, best };
  }
  return undefined;
}

const exact = (p: Prefix): ExplainTarget => ({ prefix: p, address: false });

// ---------------------------------------------------------------------------
// One speaker's view of a prefix

interface Trace {
  readonly ix: LabIndex;
  /** Speakers already shown (each once per explanation). */
  readonly shown: Set<Speaker>;
}

function section(title: string, extra: Partial<ExplainSection> = {}): ExplainSection {
  return { title, lines: [], children: [], ...extra };
}

function candidateLinesAt(r: SpeakerRef, prefix: Prefix): ExplainLine[] {
  const pref = r.rs?.resource.hubRoutingPreference;
  return candidateLines(r.kind, prefix, r.speaker.candidates(prefix), r.speaker.bestPathConfig, {
    at: r.at,
    localName: r.short,
    ...(r.kind === 'route-server' && pref ? { preferenceGloss: `hubRoutingPreference ${pref}` } : {}),
    // R-VPN-3: at a gateway the class says where the copy came from.
    ...(r.kind === 'expressroute-gateway' || r.kind === 'vpn-gateway'
      ? { preferenceGloss: "the route server's copy before the other gateway's direct iBGP copy" }
      : {}),
  });
}

/**
 * A speaker's candidates for the target, what it does with the best one (programming
 * notes), and — following the best path — the speaker it came from; where it has no route,
 * why its neighbours did not pass one on.
 */
function speakerSection(tr: Trace, r: SpeakerRef, target: ExplainTarget, depth: number): ExplainSection {
  tr.shown.add(r.speaker);
  const prefix = lookup(r.speaker, target);
  const s = section(`${r.title}: ${prefix ? formatPrefix(prefix) : formatPrefix(target.prefix)}`, {
    at: { kind: r.kind, name: r.short },
    prefix: formatPrefix(prefix ?? target.prefix),
  });
  if (!prefix) {
    s.lines.push(
      infoLine(`no route for ${formatPrefix(target.prefix)}${target.address ? ' (nor any prefix covering it)' : ''}`),
    );
    whyAbsent(tr, r, target.prefix, s);
    return s;
  }
  s.lines.push(...candidateLinesAt(r, prefix));
  const best = selectBest(rank(r.speaker.candidates(prefix), r.speaker.bestPathConfig), r.speaker.bestPathConfig);
  s.lines.push(...programmingNotes(tr, r, prefix, best));
  const top = best[0];
  if (!top) {
    whyAbsent(tr, r, prefix, s);
    return s;
  }
  if (top.source.kind === 'local') return s;
  const link = tr.ix.linkOf(r, top.source.id);
  if (link?.nva) {
    const n = link.nva;
    s.lines.push(
      infoLine(
        `best path from NVA peering ${n.peering} (${n.peerIp}, AS ${n.peerAsn}${n.node ? `, lab node ${n.node}` : ''}): as the NVA advertised it`,
      ),
    );
  } else if (link?.to) {
    if (tr.shown.has(link.to.speaker))
      s.lines.push(infoLine(`best path from ${link.to.short}: see ${link.to.title} above`));
    else if (depth + 1 < MAX_DEPTH) s.children.push(speakerSection(tr, link.to, exact(prefix), depth + 1));
  }
  return s;
}

/** What a speaker does with its best path for NICs: route server (R-ARS-8), ER gateway (R-ER-4), VPN gateway (R-VPN-1). */
function programmingNotes(tr: Trace, r: SpeakerRef, prefix: Prefix, best: readonly Path[]): ExplainLine[] {
  const top = best[0];
  if (!top) return [];
  // R-VPN-2: with the hub's iBGP mesh broken by GatewaySubnet's route table, nothing of this speaker reaches NICs.
  const hubId = r.rs?.resource.virtualNetwork ?? r.gateway?.resource.virtualNetwork;
  const meshDown = hubId ? (tr.ix.lab.hybrid?.meshDown(hubId) ?? []) : [];
  if (meshDown.length > 0 && top.source.kind !== 'local')
    return [
      lossLine(
        'dropped',
        'not programmed into NICs',
        `the gateways' iBGP mesh is down: ${meshDown[0]!.broken.reason}`,
        ruleFor('rejected:R-VPN-2', r.kind),
      ),
    ];
  const out: ExplainLine[] = [];
  if (r.kind === 'route-server') {
    if (top.source.kind === 'local')
      out.push(infoLine('its own VNet range: a system route in NICs, not programmed', ruleFor('rejected:R-ARS-8')));
    else if (top.source.kind === 'ibgp') {
      // A VPN gateway programs toward its instances (R-VPN-1), an ER gateway toward the MSEEs (R-ER-4).
      const rule =
        top.source.role === 'vpn-gateway' ? ruleFor('rejected:R-VPN-1', r.kind) : ruleFor('gateway-programs', r.kind);
      out.push(
        infoLine(`best path is ${top.source.name}'s: that gateway programs it into NICs, not the route server`, rule),
      );
    } else
      out.push(
        infoLine(
          `programmed into NICs toward ${[...new Set(best.map((p) => p.attrs.nextHop))].join(', ')}`,
          ruleFor('rejected:R-ARS-8'),
        ),
      );
    return out;
  }
  const h = tr.ix.lab.hybrid;
  if (!h || !r.gateway) return out;
  const gw = r.gateway;
  if (gw.isExpressRoute) {
    const msee = best.filter((p) => p.source.role === 'msee');
    if (msee.length === 0) {
      out.push(infoLine('best path is not from an MSEE: the ExpressRoute gateway does not program it'));
      return out;
    }
    const programmed = h.expressRouteRoutes(gw).find((x) => prefixEquals(x.prefix, prefix));
    if (!programmed) {
      if (isMseeTransit(prefix))
        out.push(
          lossLine(
            'dropped',
            'not programmed into NICs',
            'MSEE link subnet (169.254.0.0/16)',
            ruleFor('rejected:R-ER-4', r.kind),
          ),
        );
      return out;
    }
    out.push(
      infoLine(
        `programmed into NICs toward ${programmed.nextHops.join(', ')} (the circuit's MSEE-side addresses)`,
        ruleFor('rejected:R-ER-4', r.kind),
      ),
    );
    for (const nh of collapsedNextHops(h, programmed)) {
      out.push(
        lossLine(
          'dropped',
          `next hop ${nh}`,
          'not programmed: beside a route server, ExpressRoute ECMP collapses to one next hop',
          ruleFor('ecmp-collapse', r.kind),
        ),
      );
    }
    return out;
  }
  const programmed = h.vpnRoutes(gw).find((x) => prefixEquals(x.prefix, prefix));
  if (programmed)
    out.push(
      infoLine(`programmed into NICs toward ${programmed.nextHops.join(', ')}`, ruleFor('rejected:R-VPN-1', r.kind)),
    );
  else out.push(infoLine('best path is not from a tunnel: the VPN gateway does not program it'));
  return out;
}

/** The MSEE-side addresses of the circuits behind a programmed ER route that were not kept (R-ER-4). */
function collapsedNextHops(h: HybridRuntime, r: GatewayRoute): string[] {
  const all: string[] = [];
  for (const p of r.paths) for (const nh of h.mseeAddressesOf(p)) if (!all.includes(nh)) all.push(nh);
  return all.filter((nh) => !r.nextHops.includes(nh));
}

/**
 * `r` has no usable route for `prefix`: which neighbours hold one, and why each did not pass
 * it on (its export decision toward `r`, or the session).
 */
function whyAbsent(tr: Trace, r: SpeakerRef, prefix: Prefix, into: ExplainSection): void {
  let said = false;
  const silentPeerings: string[] = [];
  // Neighbours whose paths `r` holds (dropped) are shown with them already.
  const held = new Set(r.speaker.candidates(prefix).map((p) => p.source.id));
  for (const l of tr.ix.linksFrom(r)) {
    if (held.has(l.neighborId)) continue;
    if (l.nva) {
      silentPeerings.push(l.nva.peering);
      continue;
    }
    const other = l.to;
    if (!other) continue;
    const cands = other.speaker.candidates(prefix);
    if (cands.length === 0) continue;
    const cfg = other.speaker.bestPathConfig;
    const best = selectBest(rank(cands, cfg), cfg);
    said = true;
    if (best.length === 0) {
      into.lines.push(infoLine(`${other.short} holds ${formatPrefix(prefix)} only as dropped routes`));
      if (!tr.shown.has(other.speaker)) {
        tr.shown.add(other.speaker);
        into.children.push(
          section(`${other.title}: ${formatPrefix(prefix)}`, {
            at: { kind: other.kind, name: other.short },
            prefix: formatPrefix(prefix),
            lines: candidateLinesAt(other, prefix),
          }),
        );
      }
      continue;
    }
    const back = tr.ix.linkTo(other, r);
    if (!back) continue;
    into.lines.push(exportLine(tr, back, prefix, `${other.short} → ${r.short}`));
  }
  if (silentPeerings.length)
    into.lines.push(
      infoLine(`not received from peering${silentPeerings.length > 1 ? 's' : ''} ${silentPeerings.join(', ')}`),
    );
  else if (!said && held.size === 0)
    into.lines.push(infoLine(`no neighbour of ${r.short} holds ${formatPrefix(prefix)}`));
}

/** Whether `l.from` advertises `prefix` to its neighbour, and why not. */
function exportLine(_tr: Trace, l: Link, prefix: Prefix, subject: string): ExplainLine {
  const r = l.from;
  const cfg = r.speaker.bestPathConfig;
  const ranked = rank(r.speaker.candidates(prefix), cfg);
  const best = selectBest(ranked, cfg);
  const to = peerName(l);
  if (best.length === 0) {
    const dropped = ranked.find((p) => p.rejected);
    if (dropped?.rejected)
      return lossLine(
        'withheld',
        subject,
        `not advertised to ${to}: ${r.short} holds it only as dropped routes (${dropped.rejected.reason})`,
        ruleOfRejection(dropped.rejected, r.kind),
      );
    return lossLine(
      'withheld',
      subject,
      `not advertised to ${to}: ${r.short} has no route for ${formatPrefix(prefix)}`,
      ruleFor('no-route', r.kind),
    );
  }
  const d = r.speaker.explainExport(l.neighborId, prefix);
  if (d === undefined)
    return lossLine(
      'withheld',
      subject,
      `not advertised to ${to}: its best path came from ${to}`,
      ruleFor('split-horizon', r.kind),
    );
  if (isRejection(d))
    return lossLine('withheld', subject, `not advertised to ${to}: ${d.reason}`, ruleOfRejection(d, r.kind));
  const state = l.state();
  if (state !== 'Established') {
    if (l.branchToBranch && l.rs && !l.rs.resource.allowBranchToBranchTraffic) {
      return lossLine(
        'withheld',
        subject,
        `not advertised to ${to}: the session is closed, allowBranchToBranchTraffic is off on ${l.rs.resource.name}`,
        ruleFor('branch-to-branch-off', r.kind),
      );
    }
    return lossLine(
      'withheld',
      subject,
      `not advertised to ${to}: the session is ${state}`,
      ruleFor('session-down', r.kind),
    );
  }
  const sent = [...r.speaker.adjRibOut(l.neighborId)].some((e) => prefixEquals(e.prefix, prefix));
  return {
    status: 'advertised',
    text: `${subject || `to ${to}`}: ${describeAttrs(d)}${sent ? '' : ' (not yet delivered)'}`,
  };
}

// ---------------------------------------------------------------------------
// NIC

/**
 * @rule R-NIC-4 R-ARS-7 R-ARS-8 R-ER-4
 */
export function explainNic(lab: Lab, resourceGroup: string, nicName: string, targetText: string): ExplainResult {
  const m = lab.model;
  const nic = getNetworkInterface(m, resourceGroup, nicName);
  const target = parseTarget(targetText);
  const ix = new LabIndex(lab);
  const tr: Trace = { ix, shown: new Set() };
  const rows = nicRowLines(lab.effectiveRoutes(nic).details, target);
  const ipc = primaryIpConfig(nic);
  const where = ipc ? findSubnet(m, ipc.subnet) : undefined;
  const tp = formatPrefix(target.prefix);
  const winner = rows.winners[0];
  const shown = target.address && winner ? formatPrefix(winner.prefix) : tp;
  const query: ExplainQuery = { kind: 'nic', target: targetText, nic: nic.name, resourceGroup };
  const asked = target.address ? tp.replace(/\/(32|128)$/, '') : tp;
  const nicSection = section(
    `effective routes of ${nic.name}${where ? ` (${where.vnet.name}/${where.subnet.name})` : ''} covering ${asked}`,
    {
      at: { kind: 'nic', name: nic.name, ...(ipc ? { address: ipc.privateIPAddress } : {}) },
      prefix: shown,
      lines: rows.lines,
    },
  );
  if (rows.lines.length === 0) nicSection.lines.push(infoLine('no row covers it'));
  const sections: ExplainSection[] = [nicSection];
  const hub = where ? hubOf(m, where.vnet) : undefined;
  if (where && !hub) {
    nicSection.lines.push(
      infoLine(
        `${where.vnet.name} has no route server or gateway, and no peering using a hub's remote gateways: no gateway routes`,
        ruleFor('rejected:R-ARS-8'),
      ),
    );
  }
  if (where && hub) {
    if (hub.id !== where.vnet.id)
      nicSection.lines.push(
        infoLine(
          `gateway routes come from hub ${hub.name} (peering with useRemoteGateways)`,
          ruleFor('rejected:R-ARS-8'),
        ),
      );
    // R-VPN-2: GatewaySubnet's route table broke the gateways' iBGP mesh: nothing from the gateways.
    const meshDown = lab.hybrid?.meshDown(hub.id) ?? [];
    if (meshDown.length > 0) {
      nicSection.lines.push(
        infoLine(
          `the gateways' iBGP mesh of ${hub.name} is down (${meshDown.map((d) => d.label).join(', ')}): ${meshDown[0]!.broken.reason}; every gateway and route-server route of ${hub.name} is withdrawn from NICs`,
          ruleFor('rejected:R-VPN-2'),
        ),
      );
    }
    const rs = routeServerOfVnet(m, hub);
    const rsRefs = ix.refs.filter((r) => r.rs && rs && r.rs.resource.id.toLowerCase() === rs.id.toLowerCase());
    const gws = gatewaysOfVnet(m, hub).map((g) => g.id.toLowerCase());
    const gwRefs = ix.refs.filter((r) => r.gateway && gws.includes(r.gateway.resource.id.toLowerCase()));
    const erRefs = gwRefs.filter((r) => r.kind === 'expressroute-gateway');
    const vpnRefs = gwRefs.filter((r) => r.kind === 'vpn-gateway');
    // The origins of the rows covering the target, winner first, then the rest of the hub.
    const origins: string[] = [];
    for (const o of [
      ...rows.winners.map((w) => w.origin),
      ...rows.covering.map((d) => d.origin),
      'route-server',
      'expressroute',
      'vpn',
    ]) {
      if (o && !origins.includes(o)) origins.push(o);
    }
    const start = (o: string) => (o === 'route-server' ? rsRefs : o === 'expressroute' ? erRefs : vpnRefs);
    for (const o of origins) {
      for (const r of start(o)) if (!tr.shown.has(r.speaker)) sections.push(speakerSection(tr, r, target, 0));
    }
    if (rsRefs.length + gwRefs.length === 0)
      nicSection.lines.push(infoLine(`hub ${hub.name} runs no speaker in this lab`));
  }
  const summary = [
    winner
      ? `${target.address ? `${asked} matches ${formatPrefix(winner.prefix)} (longest match); ` : ''}${nic.name} sends ${shown} to ${winner.route.nextHopType}${winner.route.nextHopIpAddress.length ? ` ${rows.winners.flatMap((w) => w.route.nextHopIpAddress).join(', ')}` : ''}${winner.origin ? ` (programmed by the ${winner.origin === 'route-server' ? 'route server' : winner.origin === 'expressroute' ? 'ExpressRoute gateway' : 'VPN gateway'})` : ` (${winner.route.source})`}`
      : `${nic.name} has no route for ${tp}`,
  ];
  return { query, prefix: shown, summary, sections };
}

// ---------------------------------------------------------------------------
// Peer

export interface PeerQuery {
  /** A peering name or IP, a gateway / route server / circuit / router name, an instance address. */
  readonly peer: string;
  readonly routeServer?: string;
  readonly resourceGroup?: string;
  readonly gateway?: string;
}

function matchesPeer(l: Link, peer: string): boolean {
  const p = peer.toLowerCase();
  if (l.source.name.toLowerCase() === p || l.source.address === peer) return true;
  if (l.source.name.toLowerCase().startsWith(`${p}/`)) return true;
  if (l.to?.aliases.includes(p)) return true;
  if (l.nva && (l.nva.peering.toLowerCase() === p || l.nva.peerIp === peer || l.nva.node?.toLowerCase() === p))
    return true;
  return false;
}

/**
 * @rule R-ARS-6 R-ARS-9 R-ARS-11 R-ER-5
 */
export function explainPeer(lab: Lab, q: PeerQuery, targetText: string): ExplainResult {
  const m = lab.model;
  const target = parseTarget(targetText);
  const ix = new LabIndex(lab);
  const tr: Trace = { ix, shown: new Set() };
  let scope: (r: SpeakerRef) => boolean = (r) => r.kind !== 'router';
  if (q.routeServer) {
    const rs = q.resourceGroup
      ? getRouteServer(m, q.resourceGroup, q.routeServer)
      : m.routeServers.find((x) => sameName(x.name, q.routeServer!));
    if (!rs) throw AzureErrors.invalidParameter('routeserver', `no route server named '${q.routeServer}'`);
    scope = (r) => !!r.rs && r.rs.resource.id.toLowerCase() === rs.id.toLowerCase();
  } else if (q.gateway) {
    const g = m.virtualNetworkGateways.find(
      (x) => sameName(x.name, q.gateway!) && (!q.resourceGroup || sameName(x.resourceGroup, q.resourceGroup)),
    );
    if (!g) throw AzureErrors.invalidParameter('gateway', `no virtual network gateway named '${q.gateway}'`);
    scope = (r) => !!r.gateway && r.gateway.resource.id.toLowerCase() === g.id.toLowerCase();
  }
  const links = ix.links.filter((l) => scope(l.from) && matchesPeer(l, q.peer));
  if (links.length === 0) {
    const known = [...new Set(ix.links.filter((l) => scope(l.from)).map(peerName))].sort();
    throw AzureErrors.peerNotFound(
      q.peer,
      q.routeServer ? ` at route server ${q.routeServer}` : q.gateway ? ` at gateway ${q.gateway}` : '',
      known,
    );
  }
  const sections: ExplainSection[] = [];
  let advertised = 0;
  let received = 0;
  const firstWithheld: ExplainLine[] = [];
  for (const l of links) {
    const prefix = lookup(l.from.speaker, target) ?? target.prefix;
    const s = section(`${l.from.title} ↔ ${peerName(l)}: ${formatPrefix(prefix)}`, {
      at: { kind: l.from.kind, name: l.from.short },
      prefix: formatPrefix(prefix),
    });
    // What goes to the peer.
    const out = exportLine(tr, l, prefix, '');
    s.lines.push(out);
    if (out.status === 'advertised') advertised++;
    else firstWithheld.push(out);
    const cfg = l.from.speaker.bestPathConfig;
    const best = selectBest(rank(l.from.speaker.candidates(prefix), cfg), cfg);
    if (best.length === 0) {
      // Candidates from others than the peer (what the peer sent is listed below as received).
      if (l.from.speaker.candidates(prefix).some((p) => p.source.id !== l.neighborId))
        s.children.push(
          section(`${l.from.title}: ${formatPrefix(prefix)}`, {
            at: { kind: l.from.kind, name: l.from.short },
            prefix: formatPrefix(prefix),
            lines: candidateLinesAt(l.from, prefix),
          }),
        );
      else {
        const why = section(`why ${l.from.short} has no route for ${formatPrefix(prefix)}`, {
          at: { kind: l.from.kind, name: l.from.short },
        });
        whyAbsent(tr, l.from, prefix, why);
        s.children.push(why);
      }
    }
    // What came from the peer, and what became of it.
    const got = receivedLines(l, prefix);
    if (got.length) received++;
    s.lines.push(
      ...(got.length ? got : [infoLine(`nothing received from ${peerName(l)} for ${formatPrefix(prefix)}`)]),
    );
    sections.push(s);
  }
  // A built-in router: its own table, and what covers a prefix it lacks (seed 003's supernet).
  for (const r of new Set(links.map((l) => l.to).filter((x): x is SpeakerRef => x?.kind === 'router'))) {
    const prefix = lookup(r.speaker, target);
    const s = section(`${r.title}: ${formatPrefix(prefix ?? target.prefix)}`, {
      at: { kind: r.kind, name: r.short },
      prefix: formatPrefix(prefix ?? target.prefix),
    });
    if (prefix) s.lines.push(...candidateLinesAt(r, prefix));
    else s.lines.push(infoLine(`no route for ${formatPrefix(target.prefix)}`));
    const cover = covering(r.speaker, prefix ?? target.prefix);
    if (
      cover &&
      (!prefix ||
        !selectBest(rank(r.speaker.candidates(prefix), r.speaker.bestPathConfig), r.speaker.bestPathConfig).length)
    ) {
      s.lines.push(
        infoLine(
          `${formatPrefix(cover.prefix)} covers it: ${describeRoute(routeInfo(cover.prefix, cover.best, r.short))}; traffic for ${formatPrefix(target.prefix)} follows it`,
          ruleFor('covering', r.kind),
        ),
      );
    }
    sections.push(s);
  }
  const query: ExplainQuery = {
    kind: 'peer',
    target: targetText,
    peer: q.peer,
    ...(q.routeServer ? { routeServer: q.routeServer } : {}),
    ...(q.resourceGroup ? { resourceGroup: q.resourceGroup } : {}),
    ...(q.gateway ? { gateway: q.gateway } : {}),
  };
  const tp = formatPrefix(target.prefix);
  // The cause to name: a withheld line deeper down (why the advertiser had nothing) before "no route".
  const noRoute = ruleFor('no-route');
  const deeper = sections
    .flatMap((s) => s.children.flatMap((c) => c.lines))
    .find((l) => l.status === 'withheld' && l.rule !== noRoute);
  const cause = firstWithheld.find((l) => l.rule !== noRoute) ?? deeper ?? firstWithheld[0];
  const summary = [
    `${tp} and ${q.peer}: advertised on ${advertised} of ${links.length} session${links.length > 1 ? 's' : ''}, received on ${received}` +
      (cause && advertised < links.length
        ? `; ${cause === deeper ? `${deeper.text}` : cause.reason}${cause.rule ? ` (${cause.rule})` : ''}`
        : ''),
  ];
  return { query, prefix: tp, summary, sections };
}

/** The paths `l.from` holds for `prefix` from the peer, with their fate among its candidates. */
function receivedLines(l: Link, prefix: Prefix): ExplainLine[] {
  const r = l.from;
  const cands = r.speaker.candidates(prefix);
  const ranked = rank(cands, r.speaker.bestPathConfig);
  const lines = candidateLinesAt(r, prefix);
  const out: ExplainLine[] = [];
  ranked.forEach((p, i) => {
    if (p.source.id !== l.neighborId) return;
    const line = lines[i]!;
    // A path kept is "received"; its standing among the candidates follows.
    if (line.status === 'best' || line.status === 'equal')
      out.push({
        ...line,
        status: 'received',
        text: `${line.text} — ${line.status === 'best' ? 'best' : 'equal cost'} at ${r.short}`,
      });
    else out.push(line);
  });
  return out;
}
