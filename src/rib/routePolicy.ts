/**
 * @module rib/routePolicy
 * A BGP speaker's per-neighbour policy as routers write it (ADR 0039): an ordered list of
 * route-map entries (FRR `route-map NAME permit|deny SEQ`, BIRD's filter `if … then accept |
 * reject`) and the neighbour-level AS-path rules (`remove-private-AS`, `as-override`). Pure:
 * compiled values in, attributes out.
 *
 * An entry matches when every match clause it has matches (FRR: the `match` lines of one
 * route-map entry are ANDed); the first entry that matches decides — deny drops the route,
 * permit applies the entry's sets — and a route no entry matches is denied (FRR: "If no
 * route-map entries match, the route is denied"; BIRD: a filter that ends without `accept`
 * rejects).
 */
import { AsPathSegmentType, type AsPathSegment, type LargeCommunity, type Prefix } from '../bgp/wire/index.js';
import { internAttrs, prependAsPath, type RouteAttrs } from './attrs.js';

/**
 * One line of a prefix list (FRR `ip prefix-list L permit P [ge G] [le L]`): a prefix inside
 * `prefix` whose length is in [ge, le]. Without ge and le only `prefix` itself matches; with
 * ge only, up to /32; with le only, from the list prefix's own length.
 */
export interface PrefixFilter {
  readonly prefix: Prefix;
  readonly ge: number;
  readonly le: number;
}

/** Add, remove or replace a community list (FRR `set community … [additive]`, `set comm-list … delete`). */
export interface CommunityChange<T> {
  /** Replaces every community of the route (FRR `set community X`; `[]` is `set community none`). */
  readonly set?: readonly T[];
  readonly remove?: readonly T[];
  readonly add?: readonly T[];
}

export interface RouteMapEntry {
  readonly action: 'permit' | 'deny';
  /** Any of these prefixes (a prefix list). */
  readonly prefixes?: readonly PrefixFilter[];
  /** The route carries any of these communities. */
  readonly communities?: readonly number[];
  readonly largeCommunities?: readonly LargeCommunity[];
  /** `set as-path prepend ASN…`: `count` times `asn`. */
  readonly prepend?: { readonly count: number; readonly asn: number };
  readonly setCommunities?: CommunityChange<number>;
  readonly setLargeCommunities?: CommunityChange<LargeCommunity>;
  readonly localPref?: number;
  readonly med?: number;
}

/** FRR `neighbor PEER remove-private-AS [all] [replace-AS]`. */
export interface RemovePrivateAs {
  readonly all: boolean;
  readonly replaceAs: boolean;
}

export type RouteMapResult =
  | { readonly permit: true; readonly attrs: RouteAttrs }
  | { readonly permit: false; readonly entry?: number };

/** RFC 6996: 64512–65534 and 4200000000–4294967294 (FRR's BGP_AS_IS_PRIVATE). */
export function isPrivateAsn(asn: number): boolean {
  return (asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294);
}

/** Every private ASN taken out, empty segments dropped (what an MSEE does toward the customer, R-ER-2). */
export function removePrivateAsns(segs: readonly AsPathSegment[]): AsPathSegment[] {
  return segs
    .map((s) => ({ type: s.type, asns: s.asns.filter((a: number) => !isPrivateAsn(a)) }))
    .filter((s) => s.asns.length > 0);
}

/** Every `asn` in the path becomes `by` (as-override: Cisco, FRR, Junos). */
export function asOverride(segs: readonly AsPathSegment[], asn: number, by: number): AsPathSegment[] {
  return segs.map((s) => ({ type: s.type, asns: s.asns.map((a: number) => (a === asn ? by : a)) }));
}

/**
 * `remove-private-AS` toward `peerAs`, as FRR documents and tests it (bgpd `neighbor PEER
 * remove-private-AS`, topotest bgp_remove_private_as): without `all`, only a path made of
 * private ASNs alone is touched (a mixed path is a configuration error to Cisco and is sent
 * as it is); with `all`, every private ASN goes. In both, the peer's own ASN and the local
 * ASN stay (removing the peer's would defeat its loop detection). `replaceAs` puts the local
 * ASN where a private one was instead of removing it. Runs before the local AS is prepended,
 * so the router's own private ASN is still sent.
 */
