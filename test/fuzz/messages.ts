/**
 * The end-to-end BGP fuzz suite's inputs and oracle (issue 8), in the style of GoBGP's
 * FuzzParseBGPMessage and its replayed bad-input corpus, but structure-aware: every input is
 * a valid message built from the codec's arbitraries (src/bgp/wire/arbitraries.ts) with one
 * named mutation applied, and the outcome a route server must show for it is given by
 * `expectFor`, a small classifier of that mutation written from the RFC text — never from
 * what ARSLab answers. The octets are written here field by field from RFC 4271 §4, not by
 * ARSLab's encoder, so the codec under test does not build its own inputs.
 *
 * Outcome classes (RFC 7606 §2 and RFC 4271 §6):
 *   accepted            the route is installed; the observer NVA gets it, re-advertised with
 *                       65515 in front (R-ARS-9), unless it is blocked (R-ARS-6, R-ARS-9) or no
 *                       UPDATE can carry it (RFC 4271 §4.1)
 *   attribute-discard   installed without the attribute
 *   treat-as-withdraw   not installed (and withdrawn if it was); the session stays up
 *   session-reset       a NOTIFICATION with one of the listed code/subcodes, then TCP closes
 *   ignored             the session stays up and nothing changes
 *   refresh             the route server sends its Adj-RIB-Out again (RFC 2918 §4)
 *   closed              the peer's NOTIFICATION closes the session; no NOTIFICATION back
 *   established         an OPEN that is accepted (OPEN and KEEPALIVE back)
 *   havoc               octets changed at random: no outcome is predicted, only that the lab
 *                       answers with a NOTIFICATION it knows or keeps the session, and lives
 */
import fc from 'fast-check';
import {
  aggregator as aggregatorArb,
  asn as asnArb,
  communities as communitiesArb,
  extendedCommunities as extendedArb,
  largeCommunities as largeArb,
  origin as originArb,
  unknownAttributes as unknownArb,
  capability as capabilityArb,
} from '../../src/bgp/wire/arbitraries.js';
import type { Aggregator, Capability, LargeCommunity, UnknownAttribute } from '../../src/bgp/wire/index.js';

// ------------------------------------------------------------------------------------------
// Octets, by RFC 4271 §4

const MARKER = new Array<number>(16).fill(0xff);
export const MAX_MESSAGE = 4096; // RFC 4271 §4.1
const u16 = (v: number) => [(v >>> 8) & 0xff, v & 0xff];
const u32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

function message(type: number, body: readonly number[], length = 19 + body.length): Uint8Array {
  return Uint8Array.from([...MARKER, ...u16(length), type, ...body]);
}

/** One IPv4 prefix in NLRI form: length, then ⌈length/8⌉ octets (RFC 4271 §4.3). */
export interface V4 {
  readonly addr: number;
  readonly len: number;
}
export const prefixText = (p: V4) =>
  `${p.addr >>> 24}.${(p.addr >>> 16) & 255}.${(p.addr >>> 8) & 255}.${p.addr & 255}/${p.len}`;
function prefixOctets(p: V4): number[] {
  const n = (p.len + 7) >> 3;
  return [p.len, ...u32(p.addr).slice(0, n)];
}

/** A path attribute as it goes on the wire: flags, type, value (length computed unless forced). */
export interface RawAttr {
  readonly flags: number;
  readonly type: number;
  readonly value: readonly number[];
  /** Write this Attribute Length instead of the value's (framing mutations). */
  readonly length?: number;
}

const OPTIONAL = 0x80;
const TRANSITIVE = 0x40;
const PARTIAL = 0x20;
const EXTENDED = 0x10;
const WK = TRANSITIVE; // well-known: Optional 0, Transitive 1

function attrOctets(a: RawAttr): number[] {
  const len = a.length ?? a.value.length;
  // Extended Length when the value needs it (RFC 4271 §4.3); flags otherwise as given.
  const ext = len > 255 || (a.flags & EXTENDED) !== 0;
  const flags = ext ? a.flags | EXTENDED : a.flags;
  return [flags, a.type, ...(ext ? u16(len) : [len]), ...a.value];
}

/** Attribute octets on the wire: 3, or 4 with Extended Length, plus the value. */
const attrSize = (valueLength: number) => (valueLength > 255 ? 4 : 3) + valueLength;

export interface UpdateParts {
  readonly withdrawn: readonly V4[];
  readonly attrs: readonly RawAttr[];
  readonly nlri: readonly V4[];
  /** Raw octets appended to a field (framing mutations). */
  readonly tailAttrs?: readonly number[];
  readonly tailNlri?: readonly number[];
  readonly tailWithdrawn?: readonly number[];
  /** Lengths written instead of the true ones (framing mutations). */
  readonly withdrawnLength?: number;
  readonly attrsLength?: number;
}

export function updateOctets(u: UpdateParts): Uint8Array {
  const w = [...u.withdrawn.flatMap(prefixOctets), ...(u.tailWithdrawn ?? [])];
  const a = [...u.attrs.flatMap(attrOctets), ...(u.tailAttrs ?? [])];
  const n = [...u.nlri.flatMap(prefixOctets), ...(u.tailNlri ?? [])];
  return message(2, [...u16(u.withdrawnLength ?? w.length), ...w, ...u16(u.attrsLength ?? a.length), ...a, ...n]);
}

export function openOctets(o: {
  version?: number;
  myAs: number;
  holdTime: number;
  bgpId: number;
  params: readonly { type: number; value: readonly number[] }[];
}): Uint8Array {
  const params = o.params.flatMap((p) => [p.type, p.value.length, ...p.value]);
  return message(1, [o.version ?? 4, ...u16(o.myAs), ...u16(o.holdTime), ...u32(o.bgpId), params.length, ...params]);
}

/** A capability's octets (RFC 5492 §4): code, length, value. */
export function capabilityOctets(c: Capability): number[] {
  const v = ((): number[] => {
    switch (c.kind) {
      case 'multiprotocol':
        return [...u16(c.afi), 0, c.safi];
      case 'route-refresh':
      case 'extended-message':
      case 'enhanced-route-refresh':
        return [];
      case 'four-octet-as':
        return u32(c.asn);
      case 'graceful-restart':
        return [
          ...u16((c.restartFlags << 12) | c.restartTime),
          ...c.families.flatMap((f) => [...u16(f.afi), f.safi, f.flags]),
        ];
      case 'add-path':
        return c.families.flatMap((f) => [...u16(f.afi), f.safi, f.sendReceive]);
      case 'fqdn': {
        const h = [...new TextEncoder().encode(c.hostname)];
        const d = [...new TextEncoder().encode(c.domain)];
        return [h.length, ...h, d.length, ...d];
      }
      case 'unknown':
        return [...c.value];
    }
  })();
  const code = {
    multiprotocol: 1,
    'route-refresh': 2,
    'extended-message': 6,
    'enhanced-route-refresh': 70,
    'four-octet-as': 65,
    'graceful-restart': 64,
    'add-path': 69,
    fqdn: 73,
  } as Record<string, number>;
  return [c.kind === 'unknown' ? c.code : code[c.kind]!, v.length, ...v];
}

