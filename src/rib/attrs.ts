/**
 * @module rib/attrs
 * Route attributes as the RIB holds them: normalised, frozen and interned, so that the
 * 300,000 routes of one UPDATE stream share a single object (BIRD's route attribute
 * cache, `rta_lookup`). Invariant: the RIB only ever holds interned RouteAttrs — build
 * them with `internAttrs`, never by hand (ADR 0005).
 *
 * Entries are held through WeakRefs: an attribute set no route uses any more is
 * collected by the GC and leaves the table, without hand-kept reference counts.
 */
import {
  AsPathSegmentType,
  formatIpv4,
  type Aggregator,
  type AsPathSegment,
  type LargeCommunity,
  type OriginValue,
  type PathAttributes,
  type UnknownAttribute,
} from '../bgp/wire/index.js';

export interface RouteAttrsInit {
  readonly origin: OriginValue;
  readonly asPath: readonly AsPathSegment[];
  /** Next hop in text form ("10.1.1.4", "2001:db8::1"); IPv6 may add a link-local after a space. */
  readonly nextHop: string;
  readonly med?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: boolean;
  readonly aggregator?: Aggregator;
  readonly communities?: readonly number[];
  readonly extendedCommunities?: readonly bigint[];
  readonly largeCommunities?: readonly LargeCommunity[];
  readonly unknown?: readonly UnknownAttribute[];
}

export interface RouteAttrs extends RouteAttrsInit {
  /** Canonical identity: two sets with the same key are the same object. */
  readonly key: string;
  /** RFC 4271 §9.1.2.2 (a): an AS_SET counts as one, confederation segments as none. */
  readonly asPathLength: number;
}

function hex(u: Uint8Array): string {
  let s = '';
  for (const b of u) s += b.toString(16).padStart(2, '0');
  return s;
}

function segKey(segs: readonly AsPathSegment[]): string {
  let s = '';
  for (const seg of segs) s += `${seg.type}:${seg.asns.join(',')};`;
  return s;
}

export function computeKey(a: RouteAttrsInit): string {
  // Fields in a fixed order; absent fields leave an empty slot.
  return [
    a.origin,
    segKey(a.asPath),
    a.nextHop,
    a.med ?? '',
    a.localPref ?? '',
    a.atomicAggregate ? 1 : '',
    a.aggregator ? `${a.aggregator.asn}@${a.aggregator.address}` : '',
    a.communities?.join(',') ?? '',
    a.extendedCommunities?.map((c) => c.toString(16)).join(',') ?? '',
    a.largeCommunities?.map((c) => `${c.globalAdmin}:${c.localData1}:${c.localData2}`).join(',') ?? '',
    a.unknown?.map((u) => `${u.type}/${u.flags}/${hex(u.value)}`).join(',') ?? '',
  ].join('|');
}

export function asPathLength(segs: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segs) {
    if (s.type === AsPathSegmentType.AS_SEQUENCE) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AS_SET) n += 1;
  }
  return n;
}

const table = new Map<string, WeakRef<RouteAttrs>>();
const registry = new FinalizationRegistry<string>((key) => {
  const ref = table.get(key);
  if (ref && ref.deref() === undefined) table.delete(key);
});

function freezeDeep<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v) && !(v instanceof Uint8Array)) {
    for (const x of Object.values(v as object)) freezeDeep(x);
    Object.freeze(v);
  }
  return v;
}

/** Returns the one shared RouteAttrs equal to `init` (creating it the first time). */
export function internAttrs(init: RouteAttrsInit): RouteAttrs {
  const key = computeKey(init);
  const hit = table.get(key)?.deref();
  if (hit) return hit;
  const attrs: RouteAttrs = freezeDeep({ ...stripUndefined(init), key, asPathLength: asPathLength(init.asPath) });
  table.set(key, new WeakRef(attrs));
  registry.register(attrs, key);
  return attrs;
}

/** Number of distinct attribute sets alive (tests and `arslab status`). */
export function internedCount(): number {
  return table.size;
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** Copy-on-write edit: a new interned set with `patch` applied (BIRD `rta_cow`). */
export function withAttrs(a: RouteAttrs, patch: Partial<RouteAttrsInit>): RouteAttrs {
  const { key: _k, asPathLength: _l, ...rest } = a;
  return internAttrs({ ...rest, ...patch });
}

/** RouteAttrs from a decoded UPDATE's attributes and the next hop that applies to its NLRI. */
export function attrsFromWire(p: PathAttributes, nextHop: string): RouteAttrs {
  return internAttrs({
    origin: p.origin ?? 2,
    asPath: p.asPath ?? [],
    nextHop,
    med: p.med,
    localPref: p.localPref,
    atomicAggregate: p.atomicAggregate || undefined,
    aggregator: p.aggregator,
    communities: p.communities?.length ? p.communities : undefined,
    extendedCommunities: p.extendedCommunities?.length ? p.extendedCommunities : undefined,
    largeCommunities: p.largeCommunities?.length ? p.largeCommunities : undefined,
    unknown: p.unknown?.length ? p.unknown : undefined,
  });
}

// ---------------------------------------------------------------------------
// Helpers on attributes (pure)

/** Every ASN of the path, segments flattened in order. */
export function pathAsns(a: { readonly asPath: readonly AsPathSegment[] }): number[] {
  const out: number[] = [];
  for (const s of a.asPath) out.push(...s.asns);
  return out;
}

export function pathContains(a: { readonly asPath: readonly AsPathSegment[] }, asn: number): boolean {
  for (const s of a.asPath) if (s.asns.includes(asn)) return true;
  return false;
}

/** AS_SEQUENCE with `asns` in front (RFC 4271 §5.1.2 prepend). */
export function prependAsPath(segs: readonly AsPathSegment[], ...asns: number[]): AsPathSegment[] {
  if (asns.length === 0) return [...segs];
  const first = segs[0];
  if (first && first.type === AsPathSegmentType.AS_SEQUENCE) {
    return [{ type: 2, asns: [...asns, ...first.asns] }, ...segs.slice(1)];
  }
  return [{ type: 2, asns }, ...segs];
}

/** "65001-65002" as Azure lists AS paths; an AS_SET shows as "{a,b}". */
export function formatAsPathAzure(segs: readonly AsPathSegment[]): string {
  return segs
    .map((s) => (s.type === AsPathSegmentType.AS_SEQUENCE ? s.asns.join('-') : `{${s.asns.join(',')}}`))
    .filter((x) => x.length > 0)
    .join('-');
}

export function hasCommunity(a: RouteAttrs, c: number): boolean {
  return a.communities?.includes(c) ?? false;
}

export function formatCommunity(c: number): string {
  return `${c >>> 16}:${c & 0xffff}`;
}

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

export { formatIpv4 };