export function removePrivateAs(
  segs: readonly AsPathSegment[],
  rule: RemovePrivateAs,
  localAs: number,
  peerAs: number,
): AsPathSegment[] {
  const removable = (a: number) => isPrivateAsn(a) && a !== peerAs && a !== localAs;
  if (!rule.all) {
    for (const s of segs) for (const a of s.asns) if (!isPrivateAsn(a)) return [...segs];
  }
  return segs
    .map((s) => ({
      type: s.type,
      asns: rule.replaceAs ? s.asns.map((a) => (removable(a) ? localAs : a)) : s.asns.filter((a) => !removable(a)),
    }))
    .filter((s) => s.asns.length > 0);
}

/** True when `prefix` is inside the filter's prefix with a length in [ge, le]. */
export function prefixFilterMatches(f: PrefixFilter, prefix: Prefix): boolean {
  if (f.prefix.afi !== prefix.afi || prefix.len < f.ge || prefix.len > f.le || prefix.len < f.prefix.len) return false;
  if (prefix.afi !== 1) return false;
  const len = f.prefix.len;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((prefix.addr as number) & mask) >>> 0 === ((f.prefix.addr as number) & mask) >>> 0;
}

const sameLarge = (a: LargeCommunity, b: LargeCommunity) =>
  a.globalAdmin === b.globalAdmin && a.localData1 === b.localData1 && a.localData2 === b.localData2;

function entryMatches(e: RouteMapEntry, prefix: Prefix, a: RouteAttrs): boolean {
  if (e.prefixes && !e.prefixes.some((f) => prefixFilterMatches(f, prefix))) return false;
  if (e.communities && !e.communities.some((c) => a.communities?.includes(c))) return false;
  if (e.largeCommunities && !e.largeCommunities.some((c) => a.largeCommunities?.some((x) => sameLarge(x, c))))
    return false;
  return true;
}

/** set, then remove, then add; duplicates kept out (communities are a set, RFC 1997). */
function change<T>(list: readonly T[] | undefined, c: CommunityChange<T>, eq: (a: T, b: T) => boolean): T[] {
  let out = [...(c.set ?? list ?? [])];
  if (c.remove) out = out.filter((x) => !c.remove!.some((r) => eq(r, x)));
  for (const x of c.add ?? []) if (!out.some((y) => eq(x, y))) out.push(x);
  return out;
}

/** The route-map's verdict on one route, with the attributes its permit entry sets. */
export function applyRouteMap(entries: readonly RouteMapEntry[], prefix: Prefix, attrs: RouteAttrs): RouteMapResult {
  const i = entries.findIndex((e) => entryMatches(e, prefix, attrs));
  const e = entries[i];
  if (!e) return { permit: false };
  if (e.action === 'deny') return { permit: false, entry: i };
  if (!e.prepend && !e.setCommunities && !e.setLargeCommunities && e.localPref === undefined && e.med === undefined)
    return { permit: true, attrs };
  const { key: _k, asPathLength: _l, ...init } = attrs;
  const communities = e.setCommunities ? change(attrs.communities, e.setCommunities, (x, y) => x === y) : undefined;
  const large = e.setLargeCommunities ? change(attrs.largeCommunities, e.setLargeCommunities, sameLarge) : undefined;
  const next = {
    ...init,
    ...(e.prepend
      ? { asPath: prependAsPath(attrs.asPath, ...new Array<number>(e.prepend.count).fill(e.prepend.asn)) }
      : {}),
    ...(e.localPref !== undefined ? { localPref: e.localPref } : {}),
    ...(e.med !== undefined ? { med: e.med } : {}),
  };
  if (communities) {
    if (communities.length) (next as { communities?: number[] }).communities = communities;
    else delete (next as { communities?: number[] }).communities;
  }
  if (large) {
    if (large.length) (next as { largeCommunities?: LargeCommunity[] }).largeCommunities = large;
    else delete (next as { largeCommunities?: LargeCommunity[] }).largeCommunities;
  }
  return { permit: true, attrs: internAttrs(next) };
}

/** The leftmost ASN of the path (FRR's `last-as`: the neighbour that sent it), if any. */
export function firstAsn(segs: readonly AsPathSegment[]): number | undefined {
  const s = segs[0];
  return s && s.type === AsPathSegmentType.AS_SEQUENCE ? s.asns[0] : undefined;
}