export const keepaliveOctets = (extra: readonly number[] = []) => message(4, extra);
export const notificationOctets = (code: number, subcode: number, data: readonly number[]) =>
  message(3, [code, subcode, ...data]);
export const routeRefreshOctets = (afi: number, subtype: number, safi: number, extra: readonly number[] = []) =>
  message(5, [...u16(afi), subtype, safi, ...extra]);

// ------------------------------------------------------------------------------------------
// What a fuzz session knows about its place in the lab

export interface FuzzContext {
  /** The configured peer ASN of the fuzzing NVA (≤ 65535, R-ARS-3). */
  readonly peerAs: number;
  /** The route-server instance's own addresses (emulated and mapped) as uint32. */
  readonly instanceAddresses: readonly number[];
}

/** The route server's ASN (R-ARS-1). */
export const RS_ASN = 65515;

// ------------------------------------------------------------------------------------------
// Outcomes, and what the observer NVA must receive

export interface ExpectedRoute {
  /** AS_PATH as the observer must see it: segments [type, ASNs], adjacent AS_SEQUENCEs merged. */
  readonly asPath: readonly (readonly [number, readonly number[]])[];
  readonly origin: number;
  readonly communities: readonly number[];
  readonly largeCommunities: readonly string[];
  readonly extendedCommunities: readonly string[];
  readonly aggregator?: string;
  readonly atomicAggregate: boolean;
  /** Unrecognized optional transitive attributes, passed on with Partial set (RFC 4271 §5): "type:hexvalue". */
  readonly unknown: readonly string[];
}

export type Expect =
  | {
      readonly kind: 'accepted' | 'attribute-discard';
      readonly rule: string;
      /** Per announced prefix: the route the observer gets, or why it gets none. */
      readonly reflect: readonly { readonly prefix: string; readonly route?: ExpectedRoute; readonly not?: string }[];
    }
  | { readonly kind: 'treat-as-withdraw'; readonly rule: string; readonly prefixes: readonly string[] }
  | { readonly kind: 'session-reset'; readonly rule: string; readonly notifications: readonly string[] }
  | { readonly kind: 'ignored' | 'refresh' | 'closed' | 'established' | 'havoc'; readonly rule: string };

export type OutcomeClass = Expect['kind'];

/** One input: the octets, what was done to make them, and the expected outcome. */
export interface FuzzInput {
  readonly message: 'OPEN' | 'UPDATE' | 'NOTIFICATION' | 'ROUTE-REFRESH' | 'KEEPALIVE';
  readonly mutation: string;
  readonly octets: Uint8Array;
  readonly expect: Expect;
}

// ------------------------------------------------------------------------------------------
// Valid routes (the base every UPDATE mutation starts from)

export interface Route {
  readonly origin: number;
  readonly asPath: readonly { readonly type: 1 | 2; readonly asns: readonly number[] }[];
  readonly nextHop: number;
  readonly med?: number;
  readonly communities?: readonly number[];
  readonly extendedCommunities?: readonly bigint[];
  readonly largeCommunities?: readonly LargeCommunity[];
  readonly aggregator?: Aggregator;
  readonly atomicAggregate?: boolean;
  readonly unknown?: readonly UnknownAttribute[];
}

/** RFC 1997 well-known communities (NO_EXPORT, NO_ADVERTISE, NO_EXPORT_SUBCONFED): policy, kept out of the base. */
const isWellKnownCommunity = (c: number) => c >= 0xffffff01 && c <= 0xffffff03;

/** A unicast next hop no rule refuses: 1.0.0.0–223.255.255.255 without 10/8 (the lab's) and 127/8. */
const nextHopArb = fc.integer({ min: 0x01000000, max: 0xdfffffff }).filter((a) => a >>> 24 !== 10 && a >>> 24 !== 127);

const pathAsn = asnArb.filter((a) => a !== RS_ASN);

export const routeArb: fc.Arbitrary<Route> = fc.record(
  {
    origin: originArb,
    asPath: fc.array(
      fc.oneof(
        {
          weight: 4,
          arbitrary: fc.array(pathAsn, { minLength: 1, maxLength: 12 }).map((asns) => ({ type: 2 as const, asns })),
        },
        {
          weight: 1,
          arbitrary: fc.array(pathAsn, { minLength: 1, maxLength: 4 }).map((asns) => ({ type: 1 as const, asns })),
        },
      ),
      { maxLength: 3 },
    ),
    nextHop: nextHopArb,
    med: fc.integer({ min: 0, max: 0xffffffff }),
    communities: communitiesArb.map((cs) => cs.filter((c) => !isWellKnownCommunity(c))).filter((cs) => cs.length > 0),
    extendedCommunities: extendedArb,
    largeCommunities: largeArb,
    aggregator: aggregatorArb.filter((a) => a.asn !== 0),
    atomicAggregate: fc.constant(true),
    // Unrecognized attributes only (not ORIGINATOR_ID / CLUSTER_LIST, which a route server
    // recognizes as a route reflector's), with flags a sender may set: Partial only when transitive.
    unknown: unknownArb
      .map((us) =>
        us.filter((u) => u.type !== 9 && u.type !== 10 && !((u.flags & PARTIAL) !== 0 && (u.flags & TRANSITIVE) === 0)),
      )
      .filter((us) => us.length > 0),
  },
  { requiredKeys: ['origin', 'asPath', 'nextHop'] },
);

