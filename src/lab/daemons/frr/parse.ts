/**
 * @module lab/daemons/frr/parse
 * FRR's JSON output (`show bgp <afi> unicast json detail`) as DaemonRoutes.
 */
import type { DaemonRoute, Origin } from '../types.js';
import { canonicalAddress, canonicalPrefix, normalizeCommunity, normalizeLargeCommunity } from '../common.js';

interface FrrPath {
  aspath?: { string?: string; segments?: { type: string; list: number[] }[] };
  origin?: string;
  metric?: number;
  locPrf?: number;
  community?: { list?: string[]; string?: string };
  largeCommunity?: { list?: string[]; string?: string };
  nexthops?: { ip?: string; afi?: string; scope?: string; used?: boolean }[];
  peer?: { peerId?: string; routerId?: string; type?: string };
  bestpath?: { overall?: boolean };
  sourced?: boolean;
  local?: boolean;
}

const ORIGINS: Record<string, Origin> = { igp: 'IGP', egp: 'EGP', incomplete: 'INCOMPLETE', '?': 'INCOMPLETE' };

/** Converts `show bgp <afi> unicast json detail` to DaemonRoutes (locally originated paths left out). */
export function frrJsonToRoutes(json: unknown): DaemonRoute[] {
  const routes = (json as { routes?: Record<string, unknown[]> }).routes ?? {};
  const out: DaemonRoute[] = [];
  for (const [prefix, entries] of Object.entries(routes)) {
    for (const e of entries as FrrPath[]) {
      // FRR 8.4 puts a header object ({prefix, version, advertisedTo}) first in each array.
      if (!e.nexthops && !e.aspath) continue;
      if (e.sourced || e.local || !e.peer?.peerId || e.peer.peerId === '0.0.0.0' || e.peer.peerId === '::') continue;
      const nh = e.nexthops?.find((n) => n.scope !== 'link-local' && n.ip) ?? e.nexthops?.[0];
      const asPath: number[] = [];
      for (const seg of e.aspath?.segments ?? []) asPath.push(...seg.list);
      const r: DaemonRoute = {
        prefix: canonicalPrefix(prefix),
        nextHop: nh?.ip ? canonicalAddress(nh.ip) : '',
        asPath,
        origin: ORIGINS[(e.origin ?? 'incomplete').toLowerCase()] ?? 'INCOMPLETE',
        communities: (e.community?.list ?? []).map(normalizeCommunity),
        largeCommunities: (e.largeCommunity?.list ?? []).map(normalizeLargeCommunity),
        peer: canonicalAddress(e.peer.peerId),
        best: e.bestpath?.overall === true,
      };
      if (typeof e.metric === 'number') r.med = e.metric;
      if (typeof e.locPrf === 'number') r.localPref = e.locPrf;
      out.push(r);
    }
  }
  return out;
}
