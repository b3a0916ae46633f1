/**
 * @module lab/daemons/gobgp/parse
 * `gobgp -j` JSON (`global rib`, `neighbor`) in the drivers' shapes.
 */
import type { DaemonRoute, DaemonSession, Origin } from '../types.js';
import { canonicalAddress, canonicalPrefix, normalizeCommunity } from '../common.js';

interface GobgpAttr {
  type: number;
  value?: unknown;
  as_paths?: { segment_type: number; asns?: number[] }[];
  nexthop?: string;
  metric?: number;
  communities?: number[];
}

interface GobgpPath {
  nlri?: { prefix?: string };
  best?: boolean;
  attrs?: GobgpAttr[];
  'neighbor-ip'?: string;
}

const ORIGINS: Origin[] = ['IGP', 'EGP', 'INCOMPLETE'];

/** Converts `gobgp global rib -j` to DaemonRoutes: paths with a neighbour (locally added ones left out). */
export function gobgpRibToRoutes(json: unknown): DaemonRoute[] {
  const out: DaemonRoute[] = [];
  for (const [prefix, paths] of Object.entries((json ?? {}) as Record<string, GobgpPath[]>)) {
    for (const p of paths) {
      const peer = p['neighbor-ip'];
      if (!peer) continue;
      const r: DaemonRoute = {
        prefix: canonicalPrefix(p.nlri?.prefix ?? prefix),
        nextHop: '',
        asPath: [],
        origin: 'INCOMPLETE',
        communities: [],
        largeCommunities: [],
        peer: canonicalAddress(peer),
        best: p.best === true,
      };
      for (const a of p.attrs ?? []) {
        switch (a.type) {
          case 1:
            r.origin = ORIGINS[Number(a.value)] ?? 'INCOMPLETE';
            break;
          case 2:
            for (const seg of a.as_paths ?? []) r.asPath.push(...(seg.asns ?? []));
            break;
          case 3:
          case 14: // MP_REACH_NLRI: the IPv6 next hop
            if (a.nexthop && !r.nextHop) r.nextHop = canonicalAddress(a.nexthop);
            break;
          case 4:
            if (typeof a.metric === 'number') r.med = a.metric;
            break;
          case 5:
            if (typeof a.value === 'number') r.localPref = a.value;
            break;
          case 8:
            r.communities = (a.communities ?? []).map(normalizeCommunity);
            break;
          case 32:
            r.largeCommunities = ((a.value ?? []) as { ASN: number; LocalData1: number; LocalData2: number }[]).map(
              (l) => `${l.ASN}:${l.LocalData1}:${l.LocalData2}`,
            );
            break;
        }
      }
      out.push(r);
    }
  }
  return out;
}

/** GoBGP's session states (apipb.PeerState.SessionState) as numbers or names. */
const SESSION_STATES = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];

export function gobgpNeighborsToSessions(json: unknown): DaemonSession[] {
  return (
    (json ?? []) as {
      conf?: { neighbor_address?: string; peer_asn?: number };
      state?: { session_state?: number | string; peer_asn?: number };
    }[]
  ).map((n) => {
    const raw = n.state?.session_state;
    const state =
      typeof raw === 'number' ? (SESSION_STATES[raw] ?? String(raw)) : String(raw ?? 'unknown').toLowerCase();
    const s: DaemonSession = {
      neighbor: canonicalAddress(n.conf?.neighbor_address ?? ''),
      state,
      established: state === 'established',
    };
    const asn = n.state?.peer_asn ?? n.conf?.peer_asn;
    if (typeof asn === 'number') s.remoteAs = asn;
    return s;
  });
}