/** The route's attributes, type by type (RFC 4271 §4.3, §5; RFC 1997; RFC 4360; RFC 8092). */
export function routeAttrs(r: Route): RawAttr[] {
  const out: RawAttr[] = [
    { flags: WK, type: 1, value: [r.origin] },
    { flags: WK, type: 2, value: r.asPath.flatMap((s) => [s.type, s.asns.length, ...s.asns.flatMap(u32)]) },
    { flags: WK, type: 3, value: u32(r.nextHop) },
  ];
  if (r.med !== undefined) out.push({ flags: OPTIONAL, type: 4, value: u32(r.med) });
  if (r.atomicAggregate) out.push({ flags: WK, type: 6, value: [] });
  if (r.aggregator)
    out.push({
      flags: OPTIONAL | TRANSITIVE,
      type: 7,
      value: [...u32(r.aggregator.asn), ...u32(r.aggregator.address)],
    });
  if (r.communities) out.push({ flags: OPTIONAL | TRANSITIVE, type: 8, value: r.communities.flatMap(u32) });
  if (r.extendedCommunities)
    out.push({
      flags: OPTIONAL | TRANSITIVE,
      type: 16,
      value: r.extendedCommunities.flatMap((c) => [...u32(Number(c >> 32n)), ...u32(Number(c & 0xffffffffn))]),
    });
  if (r.largeCommunities)
    out.push({
      flags: OPTIONAL | TRANSITIVE,
      type: 32,
      value: r.largeCommunities.flatMap((c) => [...u32(c.globalAdmin), ...u32(c.localData1), ...u32(c.localData2)]),
    });
  for (const u of r.unknown ?? []) out.push({ flags: u.flags & ~EXTENDED, type: u.type, value: [...u.value] });
  return out.sort((a, b) => a.type - b.type);
}

const hexOf = (v: readonly number[]) => Buffer.from(v).toString('hex');

/**
 * What the observer NVA must receive for `r` (R-ARS-9: 65515 prepended, next hop the
 * instance, MED and LOCAL_PREF not carried; RFC 4271 §5: unrecognized optional transitive
 * attributes passed on with Partial set, non-transitive ones dropped), or why nothing:
 * R-ARS-6 (65515 in the path), R-ARS-9 (NO_EXPORT / NO_ADVERTISE toward an eBGP peer,
 * RFC 1997), or no UPDATE of at most 4,096 octets can carry it (RFC 4271 §4.1).
 */
export function reflection(r: Route, prefix: V4): { route?: ExpectedRoute; not?: string } {
  if (r.asPath.some((s) => s.asns.includes(RS_ASN))) return { not: 'R-ARS-6' };
  if (r.communities?.some((c) => c === 0xffffff01 || c === 0xffffff02 || c === 0xffffff03)) return { not: 'R-ARS-9' };
  const segs: [number, number[]][] = [];
  const first = r.asPath[0];
  if (first?.type === 2)
    segs.push([2, [RS_ASN, ...first.asns]], ...r.asPath.slice(1).map((s): [number, number[]] => [s.type, [...s.asns]]));
  else segs.push([2, [RS_ASN]], ...r.asPath.map((s): [number, number[]] => [s.type, [...s.asns]]));
  const transitiveUnknown = (r.unknown ?? []).filter((u) => (u.flags & OPTIONAL) !== 0 && (u.flags & TRANSITIVE) !== 0);
  // Size of the re-advertisement with this one prefix (RFC 4271 §4.3): a segment longer than
  // 255 ASNs goes as several segments.
  const asPathValue = segs.reduce(
    (n, [, asns]) => n + 2 * Math.max(1, Math.ceil(asns.length / 255)) + 4 * asns.length,
    0,
  );
  const size =
    23 +
    attrSize(1) +
    attrSize(asPathValue) +
    attrSize(4) +
    (r.atomicAggregate ? attrSize(0) : 0) +
    (r.aggregator ? attrSize(8) : 0) +
    (r.communities ? attrSize(4 * r.communities.length) : 0) +
    (r.extendedCommunities ? attrSize(8 * r.extendedCommunities.length) : 0) +
    (r.largeCommunities ? attrSize(12 * r.largeCommunities.length) : 0) +
    transitiveUnknown.reduce((n, u) => n + attrSize(u.value.length), 0) +
    1 +
    ((prefix.len + 7) >> 3);
  if (size > MAX_MESSAGE) return { not: `RFC4271-4.1 (${size} octets)` };
  return { route: expectedRoute(r, segs, transitiveUnknown) };
}

function expectedRoute(r: Route, segs: [number, number[]][], unknown: readonly UnknownAttribute[]): ExpectedRoute {
  return {
    asPath: normalizePath(segs),
    origin: r.origin,
    communities: [...(r.communities ?? [])],
    largeCommunities: (r.largeCommunities ?? []).map((c) => `${c.globalAdmin}:${c.localData1}:${c.localData2}`),
    extendedCommunities: (r.extendedCommunities ?? []).map((c) => c.toString(16)),
    ...(r.aggregator ? { aggregator: `${r.aggregator.asn} ${r.aggregator.address}` } : {}),
    atomicAggregate: r.atomicAggregate === true,
    unknown: unknown.map((u) => `${u.type}:${hexOf([...u.value])}`).sort(),
  };
}

