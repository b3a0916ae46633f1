/**
 * @module bgp/wire/arbitraries
 * fast-check arbitraries for every message, path attribute and capability of the codec,
 * for property tests here and elsewhere. Every value they produce is encodable, fits in
 * 4096 octets, and decodes back to itself under both contexts (2- and 4-octet AS), which
 * is what "valid" means here. The constraints that buys are listed where they apply.
 */
import fc from 'fast-check';
import { ATTRIBUTES } from './attributes/table.js';
import { CAPABILITIES } from './capabilities/table.js';
import {
  AFI_IPV4,
  AFI_IPV6,
  SAFI_UNICAST,
  v4Prefix,
  v6Prefix,
  type Ipv4Prefix,
  type Ipv6Prefix,
  type Prefix,
} from './prefix.js';
import {
  AsPathSegmentType,
  AttrFlag,
  AttrType,
  type Aggregator,
  type AsPathSegment,
  type BgpMessage,
  type Capability,
  type KeepaliveMessage,
  type LargeCommunity,
  type MpReach,
  type MpUnreach,
  type NotificationMessage,
  type OpenMessage,
  type OriginValue,
  type PathAttributes,
  type RouteRefreshMessage,
  type UnknownAttribute,
  type UpdateMessage,
} from './types.js';

/** fc.record, with ordinary prototypes so that deepStrictEqual compares decoded values with them. */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true });
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });

// ---------------------------------------------------------------------------- prefixes

export const ipv4Prefix: fc.Arbitrary<Ipv4Prefix> = fc
  .tuple(u32, fc.integer({ min: 0, max: 32 }))
  .map(([addr, len]) => v4Prefix(addr, len));

export const ipv6Prefix: fc.Arbitrary<Ipv6Prefix> = fc
  .tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }))
  .map(([addr, len]) => v6Prefix(addr, len));

export const prefix: fc.Arbitrary<Prefix> = fc.oneof(ipv4Prefix, ipv6Prefix);

// ---------------------------------------------------------------------------- attributes

/** Any ASN but 0, which RFC 7607 makes malformed. */
export const asn: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: 0xffff }),
  fc.integer({ min: 1, max: 0xffffffff }),
);

export const origin: fc.Arbitrary<OriginValue> = fc.constantFrom(0, 1, 2);

function segment(
  type: AsPathSegment['type'],
  asnArb: fc.Arbitrary<number>,
  maxAsns: number,
): fc.Arbitrary<AsPathSegment> {
  return fc.array(asnArb, { minLength: 1, maxLength: maxAsns }).map((asns) => ({ type, asns }));
}

/**
 * AS_PATH: optional leading confederation segments (RFC 5065 puts them first, and RFC 6793
 * §4.2.3 only restores leading ones), then AS_SEQUENCE / AS_SET segments. Confederation
 * member ASNs are 2-octet: AS4_PATH never carries them, so larger ones cannot cross a
 * 2-octet peer. Segments hold at most 20 ASNs to keep messages small; the 255-ASN split
 * has its own test.
 */
export const asPath: fc.Arbitrary<AsPathSegment[]> = fc
  .tuple(
    fc.array(
      fc.oneof(
        segment(AsPathSegmentType.AS_CONFED_SEQUENCE, fc.integer({ min: 1, max: 0xffff }), 5),
        segment(AsPathSegmentType.AS_CONFED_SET, fc.integer({ min: 1, max: 0xffff }), 5),
      ),
      { maxLength: 1 },
    ),
    fc.array(
      fc.oneof(
        { weight: 3, arbitrary: segment(AsPathSegmentType.AS_SEQUENCE, asn, 20) },
        { weight: 1, arbitrary: segment(AsPathSegmentType.AS_SET, asn, 6) },
      ),
      { maxLength: 3 },
    ),
  )
  .map(([confed, rest]) => [...confed, ...rest]);

export const aggregator: fc.Arbitrary<Aggregator> = record({ asn, address: u32 });

export const communities: fc.Arbitrary<number[]> = fc.array(u32, { minLength: 1, maxLength: 20 });

