/**
 * @module lab/bgpNeighbor
 * Joins a real BGP session (src/bgp/transport) to a neighbour of a routing speaker
 * (src/rib): UPDATEs in become RIB changes (after the RFC 7606 checks that need the
 * session), RIB changes out become packed UPDATEs. Used by route-server instances and by
 * the built-in speaker alike.
 */
import { describeDownReason, type Family } from '../bgp/fsm/index.js';
import { BgpPeer, maxPrefixNotification, type BgpPeerOptions } from '../bgp/transport/index.js';
import { validateUpdate, type ValidatedUpdate } from '../bgp/validate.js';
import {
  AFI_IPV4,
  AFI_IPV6,
  CeaseSubcode,
  CONTEXT_4OCTET,
  ErrorCode,
  formatIpv4,
  formatPrefix,
  packUpdates,
  parseIpv4,
  SAFI_UNICAST,
  v4Prefix,
  type PathAttributes,
  type Prefix,
  type ReceivedUpdate,
} from '../bgp/wire/index.js';
import { ipv4NlriOf } from '../bgp/wire/messages/update.js';
import type { Ipv4Nlri } from '../bgp/wire/nlri.js';
import {
  attrsFromWire,
  attrsToWire,
  nlriRoomFor,
  routesFromUpdate,
  type Neighbor,
  type NotSent,
  type OutboundBatch,
  type RouteAttrs,
  type RouteSource,
  type Speaker,
} from '../rib/index.js';
import type { PrefixLimit } from '../azure/index.js';
import type { AddressMap } from './addressing.js';
import type { EventLog } from './events.js';

export interface BgpNeighborOptions {
  readonly speaker: Speaker;
  readonly source: RouteSource;
  /** Most routes taken from the peer, and how they are counted (R-ARS-5, R-ER-8, R-VPN-6). */
  readonly prefixLimit?: PrefixLimit;
  readonly info?: Readonly<Record<string, unknown>>;
  readonly peer: Omit<BgpPeerOptions, 'handlers'>;
  readonly addresses?: AddressMap;
  readonly events?: EventLog;
  /** Event source label, e.g. "next-hop-ip-routeserver/IN_0/watcher". */
  readonly label: string;
}

export interface BgpNeighbor {
  readonly neighbor: Neighbor;
  readonly peer: BgpPeer;
  /** Prefix counts of the last session (for status and list-bgp-peer-status). */
  readonly stats: { updatesIn: number; prefixesIn: number; withdrawalsIn: number; treatAsWithdraw: number };
}

const DEFAULT_FAMILIES: readonly Family[] = ['ipv4-unicast'];
const NLRI_PRESENT: readonly Prefix[] = Object.freeze([v4Prefix(0, 0)]);
const NO_NLRI: readonly Prefix[] = Object.freeze([]);

/** The UPDATE as validateUpdate sees it, with a one-prefix stand-in for NLRI still in wire form. */
export function nlriStandIn(u: ReceivedUpdate, hasNlri: boolean): ReceivedUpdate {
  const nlri = hasNlri ? NLRI_PRESENT : NO_NLRI;
  return u.error
    ? { type: 'UPDATE', withdrawn: u.withdrawn, attributes: u.attributes, nlri, error: u.error, problems: u.problems }
    : { type: 'UPDATE', withdrawn: u.withdrawn, attributes: u.attributes, nlri, problems: u.problems };
}

function familyAfis(fams: readonly Family[]): Set<number> {
  const s = new Set<number>();
  for (const f of fams) s.add(f === 'ipv4-unicast' ? AFI_IPV4 : AFI_IPV6);
  return s;
}