/** Segments with adjacent AS_SEQUENCEs merged: how a path is compared, whatever its splitting. */
export function normalizePath(segs: readonly (readonly [number, readonly number[]])[]): [number, number[]][] {
  const out: [number, number[]][] = [];
  for (const [t, asns] of segs) {
    if (asns.length === 0) continue;
    const last = out.at(-1);
    if (t === 2 && last?.[0] === 2) last[1].push(...asns);
    else out.push([t, [...asns]]);
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// UPDATE mutations and their expected outcome (the oracle)

/** What was done to a valid UPDATE, with the parameters the oracle needs. */
export type UpdateMutation =
  | { readonly kind: 'valid' }
  | { readonly kind: 'grow'; readonly communities: number }
  | { readonly kind: 'origin-value'; readonly value: number }
  | { readonly kind: 'origin-length'; readonly length: number }
  | { readonly kind: 'next-hop-length'; readonly length: number }
  | { readonly kind: 'next-hop-unusable'; readonly address: number }
  | { readonly kind: 'next-hop-self'; readonly which: number }
  | { readonly kind: 'missing'; readonly type: 1 | 2 | 3 }
  | { readonly kind: 'as-path-overrun'; readonly extra: number }
  | { readonly kind: 'as-path-zero-segment' }
  | { readonly kind: 'as-path-segment-type'; readonly type: number }
  | { readonly kind: 'as-path-odd-octet' }
  | { readonly kind: 'as-path-as0' }
  | { readonly kind: 'as-path-confed'; readonly type: 3 | 4 }
  | { readonly kind: 'as-path-65515' }
  | { readonly kind: 'well-known-community'; readonly community: number }
  | { readonly kind: 'med-length'; readonly length: number }
  | { readonly kind: 'local-pref-ebgp'; readonly length: number }
  | { readonly kind: 'atomic-aggregate-length'; readonly length: number }
  | { readonly kind: 'aggregator-length'; readonly length: number }
  | { readonly kind: 'aggregator-as0' }
  | { readonly kind: 'communities-length'; readonly length: number }
  | { readonly kind: 'extended-communities-length'; readonly length: number }
  | { readonly kind: 'large-communities-length'; readonly length: number }
  | { readonly kind: 'flags-conflict'; readonly type: number; readonly flags: number }
  | { readonly kind: 'as4-path-from-4-octet-peer' }
  | { readonly kind: 'duplicate'; readonly communities: readonly number[] }
  | { readonly kind: 'duplicate-mp-reach' }
  | { readonly kind: 'unknown-well-known'; readonly type: number }
  | { readonly kind: 'attribute-overrun'; readonly extra: number }
  | { readonly kind: 'attribute-header-cut'; readonly octets: number }
  | { readonly kind: 'total-attribute-length-overrun'; readonly extra: number }
  | { readonly kind: 'withdrawn-length-overrun'; readonly extra: number }
  | { readonly kind: 'nlri-prefix-too-long'; readonly len: number }
  | { readonly kind: 'nlri-overrun' }
  | { readonly kind: 'ipv4-mp-reach-ipv6-next-hop'; readonly length: 16 | 32 };

export const updateMutationArb: fc.Arbitrary<UpdateMutation> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'valid' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('grow' as const), communities: fc.integer({ min: 980, max: 1025 }) }),
  },
  fc.record({ kind: fc.constant('origin-value' as const), value: fc.integer({ min: 3, max: 255 }) }),
  fc.record({ kind: fc.constant('origin-length' as const), length: fc.constantFrom(0, 2, 3) }),
  fc.record({ kind: fc.constant('next-hop-length' as const), length: fc.constantFrom(0, 1, 3, 5, 8, 16) }),
  fc.record({
    kind: fc.constant('next-hop-unusable' as const),
    address: fc.oneof(fc.constant(0), fc.integer({ min: 0xe0000000, max: 0xffffffff })),
  }),
  fc.record({ kind: fc.constant('next-hop-self' as const), which: fc.nat() }),
  fc.record({ kind: fc.constant('missing' as const), type: fc.constantFrom(1 as const, 2 as const, 3 as const) }),
  fc.record({ kind: fc.constant('as-path-overrun' as const), extra: fc.integer({ min: 1, max: 5 }) }),
  fc.constant({ kind: 'as-path-zero-segment' as const }),
  fc.record({
    kind: fc.constant('as-path-segment-type' as const),
    type: fc.oneof(fc.constant(0), fc.integer({ min: 5, max: 255 })),
  }),
  fc.constant({ kind: 'as-path-odd-octet' as const }),
  fc.constant({ kind: 'as-path-as0' as const }),
  fc.record({ kind: fc.constant('as-path-confed' as const), type: fc.constantFrom(3 as const, 4 as const) }),
  fc.constant({ kind: 'as-path-65515' as const }),
  fc.record({
    kind: fc.constant('well-known-community' as const),
    community: fc.constantFrom(0xffffff01, 0xffffff02),
  }),
  fc.record({ kind: fc.constant('med-length' as const), length: fc.constantFrom(0, 2, 5, 8) }),
  fc.record({ kind: fc.constant('local-pref-ebgp' as const), length: fc.constantFrom(4, 4, 0, 3, 5) }),
  fc.record({ kind: fc.constant('atomic-aggregate-length' as const), length: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('aggregator-length' as const), length: fc.constantFrom(0, 4, 6, 7, 9, 12) }),
  fc.constant({ kind: 'aggregator-as0' as const }),
  fc.record({ kind: fc.constant('communities-length' as const), length: fc.constantFrom(0, 1, 2, 3, 5, 7) }),
  fc.record({ kind: fc.constant('extended-communities-length' as const), length: fc.constantFrom(0, 4, 7, 9, 12) }),
  fc.record({ kind: fc.constant('large-communities-length' as const), length: fc.constantFrom(0, 4, 8, 11, 13) }),
  fc.record({
    kind: fc.constant('flags-conflict' as const),
    type: fc.constantFrom(1, 2, 3, 4, 6, 7, 8, 16, 32),
    flags: fc.constantFrom(OPTIONAL, TRANSITIVE, OPTIONAL | TRANSITIVE, 0),
  }),
  fc.constant({ kind: 'as4-path-from-4-octet-peer' as const }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    communities: fc.array(fc.integer({ min: 1, max: 0xfffeffff }), { minLength: 1, maxLength: 4 }),
  }),
  fc.constant({ kind: 'duplicate-mp-reach' as const }),
  fc.record({
    kind: fc.constant('unknown-well-known' as const),
    // Codes no RFC assigns (IANA BGP Path Attributes), so no speaker recognizes them.
    type: fc.oneof(fc.integer({ min: 50, max: 127 }), fc.integer({ min: 129, max: 239 })),
  }),
  fc.record({ kind: fc.constant('attribute-overrun' as const), extra: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('attribute-header-cut' as const), octets: fc.constantFrom(1, 2) }),
  fc.record({ kind: fc.constant('total-attribute-length-overrun' as const), extra: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ kind: fc.constant('withdrawn-length-overrun' as const), extra: fc.integer({ min: 1, max: 3000 }) }),
  fc.record({ kind: fc.constant('nlri-prefix-too-long' as const), len: fc.integer({ min: 33, max: 255 }) }),
  fc.constant({ kind: 'nlri-overrun' as const }),
  fc.record({
    kind: fc.constant('ipv4-mp-reach-ipv6-next-hop' as const),
    length: fc.constantFrom(16 as const, 32 as const),
  }),
);

/** Mutations whose expected outcome ends the session: they go last in a batch. */
export function endsSession(e: Expect): boolean {
  return e.kind === 'session-reset' || e.kind === 'closed' || e.kind === 'havoc';
}

const withValue = (attrs: RawAttr[], type: number, value: number[], flags?: number): RawAttr[] =>
  attrs.map((a) => (a.type === type ? { ...a, value, ...(flags !== undefined ? { flags } : {}) } : a));
const ensure = (attrs: RawAttr[], a: RawAttr): RawAttr[] =>
  attrs.some((x) => x.type === a.type) ? attrs : [...attrs, a].sort((x, y) => x.type - y.type);
const fill = (n: number, seed = 0x5a) => Array.from({ length: n }, (_, i) => (seed + i * 37) & 0xff);

/**
 * The UPDATE for `route` announcing `nlri` with `m` applied, and its expected outcome. Each
 * case cites the rule it follows; "treat-as-withdraw" and "attribute-discard" are RFC 7606 §2.
 */
