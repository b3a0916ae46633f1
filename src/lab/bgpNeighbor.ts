/**
 * @module lab/bgpNeighbor
 * Joins a real BGP session (src/bgp/transport) to a neighbour of a routing speaker
 * (src/rib): UPDATEs in become RIB changes (after the RFC 7606 checks that need the
 * session), RIB changes out become packed UPDATEs. Used by route-server instances and by
 * the built-in speaker alike.
 */
import { describeDownReason, type Family } from '../bgp/fsm/index.js';
import { BgpPeer, maxPrefixNotification, type BgpPeerOptions } from '../bgp/transport/index.js';
import { validateUpdate } from '../bgp/validate.js';
import { AFI_IPV4, AFI_IPV6, packUpdates, SAFI_UNICAST, type Prefix } from '../bgp/wire/index.js';
import { attrsToWire, routesFromUpdate, type Neighbor, type OutboundBatch, type RouteSource, type Speaker } from '../rib/index.js';
import type { AddressMap } from './addressing.js';
import type { EventLog } from './events.js';

export interface BgpNeighborOptions {
  readonly speaker: Speaker;
  readonly source: RouteSource;
  readonly maxPrefixes?: number;
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

  const neighbor: Neighbor = {
    source: o.source,
    ...(o.maxPrefixes !== undefined ? { maxPrefixes: o.maxPrefixes } : {}),
    ...(o.info ? { info: o.info } : {}),
    send(batch: OutboundBatch) {
      const peer = peerRef;
      const ctx = peer?.codecContext;
      if (!peer || !ctx) return;
      const fams = familyAfis(peer.negotiated?.families ?? []);
      const keep = (p: Prefix) => fams.has(p.afi);
      const frames: Uint8Array[] = [];
      const withdrawn = batch.withdrawn.filter(keep);
      if (withdrawn.length) frames.push(...packUpdates({ withdrawn }, ctx));
      for (const g of batch.announced) {
        const nlri = g.prefixes.filter(keep);
        if (!nlri.length) continue;
        const { attributes, nextHopV6 } = attrsToWire(g.attrs);
        frames.push(...packUpdates({ withdrawn: [], announce: { attributes, nlri, ...(nextHopV6 ? { nextHopV6 } : {}) } }, ctx));
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
        o.speaker.neighborUp(o.source.id);
        void p;
      },
      onDown(_p, reason) {
        events?.emit('session', o.label, `session down: ${describeDownReason(reason)}`, { state: 'Idle', reason: reason.kind });
        o.speaker.neighborDown(o.source.id);
      },
      onRouteRefresh(_p, m) {
        if (m.safi !== SAFI_UNICAST) return;
        // RFC 2918 §4: a refresh for a family not negotiated is ignored.
        o.speaker.refresh(o.source.id);
      },
      onUpdate(p, u) {
        stats.updatesIn++;
        const families = p.negotiated?.families ?? ['ipv4-unicast'];
        const v = validateUpdate(u, { ebgp: (p.negotiated?.peerAs ?? 0) !== o.speaker.asn, families });
        for (const prob of v.problems) {
          events?.emit('warning', o.label, `UPDATE problem (RFC 7606 ${prob.action}): ${prob.message}`, { code: prob.code, subcode: prob.subcode });
        }
        let treat = v.treatAsWithdraw;
        // A loopback NEXT_HOP that is no mapped lab address can never be reached (RFC 4271 §6.3).
        if (!treat && v.attributes.nextHop !== undefined && u.nlri.length > 0) {
          const nh = v.attributes.nextHop >>> 0;
          if (nh >>> 24 === 127 && o.addresses) {
            const t = `127.${(nh >>> 16) & 255}.${(nh >>> 8) & 255}.${nh & 255}`;
            if (o.addresses.emulated(t) === undefined) {
              treat = true;
              events?.emit('warning', o.label, `NEXT_HOP ${t} is a loopback address that maps to no lab address: routes treated as withdrawn`);
            }
          }
        }
        if (treat) stats.treatAsWithdraw++;
        const routes = routesFromUpdate(u, v.attributes, { treatAsWithdraw: treat, families: familyAfis(families), displayNextHop: display });
        stats.withdrawalsIn += routes.withdrawn.length;
        let first = true;
        for (const g of routes.announced.length ? routes.announced : [undefined]) {
          const r = o.speaker.receive(o.source.id, first ? routes.withdrawn : [], g);
          first = false;
          if (g) stats.prefixesIn += g.prefixes.length;
          if (r.limitExceeded) {
            const { limit, count } = r.limitExceeded;
            events?.emit('notification', o.label, `route limit exceeded: ${count} routes > ${limit} (R-ARS-5); session reset with Cease/1`, { limit, count });
            const afi = g?.prefixes[0]?.afi ?? AFI_IPV4;
            p.reset(maxPrefixNotification(afi, SAFI_UNICAST, limit));
            return;
          }
        }
        events?.emit('update', o.label, `UPDATE: ${routes.announced.reduce((n, g) => n + g.prefixes.length, 0)} announced, ${routes.withdrawn.length} withdrawn`);
      },
    },
  });
  peerRef = peer;
  return { neighbor, peer, stats };
}