export function createBgpNeighbor(o: BgpNeighborOptions): BgpNeighbor {
  const stats = { updatesIn: 0, prefixesIn: 0, withdrawalsIn: 0, treatAsWithdraw: 0 };
  let peerRef: BgpPeer | undefined;
  const events = o.events;
  const display = (text: string): string => (o.addresses ? o.addresses.display(text) : text);

  function limitExceeded(p: BgpPeer, e: { limit: number; count: number; total?: true }, afi: number): void {
    const { limit, count } = e;
    // Which limit: the speaker's total (R-ARS-5's 10,000), or this peer's, as its rule counts.
    const lim = o.prefixLimit;
    const what = e.total
      ? 'routes held from all peers together, R-ARS-5'
      : lim
        ? `${lim.what}, ${lim.rule}`
        : 'R-ARS-5';
    events?.emit(
      'notification',
      o.label,
      `route limit exceeded at ${o.speaker.name} from ${o.source.name}: ${count} routes > ${limit} (${what}); session reset with Cease/1`,
      { limit, count, ...(lim && !e.total ? { rule: lim.rule } : {}) },
    );
    p.reset(maxPrefixNotification(afi, SAFI_UNICAST, limit));
  }

  // Per-session memos for the UPDATEs of a table transfer, which mostly repeat one attribute
  // set (decodeUpdateLazy then hands over the same attributes object).
  let lastFamilies: readonly Family[] | undefined;
  let lastAfis = new Set<number>();
  const afisOf = (fams: readonly Family[]): ReadonlySet<number> => {
    if (fams !== lastFamilies) {
      lastFamilies = fams;
      lastAfis = familyAfis(fams);
    }
    return lastAfis;
  };
  // RFC 4271 §6.3 (a): our own address as the peer may name it — the socket address, and in
  // loopback mode the emulated one it stands for (what NVAs announce, ADR 0001).
  const localAddresses = [
    ...new Set([o.peer.localAddress, o.addresses?.display(o.peer.localAddress) ?? o.peer.localAddress]),
  ].flatMap((a) => {
    const v = parseIpv4(a);
    return v === undefined ? [] : [v];
  });
  let lastValidated:
    | { attributes: PathAttributes; hasNlri: boolean; ebgp: boolean; families: readonly Family[]; v: ValidatedUpdate }
    | undefined;
  /**
   * validateUpdate for an UPDATE whose IPv4 NLRI are in wire form. It depends on the NLRI only
   * through whether there are any (test: bgpNeighbor.test.ts), so it is given a stand-in that
   * says so, and its result is reused while the attributes object and the session facts repeat.
   */
  const validated = (
    u: ReceivedUpdate,
    wire: Ipv4Nlri,
    ebgp: boolean,
    families: readonly Family[],
  ): ValidatedUpdate => {
    const hasNlri = wire.length > 0;
    const m = lastValidated;
    if (
      u.problems.length === 0 &&
      m &&
      m.attributes === u.attributes &&
      m.hasNlri === hasNlri &&
      m.ebgp === ebgp &&
      m.families === families
    )
      return m.v;
    const v = validateUpdate(nlriStandIn(u, hasNlri), { ebgp, families, localAddresses });
    lastValidated = u.problems.length === 0 ? { attributes: u.attributes, hasNlri, ebgp, families, v } : undefined;
    return v;
  };
  let lastAttrs: { attributes: PathAttributes; nextHop: string; attrs: RouteAttrs } | undefined;
  /** attrsFromWire for IPv4 NLRI, reused while the attributes object and the shown next hop repeat. */
  const routeAttrs = (a: PathAttributes, nextHop: number): RouteAttrs => {
    const shown = display(formatIpv4(nextHop));
    const m = lastAttrs;
    if (m && m.attributes === a && m.nextHop === shown) return m.attrs;
    const attrs = attrsFromWire(a, shown);
    lastAttrs = { attributes: a, nextHop: shown, attrs };
    return attrs;
  };

  /** One event per attribute set: which routes this peer does not get, and why (RFC 4271 §4.1). */
  function logNotSent(groups: readonly NotSent[], fourOctetAs: boolean): void {
    for (const g of groups) {
      const first = formatPrefix(g.prefixes[0]!);
      const more = g.prefixes.length > 1 ? ` and ${g.prefixes.length - 1} more` : '';
      const as4 =
        !fourOctetAs && g.attrs.asPath.some((s) => s.asns.some((a) => a > 0xffff))
          ? ' (the session has no 4-octet AS capability: AS_PATH carries AS_TRANS and AS4_PATH repeats the path, RFC 6793 §4.2.2)'
          : '';
      events?.emit(
        'warning',
        o.label,
        `${first}${more} not sent to ${o.source.name} (${o.source.address}): ${g.reason}${as4}; every session stays up`,
        { prefixes: g.prefixes.slice(0, 16).map(formatPrefix), count: g.prefixes.length, rule: 'RFC4271-4.1' },
      );
    }
  }

  const neighbor: Neighbor = {
    source: o.source,
    ...(o.prefixLimit ? { maxPrefixes: o.prefixLimit.max, prefixCounting: o.prefixLimit.counting } : {}),
    ...(o.info ? { info: o.info } : {}),
    // Backpressure (ADR 0014): nothing more for a peer whose send queue is full.
    readyToSend: () => peerRef?.sendBlocked !== true,
    nlriRoom: (attrs: RouteAttrs, afi: number): number =>
      nlriRoomFor(attrs, afi, peerRef?.codecContext ?? CONTEXT_4OCTET),
    sendFailed(error: unknown) {
      // Not reachable from any input we know of: the Adj-RIB-Out may now differ from what the
      // peer holds, so the session starts afresh (RFC 4486 Cease / Out of Resources).
      events?.emit('warning', o.label, `could not send UPDATEs (${String(error)}): session reset to resynchronise`);
      peerRef?.reset({
        type: 'NOTIFICATION',
        code: ErrorCode.Cease,
        subcode: CeaseSubcode.OutOfResources,
        data: new Uint8Array(0),
      });
    },
    send(batch: OutboundBatch) {
      const peer = peerRef;
      const ctx = peer?.codecContext;
      if (!peer || !ctx) return;
      if (batch.notSent) logNotSent(batch.notSent, ctx.fourOctetAs);
      const fams = familyAfis(peer.negotiated?.families ?? []);
      const keep = (p: Prefix) => fams.has(p.afi);
      const frames: Uint8Array[] = [];
      const withdrawn = batch.withdrawn.filter(keep);
      if (withdrawn.length) frames.push(...packUpdates({ withdrawn }, ctx));
      for (const g of batch.announced) {
        const nlri = g.prefixes.filter(keep);
        if (!nlri.length) continue;
        const { attributes, nextHopV6 } = attrsToWire(g.attrs);
        frames.push(
          ...packUpdates({ withdrawn: [], announce: { attributes, nlri, ...(nextHopV6 ? { nextHopV6 } : {}) } }, ctx),
        );
      }
      if (frames.length) peer.sendEncodedUpdates(frames);
    },
  };

  const peer = new BgpPeer({
    ...o.peer,
    handlers: {
      onStateChange(_p, from, to, reason) {
        events?.emit('session', o.label, `${from} -> ${to}: ${reason}`, { from, to });
      },
      onEstablished(p, negotiated) {
        events?.emit('session', o.label, `Established (AS ${negotiated.peerAs}, hold ${negotiated.holdTime}s)`, {
          state: 'Established',
          holdTime: negotiated.holdTime,
        });
        // R-ARS-22: a hold time negotiated below the one offered is said, not silent.
        const offered = o.peer.fsm.holdTime;
        if (negotiated.holdTime < offered)
          events?.emit(
            'session',
            o.label,
            `hold time negotiated down to ${negotiated.holdTime}s: the peer asked for ${negotiated.peerOpen.holdTime}s, ` +
              `this side offers ${offered}s (RFC 4271 §4.2; R-ARS-22)`,
            { holdTime: negotiated.holdTime, offered },
          );
        o.speaker.neighborUp(o.source.id);
        void p;
      },
      onDown(_p, reason) {
        events?.emit('session', o.label, `session down: ${describeDownReason(reason)}`, {
          state: 'Idle',
          reason: reason.kind,
        });
        o.speaker.neighborDown(o.source.id);
      },
      onSendReady() {
        o.speaker.flush(); // what was held for this peer while its queue was full
      },
      onRouteRefresh(p, m) {
        // Only a request (subtype 0) asks for the Adj-RIB-Out again. RFC 7313 §5: a reserved
        // subtype MUST be ignored; BoRR and EoRR (1, 2) mark a refresh the peer sends us, which
        // needs the Enhanced Route Refresh capability, never advertised here: ignored too.
        if (m.subtype !== 0 || m.safi !== SAFI_UNICAST) return;
        // RFC 2918 §4: an <AFI, SAFI> not advertised at session establishment is ignored.
        const family: Family | undefined =
          m.afi === AFI_IPV4 ? 'ipv4-unicast' : m.afi === AFI_IPV6 ? 'ipv6-unicast' : undefined;
        if (!family || !(p.negotiated?.families ?? DEFAULT_FAMILIES).includes(family)) return;
        o.speaker.refresh(o.source.id);
      },
      onUpdate(p, u) {
        stats.updatesIn++;
        const families = p.negotiated?.families ?? DEFAULT_FAMILIES;
        const ebgp = (p.negotiated?.peerAs ?? 0) !== o.speaker.asn;
        const wire = ipv4NlriOf(u);
        const v = wire ? validated(u, wire, ebgp, families) : validateUpdate(u, { ebgp, families, localAddresses });
        for (const prob of v.problems) {
          events?.emit('warning', o.label, `UPDATE problem (RFC 7606 ${prob.action}): ${prob.message}`, {
            code: prob.code,
            subcode: prob.subcode,
          });
        }
        let treat = v.treatAsWithdraw;
        // A loopback NEXT_HOP that is no mapped lab address can never be reached (RFC 4271 §6.3).
        if (!treat && v.attributes.nextHop !== undefined && (wire ? wire.length : u.nlri.length) > 0) {
          const nh = v.attributes.nextHop >>> 0;
          if (nh >>> 24 === 127 && o.addresses) {
            const t = `127.${(nh >>> 16) & 255}.${(nh >>> 8) & 255}.${nh & 255}`;
            if (o.addresses.emulated(t) === undefined) {
              treat = true;
              events?.emit(
                'warning',
                o.label,
                `NEXT_HOP ${t} is a loopback address that maps to no lab address: routes treated as withdrawn`,
              );
            }
          }
        }
        if (treat) stats.treatAsWithdraw++;
        const afis = afisOf(families);
        const a = v.attributes;
        if (wire && !treat && a.mpReach === undefined && a.mpUnreach === undefined) {
          // The common case, as routesFromUpdate would make it, with the NLRI left in wire form.
          const withdrawn = u.withdrawn.slice();
          const announce = wire.length > 0 && afis.has(AFI_IPV4) && a.nextHop !== undefined;
          stats.withdrawalsIn += withdrawn.length;
          const r = o.speaker.receive(
            o.source.id,
            withdrawn,
            announce ? { attrs: routeAttrs(a, a.nextHop!), prefixes: wire } : undefined,
          );
          if (announce) stats.prefixesIn += wire.length;
          if (r.limitExceeded) return limitExceeded(p, r.limitExceeded, AFI_IPV4);
          events?.emit(
            'update',
            o.label,
            `UPDATE: ${announce ? wire.length : 0} announced, ${withdrawn.length} withdrawn`,
          );
          return;
        }
        const routes = routesFromUpdate(u, v.attributes, {
          treatAsWithdraw: treat,
          families: afis,
          displayNextHop: display,
        });
        stats.withdrawalsIn += routes.withdrawn.length;
        let first = true;
        for (const g of routes.announced.length ? routes.announced : [undefined]) {
          const r = o.speaker.receive(o.source.id, first ? routes.withdrawn : [], g);
          first = false;
          if (g) stats.prefixesIn += g.prefixes.length;
          if (r.limitExceeded) return limitExceeded(p, r.limitExceeded, g?.prefixes[0]?.afi ?? AFI_IPV4);
        }
        events?.emit(
          'update',
          o.label,
          `UPDATE: ${routes.announced.reduce((n, g) => n + g.prefixes.length, 0)} announced, ${routes.withdrawn.length} withdrawn`,
        );
      },
    },
  });
  peerRef = peer;
  return { neighbor, peer, stats };
}