export function mutateUpdate(route: Route, nlri: readonly V4[], m: UpdateMutation, ctx: FuzzContext): FuzzInput {
  const prefixes = nlri.map(prefixText);
  let r: Route = route;
  let attrs = routeAttrs(route);
  const parts: { -readonly [K in keyof UpdateParts]?: UpdateParts[K] } = {};
  let expect: Expect | undefined;
  const withdraw = (rule: string): Expect => ({ kind: 'treat-as-withdraw', rule, prefixes });
  const reset = (rule: string, ...notifications: string[]): Expect => ({ kind: 'session-reset', rule, notifications });
  switch (m.kind) {
    case 'valid':
      break;
    case 'grow': {
      // Communities until the UPDATE is near 4,096 octets: whether the re-advertisement
      // (65515 in front) still fits decides what the observer gets (RFC 4271 §4.1; issue 8).
      const base = updateOctets({
        withdrawn: [],
        attrs: routeAttrs({ ...route, communities: undefined }),
        nlri: nlri.slice(0, 1),
      }).length;
      const room = Math.floor((MAX_MESSAGE - base - 4) / 4);
      const n = Math.max(1, Math.min(m.communities, room));
      r = { ...route, communities: Array.from({ length: n }, (_, i) => ((ctx.peerAs << 16) | (i + 1)) >>> 0) };
      attrs = routeAttrs(r);
      nlri = nlri.slice(0, 1);
      break;
    }
    case 'origin-value':
      attrs = withValue(attrs, 1, [m.value]);
      expect = withdraw('RFC7606-7.1');
      break;
    case 'origin-length':
      attrs = withValue(attrs, 1, fill(m.length, 0));
      expect = withdraw('RFC7606-7.1');
      break;
    case 'next-hop-length':
      attrs = withValue(attrs, 3, fill(m.length, 1));
      expect = withdraw('RFC7606-7.3');
      break;
    case 'next-hop-unusable':
      attrs = withValue(attrs, 3, u32(m.address));
      expect = withdraw('RFC4271-6.3');
      break;
    case 'next-hop-self':
      attrs = withValue(attrs, 3, u32(ctx.instanceAddresses[m.which % ctx.instanceAddresses.length]!));
      expect = withdraw('RFC4271-6.3(a)');
      break;
    case 'missing':
      attrs = attrs.filter((a) => a.type !== m.type);
      expect = withdraw('RFC7606-3(d)');
      break;
    case 'as-path-overrun': {
      // A segment whose ASN count runs past the attribute (RFC 7606 §7.2 overrun).
      const v = [2, 1 + m.extra, ...u32(ctx.peerAs)];
      attrs = withValue(attrs, 2, v);
      expect = withdraw('RFC7606-7.2');
      break;
    }
    case 'as-path-zero-segment':
      attrs = withValue(attrs, 2, [2, 1, ...u32(ctx.peerAs), 2, 0]);
      expect = withdraw('RFC7606-7.2');
      break;
    case 'as-path-segment-type':
      attrs = withValue(attrs, 2, [m.type, 1, ...u32(ctx.peerAs)]);
      expect = withdraw('RFC7606-7.2');
      break;
    case 'as-path-odd-octet':
      attrs = withValue(attrs, 2, [2, 1, ...u32(ctx.peerAs), 2]);
      expect = withdraw('RFC7606-7.2');
      break;
    case 'as-path-as0':
      attrs = withValue(attrs, 2, [2, 2, ...u32(ctx.peerAs), ...u32(0)]);
      expect = withdraw('RFC7607-2');
      break;
    case 'as-path-confed':
      // RFC 5065 §5 / RFC 7606 §7.2: confederation segments from an external peer.
      attrs = withValue(attrs, 2, [m.type, 1, ...u32(64512), 2, 1, ...u32(ctx.peerAs)]);
      expect = withdraw('RFC7606-7.2');
      break;
    case 'as-path-65515':
      r = { ...route, asPath: [{ type: 2, asns: [ctx.peerAs, RS_ASN] }] };
      attrs = routeAttrs(r);
      break;
    case 'well-known-community':
      r = { ...route, communities: [...(route.communities ?? []), m.community] };
      attrs = routeAttrs(r);
      break;
    case 'med-length':
      attrs = ensure(attrs, { flags: OPTIONAL, type: 4, value: [] });
      attrs = withValue(attrs, 4, fill(m.length));
      expect = withdraw('RFC7606-7.4');
      break;
    case 'local-pref-ebgp': {
      // RFC 7606 §7.5: from an external neighbour LOCAL_PREF "SHALL be discarded using the
      // approach of attribute discard", whatever its length (only from an internal one is a
      // wrong length malformed). Not re-advertised to NVAs either way: the route is as if
      // the attribute was never there.
      attrs = ensure(attrs, { flags: WK, type: 5, value: fill(m.length, 100) });
      expect = { kind: 'attribute-discard', rule: 'RFC7606-7.5', reflect: [] };
      break;
    }
    case 'atomic-aggregate-length':
      attrs = ensure(attrs, { flags: WK, type: 6, value: [] });
      attrs = withValue(attrs, 6, fill(m.length));
      r = { ...route, atomicAggregate: false };
      expect = { kind: 'attribute-discard', rule: 'RFC7606-7.6', reflect: [] };
      break;
    case 'aggregator-length':
      // On a 4-octet AS session AGGREGATOR is 8 octets; any other length is malformed.
      attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 7, value: [] });
      attrs = withValue(attrs, 7, fill(m.length, 1));
      r = { ...route, aggregator: undefined };
      expect = { kind: 'attribute-discard', rule: 'RFC7606-7.7', reflect: [] };
      break;
    case 'aggregator-as0':
      attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 7, value: [] });
      attrs = withValue(attrs, 7, [...u32(0), 192, 0, 2, 1]);
      r = { ...route, aggregator: undefined };
      expect = { kind: 'attribute-discard', rule: 'RFC7607-2', reflect: [] };
      break;
    case 'communities-length':
      attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 8, value: [] });
      attrs = withValue(attrs, 8, fill(m.length));
      expect = withdraw('RFC7606-7.8');
      break;
    case 'extended-communities-length':
      attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 16, value: [] });
      attrs = withValue(attrs, 16, fill(m.length));
      expect = withdraw('RFC7606-7.14');
      break;
    case 'large-communities-length':
      attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 32, value: [] });
      attrs = withValue(attrs, 32, fill(m.length));
      expect = withdraw('RFC8092-6');
      break;
    case 'flags-conflict': {
      // RFC 7606 §3(c): Optional or Transitive bits in conflict with the attribute's type.
      const canonical: Record<number, number> = {
        1: WK,
        2: WK,
        3: WK,
        4: OPTIONAL,
        6: WK,
        7: OPTIONAL | TRANSITIVE,
        8: OPTIONAL | TRANSITIVE,
        16: OPTIONAL | TRANSITIVE,
        32: OPTIONAL | TRANSITIVE,
      };
      const want = canonical[m.type]!;
      const flags = m.flags === want ? want ^ OPTIONAL : m.flags;
      if (m.type === 4) attrs = ensure(attrs, { flags: OPTIONAL, type: 4, value: u32(7) });
      if (m.type === 6) attrs = ensure(attrs, { flags: WK, type: 6, value: [] });
      if (m.type === 7)
        attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 7, value: [...u32(ctx.peerAs), 192, 0, 2, 1] });
      if (m.type === 8) attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 8, value: u32(0x00010002) });
      if (m.type === 16)
        attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 16, value: [0, 2, 0, 1, 0, 0, 0, 1] });
      if (m.type === 32)
        attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 32, value: [...u32(1), ...u32(2), ...u32(3)] });
      attrs = attrs.map((a) => (a.type === m.type ? { ...a, flags } : a));
      expect = withdraw('RFC7606-3(c)');
      break;
    }
    case 'as4-path-from-4-octet-peer':
      // RFC 6793 §4.1: between 4-octet speakers AS4_PATH "MUST be discarded" silently.
      attrs = ensure(attrs, { flags: OPTIONAL | TRANSITIVE, type: 17, value: [2, 1, ...u32(4200000000)] });
      break;
    case 'duplicate': {
      // RFC 7606 §3(g): a repeated attribute: all but the first are discarded.
      const first = route.communities ?? [0x00010001];
      r = { ...route, communities: first };
      attrs = ensure(routeAttrs(r), { flags: OPTIONAL | TRANSITIVE, type: 8, value: [] });
      const at = attrs.findIndex((a) => a.type === 8);
      attrs = [
        ...attrs.slice(0, at + 1),
        { flags: OPTIONAL | TRANSITIVE, type: 8, value: m.communities.flatMap(u32) },
        ...attrs.slice(at + 1),
      ];
      expect = { kind: 'attribute-discard', rule: 'RFC7606-3(g)', reflect: [] };
      break;
    }
    case 'duplicate-mp-reach': {
      const mp: RawAttr = { flags: OPTIONAL, type: 14, value: [0, 1, 1, 4, 192, 0, 2, 1, 0] };
      attrs = [mp, mp, ...attrs];
      expect = reset('RFC7606-3(g)', '3/1');
      break;
    }
    case 'unknown-well-known': {
      // A type the route does not carry already: a repeat would be discarded first (RFC 7606 §3(g)).
      let type = m.type;
      while (attrs.some((a) => a.type === type)) type = type === 239 ? 50 : type + 1;
      attrs = [...attrs, { flags: WK, type, value: [1, 2] }];
      expect = reset('RFC4271-6.3', '3/2');
      break;
    }
    case 'attribute-overrun': {
      // The last attribute's length runs past the Path Attributes (RFC 7606 §4).
      const last = attrs.at(-1)!;
      attrs = [...attrs.slice(0, -1), { ...last, length: last.value.length + m.extra, flags: last.flags & ~EXTENDED }];
      if (last.value.length + m.extra > 255 !== last.value.length > 255)
        attrs[attrs.length - 1] = { ...last, length: last.value.length + m.extra };
      expect = withdraw('RFC7606-4');
      break;
    }
    case 'attribute-header-cut':
      parts.tailAttrs = m.octets === 1 ? [OPTIONAL] : [OPTIONAL, 99];
      expect = withdraw('RFC7606-4');
      break;
    case 'total-attribute-length-overrun': {
      const a = attrs.flatMap(attrOctets).length;
      const n = nlri.flatMap(prefixOctets).length;
      parts.attrsLength = a + n + m.extra;
      expect = reset('RFC7606-4', '3/1');
      break;
    }
    case 'withdrawn-length-overrun': {
      const a = attrs.flatMap(attrOctets).length;
      const n = nlri.flatMap(prefixOctets).length;
      parts.withdrawnLength = Math.min(0xffff, a + n + 2 + m.extra);
      expect = reset('RFC4271-6.3', '3/1');
      break;
    }
    case 'nlri-prefix-too-long':
      parts.tailNlri = [m.len, 1, 2, 3, 4];
      expect = reset('RFC7606-5.3', '3/10');
      break;
    case 'nlri-overrun':
      parts.tailNlri = [24, 10];
      expect = reset('RFC7606-5.3', '3/10');
      break;
    case 'ipv4-mp-reach-ipv6-next-hop': {
      // RFC 8950 §4: no Extended Next Hop Encoding capability was negotiated, so a 16- or
      // 32-octet next hop for IPv4 NLRI is "inconsistent with that which was expected": the
      // attribute is malformed, "session reset" or "AFI/SAFI disable" (RFC 7606 §7.11).
      const nh = fill(m.length, 0x20);
      attrs = [
        { flags: OPTIONAL, type: 14, value: [0, 1, 1, m.length, ...nh, 0, ...nlri.flatMap(prefixOctets)] },
        ...attrs.filter((a) => a.type !== 3),
      ];
      nlri = [];
      expect = reset('RFC7606-7.11', '3/9');
      break;
    }
  }
  const octets = updateOctets({ withdrawn: [], attrs, nlri, ...parts });
  if (expect === undefined || expect.kind === 'attribute-discard') {
    const reflect = nlri.map((p) => ({ prefix: prefixText(p), ...reflection(r, p) }));
    expect =
      expect?.kind === 'attribute-discard'
        ? { ...expect, reflect }
        : {
            kind: 'accepted',
            rule: m.kind === 'valid' || m.kind === 'grow' ? 'RFC4271-9' : mutationRule(m.kind),
            reflect,
          };
  }
  return { message: 'UPDATE', mutation: m.kind, octets, expect };
}