export const extendedCommunities: fc.Arbitrary<bigint[]> = fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), {
  minLength: 1,
  maxLength: 10,
});

export const largeCommunity: fc.Arbitrary<LargeCommunity> = record({
  globalAdmin: u32,
  localData1: u32,
  localData2: u32,
});
export const largeCommunities: fc.Arbitrary<LargeCommunity[]> = fc.array(largeCommunity, {
  minLength: 1,
  maxLength: 10,
});

/** (AFI, SAFI) pairs whose NLRI the codec keeps as raw octets. */
const otherFamily = fc
  .tuple(fc.constantFrom(1, 2, 25, 16388), fc.constantFrom(1, 2, 4, 70, 128, 133))
  .filter(([afi, safi]) => !(safi === SAFI_UNICAST && (afi === AFI_IPV4 || afi === AFI_IPV6)));

export const mpReach: fc.Arbitrary<MpReach> = fc.oneof(
  record({
    afi: fc.constant(AFI_IPV6),
    safi: fc.constant(SAFI_UNICAST),
    nextHop: fc.oneof(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 32, maxLength: 32 })),
    nlri: fc.array(ipv6Prefix, { maxLength: 20 }),
  }),
  record({
    afi: fc.constant(AFI_IPV4),
    safi: fc.constant(SAFI_UNICAST),
    nextHop: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    nlri: fc.array(ipv4Prefix, { maxLength: 20 }),
  }),
  fc
    .tuple(otherFamily, fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 60 }))
    .map(([[afi, safi], nextHop, rawNlri]): MpReach => ({ afi, safi, nextHop, nlri: [], rawNlri })),
);

export const mpUnreach: fc.Arbitrary<MpUnreach> = fc.oneof(
  record({
    afi: fc.constant(AFI_IPV6),
    safi: fc.constant(SAFI_UNICAST),
    withdrawn: fc.array(ipv6Prefix, { maxLength: 20 }),
  }),
  record({
    afi: fc.constant(AFI_IPV4),
    safi: fc.constant(SAFI_UNICAST),
    withdrawn: fc.array(ipv4Prefix, { maxLength: 20 }),
  }),
  fc
    .tuple(otherFamily, fc.uint8Array({ maxLength: 60 }))
    .map(([[afi, safi], rawWithdrawn]): MpUnreach => ({ afi, safi, withdrawn: [], rawWithdrawn })),
);

/** Type codes the descriptor table does not know: what a peer's private or future attributes look like. */
const unrecognizedType = fc.integer({ min: 0, max: 255 }).filter((t) => ATTRIBUTES[t] === undefined);

/**
 * One attribute carried in `unknown`: an unrecognized optional one (any Transitive and
 * Partial bits; values up to 300 octets to cross the Extended Length threshold), or a
 * well-formed ORIGINATOR_ID / CLUSTER_LIST.
 */
export const unknownAttribute: fc.Arbitrary<UnknownAttribute> = fc.oneof(
  {
    weight: 4,
    arbitrary: record({
      flags: fc.constantFrom(
        AttrFlag.Optional,
        AttrFlag.Optional | AttrFlag.Transitive,
        AttrFlag.Optional | AttrFlag.Transitive | AttrFlag.Partial,
        AttrFlag.Optional | AttrFlag.Partial,
      ),
      type: unrecognizedType,
      value: fc.oneof(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ minLength: 250, maxLength: 300 })),
    }),
  },
  {
    weight: 1,
    arbitrary: record({
      flags: fc.constant(AttrFlag.Optional),
      type: fc.constant(AttrType.ORIGINATOR_ID),
      value: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 8 }).chain((n) =>
      record({
        flags: fc.constant(AttrFlag.Optional),
        type: fc.constant(AttrType.CLUSTER_LIST),
        value: fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n }),
      }),
    ),
  },
);

/** Unknown attributes with distinct types, in type order (the order the encoder writes and the decoder keeps). */
export const unknownAttributes: fc.Arbitrary<UnknownAttribute[]> = fc
  .uniqueArray(unknownAttribute, { selector: (u) => u.type, minLength: 1, maxLength: 4 })
  .map((list) => list.sort((a, b) => a.type - b.type));

