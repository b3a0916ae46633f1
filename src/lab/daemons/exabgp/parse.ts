/**
 * @module lab/daemons/exabgp/parse
 * ExaBGP's route text (`show adj-rib in extensive`) and neighbour listings, parsed.
 */
import type { DaemonRoute, Origin } from '../types.js';
import { canonicalAddress, canonicalPrefix, normalizeCommunity, normalizeLargeCommunity } from '../common.js';

/** Splits ExaBGP route text into tokens, keeping "[ ... ]" and "( ... )" groups as one token. */
export function tokenizeExabgp(text: string): string[] {
  const out: string[] = [];
  const re = /\[[^\]]*\]|\([^)]*\)|\S+/g;
  for (const m of text.matchAll(re)) out.push(m[0]);
  return out;
}

const groupItems = (token: string): string[] =>
  token.startsWith('[') || token.startsWith('(') ? token.slice(1, -1).trim().split(/\s+/).filter(Boolean) : [token];

const ORIGINS: Record<string, Origin> = { igp: 'IGP', egp: 'EGP', incomplete: 'INCOMPLETE' };

/** Parses one route's text: "PREFIX next-hop NH origin igp as-path [ 1 2 ] med 0 community [ ... ] ...". */
export function parseExabgpRouteText(text: string): Omit<DaemonRoute, 'peer' | 'best'> | undefined {
  const tokens = tokenizeExabgp(text);
  const prefix = tokens.shift();
  if (!prefix?.includes('/')) return undefined;
  const r: Omit<DaemonRoute, 'peer' | 'best'> = {
    prefix: canonicalPrefix(prefix),
    nextHop: '',
    asPath: [],
    origin: 'INCOMPLETE',
    communities: [],
    largeCommunities: [],
  };
  for (let i = 0; i < tokens.length; i++) {
    const key = tokens[i]!;
    const value = tokens[i + 1];
    switch (key) {
      case 'next-hop':
        if (value) r.nextHop = canonicalAddress(value);
        i++;
        break;
      case 'origin':
        r.origin = ORIGINS[(value ?? '').toLowerCase()] ?? 'INCOMPLETE';
        i++;
        break;
      case 'as-path':
        // "[ 65001 65002 ( 65003 65004 ) ]": the set's members are flattened in place.
        r.asPath = (value ?? '').match(/\d+/g)?.map(Number) ?? [];
        // A set printed after the sequence ends up in its own "( ... )" token: absorb it.
        if (tokens[i + 2]?.startsWith('(')) {
          r.asPath.push(...(tokens[i + 2]!.match(/\d+/g)?.map(Number) ?? []));
          i++;
        }
        i++;
        break;
      case 'med':
        if (value && /^\d+$/.test(value)) r.med = Number(value);
        i++;
        break;
      case 'local-preference':
        if (value && /^\d+$/.test(value)) r.localPref = Number(value);
        i++;
        break;
      case 'community':
        r.communities = groupItems(value ?? '').map(normalizeCommunity);
        i++;
        break;
      case 'large-community':
        r.largeCommunities = groupItems(value ?? '').map(normalizeLargeCommunity);
        i++;
        break;
      default:
        // Attributes we do not report (extended-community, aggregator, originator-id...):
        // skip the keyword; its value is skipped as an unknown word or group on the next turn.
        break;
    }
  }
  return r;
}

/**
 * Parses `show adj-rib in extensive`: one line per route,
 * "neighbor PEER local-ip ... family-allowed ... AFI SAFI ROUTE-TEXT".
 */
export function parseExabgpAdjRib(text: string): DaemonRoute[] {
  const out: DaemonRoute[] = [];
  for (const line of text.split('\n')) {
    const m = /^neighbor\s+(\S+)\s.*?\s(ipv4|ipv6)\s+(unicast|multicast)\s+(\S+\/\d+.*)$/.exec(line.trim());
    if (!m) continue;
    const route = parseExabgpRouteText(m[4]!);
    if (!route) continue;
    out.push({ ...route, peer: canonicalAddress(m[1]!), best: true });
  }
  return out;
}

export interface ExabgpNeighborState {
  neighbor: string;
  state: string;
  localAs?: number;
  peerAs?: number;
}

/** Parses `show neighbor extensive` (blocks "Neighbor X", " state ...", " AS local remote"). */
export function parseExabgpNeighbors(text: string): ExabgpNeighborState[] {
  const out: ExabgpNeighborState[] = [];
  let cur: ExabgpNeighborState | undefined;
  for (const line of text.split('\n')) {
    const n = /^Neighbor\s+(\S+)/.exec(line);
    if (n) {
      cur = { neighbor: canonicalAddress(n[1]!), state: 'unknown' };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const st = /^\s+state\s+(\S+)/.exec(line);
    if (st) cur.state = st[1]!.toLowerCase();
    const as = /^\s+AS\s+(\d+)\s+(\S+)/.exec(line);
    if (as) {
      cur.localAs = Number(as[1]);
      if (/^\d+$/.test(as[2]!)) cur.peerAs = Number(as[2]);
    }
  }
  return out;
}

/** Parses `show neighbor configuration`: neighbour address -> local-as. */
export function parseExabgpNeighborConfig(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let cur: string | undefined;
  for (const line of text.split('\n')) {
    const n = /^neighbor\s+(\S+)\s*\{/.exec(line.trim());
    if (n) cur = canonicalAddress(n[1]!);
    const la = /^local-as\s+(\d+)\s*;/.exec(line.trim());
    if (la && cur) out.set(cur, Number(la[1]));
  }
  return out;
}