function mutationRule(kind: UpdateMutation['kind']): string {
  switch (kind) {
    case 'as-path-65515':
      return 'R-ARS-6';
    case 'well-known-community':
      return 'R-ARS-9 (RFC 1997)';
    case 'as4-path-from-4-octet-peer':
      return 'RFC6793-4.1';
    default:
      return 'RFC4271-9';
  }
}

// ------------------------------------------------------------------------------------------
// Header, KEEPALIVE, ROUTE-REFRESH, NOTIFICATION and OPEN mutations

export type OtherMutation =
  | { readonly kind: 'marker'; readonly at: number; readonly xor: number }
  | { readonly kind: 'length-out-of-range'; readonly length: number }
  | { readonly kind: 'update-shorter-than-23'; readonly length: number }
  | { readonly kind: 'type-unknown'; readonly type: number }
  | { readonly kind: 'keepalive' }
  | { readonly kind: 'keepalive-with-body'; readonly octets: number }
  | { readonly kind: 'route-refresh' }
  | { readonly kind: 'route-refresh-other-family'; readonly afi: number; readonly safi: number }
  | { readonly kind: 'route-refresh-reserved-subtype'; readonly subtype: number; readonly extra: number }
  | { readonly kind: 'route-refresh-borr-eorr'; readonly subtype: 1 | 2 }
  | { readonly kind: 'route-refresh-borr-eorr-length'; readonly subtype: 1 | 2; readonly extra: number }
  | { readonly kind: 'notification'; readonly code: number; readonly subcode: number; readonly data: readonly number[] }
  | { readonly kind: 'notification-short'; readonly octets: number };