/** Any set of attributes; absent ones are absent keys, never `undefined`. */
export const pathAttributes: fc.Arbitrary<PathAttributes> = fc.record(
  {
    origin,
    asPath,
    nextHop: u32,
    med: u32,
    localPref: u32,
    atomicAggregate: fc.constant(true),
    aggregator,
    communities,
    extendedCommunities,
    largeCommunities,
    mpReach,
    mpUnreach,
    unknown: unknownAttributes,
  },
  { requiredKeys: [], noNullPrototype: true },
);

export const updateMessage: fc.Arbitrary<UpdateMessage> = record({
  type: fc.constant('UPDATE' as const),
  withdrawn: fc.array(ipv4Prefix, { maxLength: 30 }),
  attributes: pathAttributes,
  nlri: fc.array(ipv4Prefix, { maxLength: 30 }),
});

// ---------------------------------------------------------------------------- capabilities

const family = { afi: u16, safi: u8 };

/** A name whose UTF-8 form fits the one-octet length. */
const fqdnName = fc
  .string({ unit: 'grapheme', maxLength: 20 })
  .filter((s) => new TextEncoder().encode(s).length <= 255);

export const capability: fc.Arbitrary<Capability> = fc.oneof(
  record({ kind: fc.constant('multiprotocol' as const), ...family }),
  fc.constant<Capability>({ kind: 'route-refresh' }),
  record({ kind: fc.constant('four-octet-as' as const), asn: u32 }),
  fc.constant<Capability>({ kind: 'extended-message' }),
  fc.constant<Capability>({ kind: 'enhanced-route-refresh' }),
  record({
    kind: fc.constant('graceful-restart' as const),
    restartFlags: fc.integer({ min: 0, max: 15 }),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(record({ ...family, flags: u8 }), { maxLength: 5 }),
  }),
  record({
    kind: fc.constant('add-path' as const),
    families: fc.array(record({ ...family, sendReceive: u8 }), { maxLength: 5 }),
  }),
  record({ kind: fc.constant('fqdn' as const), hostname: fqdnName, domain: fqdnName }),
  record({
    kind: fc.constant('unknown' as const),
    code: fc.integer({ min: 0, max: 255 }).filter((c) => CAPABILITIES[c] === undefined),
    value: fc.uint8Array({ maxLength: 40 }),
  }),
);

/**
 * OPEN with version 4, an acceptable Hold Time and a non-zero BGP Identifier (anything else
 * is refused on decode). Enough capabilities to cross 255 octets now and then, which
 * exercises the RFC 9072 format. Other parameters never use type 2 (that is Capabilities).
 */
export const openMessage: fc.Arbitrary<OpenMessage> = record({
  type: fc.constant('OPEN' as const),
  version: fc.constant(4),
  myAs: u16,
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  bgpId: fc.integer({ min: 1, max: 0xffffffff }),
  capabilities: fc.array(capability, { maxLength: 12 }),
  otherParameters: fc.array(
    record({ type: fc.integer({ min: 0, max: 255 }).filter((t) => t !== 2), value: fc.uint8Array({ maxLength: 20 }) }),
    { maxLength: 2 },
  ),
});

export const notificationMessage: fc.Arbitrary<NotificationMessage> = record({
  type: fc.constant('NOTIFICATION' as const),
  code: u8,
  subcode: u8,
  data: fc.uint8Array({ maxLength: 64 }),
});

export const keepaliveMessage: fc.Arbitrary<KeepaliveMessage> = fc.constant({ type: 'KEEPALIVE' as const });

export const routeRefreshMessage: fc.Arbitrary<RouteRefreshMessage> = record({
  type: fc.constant('ROUTE-REFRESH' as const),
  afi: u16,
  subtype: u8,
  safi: u8,
});

export const bgpMessage: fc.Arbitrary<BgpMessage> = fc.oneof(
  { weight: 3, arbitrary: updateMessage },
  { weight: 2, arbitrary: openMessage },
  { weight: 1, arbitrary: notificationMessage },
  { weight: 1, arbitrary: keepaliveMessage },
  { weight: 1, arbitrary: routeRefreshMessage },
);