export const otherMutationArb: fc.Arbitrary<OtherMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('marker' as const),
    at: fc.integer({ min: 0, max: 15 }),
    xor: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('length-out-of-range' as const),
    length: fc.oneof(fc.integer({ min: 0, max: 18 }), fc.integer({ min: 4097, max: 0xffff })),
  }),
  fc.record({ kind: fc.constant('update-shorter-than-23' as const), length: fc.integer({ min: 19, max: 22 }) }),
  fc.record({
    kind: fc.constant('type-unknown' as const),
    type: fc.oneof(fc.constant(0), fc.integer({ min: 6, max: 255 })),
  }),
  { weight: 3, arbitrary: fc.constant({ kind: 'keepalive' as const }) },
  fc.record({ kind: fc.constant('keepalive-with-body' as const), octets: fc.integer({ min: 1, max: 8 }) }),
  { weight: 2, arbitrary: fc.constant({ kind: 'route-refresh' as const }) },
  fc.record({
    kind: fc.constant('route-refresh-other-family' as const),
    afi: fc.constantFrom(2, 25, 16388),
    safi: fc.constantFrom(1, 2, 128),
  }),
  fc.record({
    kind: fc.constant('route-refresh-reserved-subtype' as const),
    subtype: fc.integer({ min: 3, max: 255 }),
    extra: fc.integer({ min: -1, max: 20 }),
  }),
  fc.record({
    kind: fc.constant('route-refresh-borr-eorr' as const),
    subtype: fc.constantFrom(1 as const, 2 as const),
  }),
  fc.record({
    kind: fc.constant('route-refresh-borr-eorr-length' as const),
    subtype: fc.constantFrom(1 as const, 2 as const),
    extra: fc.integer({ min: -1, max: 20 }).filter((x) => x !== 0),
  }),
  fc.record({
    kind: fc.constant('notification' as const),
    code: fc.integer({ min: 0, max: 255 }),
    subcode: fc.integer({ min: 0, max: 255 }),
    data: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 32 }),
  }),
  fc.record({ kind: fc.constant('notification-short' as const), octets: fc.integer({ min: 0, max: 1 }) }),
);

export function mutateOther(m: OtherMutation): FuzzInput {
  const reset = (rule: string, ...notifications: string[]): Expect => ({ kind: 'session-reset', rule, notifications });
  switch (m.kind) {
    case 'marker': {
      const b = keepaliveOctets();
      b[m.at] = b[m.at]! ^ m.xor;
      return { message: 'KEEPALIVE', mutation: m.kind, octets: b, expect: reset('RFC4271-6.1', '1/1') };
    }
    case 'length-out-of-range':
      return {
        message: 'KEEPALIVE',
        mutation: m.kind,
        octets: message(4, [], m.length),
        expect: reset('RFC4271-6.1', '1/2'),
      };
    case 'update-shorter-than-23':
      return {
        message: 'UPDATE',
        mutation: m.kind,
        octets: message(2, fill(m.length - 19, 0), m.length),
        expect: reset('RFC4271-6.1', '1/2'),
      };
    case 'type-unknown':
      return {
        message: 'KEEPALIVE',
        mutation: m.kind,
        octets: message(m.type, []),
        expect: reset('RFC4271-6.1', '1/3'),
      };
    case 'keepalive':
      return {
        message: 'KEEPALIVE',
        mutation: 'valid',
        octets: keepaliveOctets(),
        expect: { kind: 'ignored', rule: 'RFC4271-4.4' },
      };
    case 'keepalive-with-body':
      // RFC 4271 §6.1: "if the Length field of a KEEPALIVE message is not equal to 19".
      return {
        message: 'KEEPALIVE',
        mutation: m.kind,
        octets: keepaliveOctets(fill(m.octets)),
        expect: reset('RFC4271-6.1', '1/2'),
      };
    case 'route-refresh':
      return {
        message: 'ROUTE-REFRESH',
        mutation: 'valid',
        octets: routeRefreshOctets(1, 0, 1),
        expect: { kind: 'refresh', rule: 'RFC2918-4' },
      };
    case 'route-refresh-other-family':
      // RFC 2918 §4: an <AFI, SAFI> not advertised at session establishment: "shall ignore".
      return {
        message: 'ROUTE-REFRESH',
        mutation: m.kind,
        octets: routeRefreshOctets(m.afi, 0, m.safi),
        expect: { kind: 'ignored', rule: 'RFC2918-4' },
      };
    case 'route-refresh-reserved-subtype': {
      // RFC 7313 §5: a subtype other than 0, 1, 2 "MUST ignore", whatever the length (22+).
      const base = routeRefreshOctets(1, m.subtype, 1, fill(Math.max(0, m.extra)));
      const octets = m.extra < 0 ? message(5, [...base.slice(19, 22)]) : base;
      return { message: 'ROUTE-REFRESH', mutation: m.kind, octets, expect: { kind: 'ignored', rule: 'RFC7313-5' } };
    }
    case 'route-refresh-borr-eorr':
      // BoRR / EoRR mark a refresh the peer sends (RFC 7313 §4); Enhanced Route Refresh was
      // not negotiated and they ask for nothing: the route server re-sends nothing.
      return {
        message: 'ROUTE-REFRESH',
        mutation: m.kind,
        octets: routeRefreshOctets(1, m.subtype, 1),
        expect: { kind: 'ignored', rule: 'RFC7313-4' },
      };
    case 'route-refresh-borr-eorr-length': {
      const octets = m.extra < 0 ? message(5, [0, 1, m.subtype]) : routeRefreshOctets(1, m.subtype, 1, fill(m.extra));
      return { message: 'ROUTE-REFRESH', mutation: m.kind, octets, expect: reset('RFC7313-5', '7/1') };
    }
    case 'notification':
      // RFC 4271 §8.2.2 (Established, NotifMsg): drop the TCP connection; nothing is sent back.
      return {
        message: 'NOTIFICATION',
        mutation: 'valid',
        octets: notificationOctets(m.code, m.subcode, m.data),
        expect: { kind: 'closed', rule: 'RFC4271-8.2.2' },
      };
    case 'notification-short':
      return {
        message: 'NOTIFICATION',
        mutation: m.kind,
        octets: message(3, fill(m.octets)),
        expect: reset('RFC4271-6.1', '1/2'),
      };
  }
}

// ------------------------------------------------------------------------------------------
// OPEN

export type OpenMutation =
  | { readonly kind: 'valid'; readonly extra: readonly Capability[] }
  | { readonly kind: 'version'; readonly version: number }
  | { readonly kind: 'bad-peer-as'; readonly asn: number }
  | { readonly kind: 'bad-four-octet-as'; readonly asn: number }
  | { readonly kind: 'hold-time'; readonly holdTime: 1 | 2 }
  | { readonly kind: 'bgp-id-zero' }
  | { readonly kind: 'optional-parameter'; readonly type: number }
  | { readonly kind: 'malformed-capability'; readonly code: 1 | 65; readonly length: number };

/** Extra capabilities a valid OPEN may carry: any but 4-octet AS (its ASN must match) and multiprotocol (IPv4 is offered). */
const harmlessCapability = capabilityArb.filter((c) => c.kind !== 'four-octet-as' && c.kind !== 'multiprotocol');

export const openMutationArb: fc.Arbitrary<OpenMutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('valid' as const),
      extra: fc.array(harmlessCapability, { maxLength: 4 }),
    }),
  },
  fc.record({
    kind: fc.constant('version' as const),
    version: fc.integer({ min: 0, max: 255 }).filter((v) => v !== 4),
  }),
  fc.record({ kind: fc.constant('bad-peer-as' as const), asn: fc.integer({ min: 1, max: 0xffff }) }),
  fc.record({ kind: fc.constant('bad-four-octet-as' as const), asn: fc.integer({ min: 1, max: 0xffffffff }) }),
  fc.record({ kind: fc.constant('hold-time' as const), holdTime: fc.constantFrom(1 as const, 2 as const) }),
  fc.constant({ kind: 'bgp-id-zero' as const }),
  fc.record({
    kind: fc.constant('optional-parameter' as const),
    type: fc.integer({ min: 0, max: 254 }).filter((t) => t !== 2),
  }),
  fc.record({
    kind: fc.constant('malformed-capability' as const),
    code: fc.constantFrom(1 as const, 65 as const),
    length: fc.constantFrom(0, 1, 3, 5, 6),
  }),
);

export function mutateOpen(m: OpenMutation, o: { peerAs: number; bgpId: number }): FuzzInput {
  const caps = (extra: readonly number[][] = []) => [
    ...capabilityOctets({ kind: 'multiprotocol', afi: 1, safi: 1 }),
    ...capabilityOctets({ kind: 'route-refresh' }),
    ...capabilityOctets({ kind: 'four-octet-as', asn: o.peerAs }),
    ...extra.flat(),
  ];
  const open = (x: Partial<Parameters<typeof openOctets>[0]> = {}) =>
    openOctets({ myAs: o.peerAs, holdTime: 90, bgpId: o.bgpId, params: [{ type: 2, value: caps() }], ...x });
  const reset = (rule: string, ...n: string[]): Expect => ({ kind: 'session-reset', rule, notifications: n });
  const input = (mutation: string, octets: Uint8Array, expect: Expect): FuzzInput => ({
    message: 'OPEN',
    mutation,
    octets,
    expect,
  });
  switch (m.kind) {
    case 'valid':
      // RFC 5492 §4: capabilities the receiver does not support are ignored.
      return input('valid', open({ params: [{ type: 2, value: caps(m.extra.map(capabilityOctets)) }] }), {
        kind: 'established',
        rule: 'RFC4271-6.2',
      });
    case 'version':
      return input(m.kind, open({ version: m.version }), reset('RFC4271-6.2', '2/1'));
    case 'bad-peer-as': {
      const asn = m.asn === o.peerAs ? o.peerAs ^ 1 : m.asn;
      // Without the 4-octet AS capability My Autonomous System is the peer's AS (RFC 4271 §6.2).
      const value = [...capabilityOctets({ kind: 'multiprotocol', afi: 1, safi: 1 })];
      return input(m.kind, open({ myAs: asn, params: [{ type: 2, value }] }), reset('RFC4271-6.2', '2/2'));
    }
    case 'bad-four-octet-as': {
      // RFC 6793 §4.1: the capability's ASN is the peer's AS.
      const asn = m.asn === o.peerAs ? o.peerAs + 1 : m.asn;
      const value = [
        ...capabilityOctets({ kind: 'multiprotocol', afi: 1, safi: 1 }),
        ...capabilityOctets({ kind: 'four-octet-as', asn }),
      ];
      return input(
        m.kind,
        open({ myAs: asn > 0xffff ? 23456 : asn, params: [{ type: 2, value }] }),
        reset('RFC6793-4.1', '2/2'),
      );
    }
    case 'hold-time':
      return input(m.kind, open({ holdTime: m.holdTime }), reset('RFC4271-6.2', '2/6'));
    case 'bgp-id-zero':
      return input(m.kind, open({ bgpId: 0 }), reset('RFC6286-2.2', '2/3'));
    case 'optional-parameter':
      return input(
        m.kind,
        open({
          params: [
            { type: 2, value: caps() },
            { type: m.type, value: [1, 2, 3] },
          ],
        }),
        reset('RFC4271-6.2', '2/4'),
      );
    case 'malformed-capability':
      // RFC 4271 §6.2: an Optional Parameter "recognized, but malformed": subcode 0.
      return input(
        m.kind,
        open({ params: [{ type: 2, value: [...caps(), m.code, m.length, ...fill(m.length)] }] }),
        reset('RFC4271-6.2', '2/0'),
      );
  }
}

// ------------------------------------------------------------------------------------------
// Havoc: the codec fuzz's byte mutations, applied to a valid UPDATE (no outcome predicted)

export const havocArb = fc.record({
  flips: fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 4 }),
});

export function havoc(valid: Uint8Array, h: { flips: readonly { at: number; xor: number }[] }): FuzzInput {
  const b = Uint8Array.from(valid);
  // Body octets only: a changed marker or length is a header case of its own (above), and a
  // length that claims more octets than sent leaves the route server waiting, not answering.
  for (const f of h.flips) {
    const at = 19 + (f.at % Math.max(1, b.length - 19));
    if (at < b.length) b[at] = b[at]! ^ f.xor;
  }
  return {
    message: 'UPDATE',
    mutation: 'havoc',
    octets: b,
    expect: { kind: 'havoc', rule: 'no crash, a known NOTIFICATION or none' },
  };
}
