/**
 * @module bgp/wire/types
 * The decoded forms of BGP-4 messages, path attributes and capabilities. These types are
 * the contract between the wire codec and everything above it: decoders produce them,
 * encoders consume them, and `decode(encode(x))` deep-equals `x`.
 */
import type { Afi, Prefix } from './prefix.js';
import type { BgpWireError } from './errors.js';

// ---------------------------------------------------------------------------
// Message types (RFC 4271 §4.1, RFC 2918 §3)
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;

export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096; // RFC 4271 §4.1 (no RFC 8654 extended messages: not advertised)
export const MIN_MESSAGE_LENGTH = 19;
export const AS_TRANS = 23456; // RFC 6793 §9

// ---------------------------------------------------------------------------
// Negotiated state that changes how bytes are read and written. Passed to every codec
// function; the codec keeps no state of its own (gobgp MarshallingOption).
export interface CodecContext {
  /** Both sides advertised the 4-octet AS capability (RFC 6793): AS_PATH carries 4-octet ASNs. */
  readonly fourOctetAs: boolean;
  /**
   * IPv4 unicast NLRI may come with an IPv6 next hop (16 or 32 octets) in MP_REACH_NLRI: we
   * advertised the Extended Next Hop Encoding capability for it (RFC 8950 §4). Absent or
   * false — always, for ARSLab's sessions, which never advertise it — such a next hop length
   * is not the expected one, and the attribute is malformed (RFC 7606 §7.11).
   */
  readonly extendedNextHopIpv4?: boolean;
}

export const CONTEXT_4OCTET: CodecContext = Object.freeze({ fourOctetAs: true });
export const CONTEXT_2OCTET: CodecContext = Object.freeze({ fourOctetAs: false });

// ---------------------------------------------------------------------------
// Capabilities (RFC 5492); codes from the IANA registry.
export const CapabilityCode = {
  Multiprotocol: 1, // RFC 4760
  RouteRefresh: 2, // RFC 2918
  ExtendedNextHop: 5, // RFC 8950
  ExtendedMessage: 6, // RFC 8654
  Role: 9, // RFC 9234
  GracefulRestart: 64, // RFC 4724
  FourOctetAs: 65, // RFC 6793
  AddPath: 69, // RFC 7911
  EnhancedRouteRefresh: 70, // RFC 7313
  LongLivedGracefulRestart: 71, // RFC 9494
  Fqdn: 73, // draft-walton-bgp-hostname-capability
  CiscoRouteRefresh: 128, // pre-RFC 2918 code, still sent by some speakers
} as const;

export type Capability =
  | { readonly kind: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly kind: 'route-refresh' }
  | { readonly kind: 'four-octet-as'; readonly asn: number }
  | { readonly kind: 'extended-message' }
  | { readonly kind: 'enhanced-route-refresh' }
  | {
      readonly kind: 'graceful-restart';
      readonly restartFlags: number; // 4 bits
      readonly restartTime: number; // 12 bits, seconds
      readonly families: readonly { readonly afi: number; readonly safi: number; readonly flags: number }[];
    }
  | {
      readonly kind: 'add-path';
      readonly families: readonly { readonly afi: number; readonly safi: number; readonly sendReceive: number }[];
    }
  | { readonly kind: 'fqdn'; readonly hostname: string; readonly domain: string }
  /** Any other code, or a known code whose value we only carry (e.g. 128, 71, 9): bytes kept as received. */
  | { readonly kind: 'unknown'; readonly code: number; readonly value: Uint8Array };

// ---------------------------------------------------------------------------
// OPEN (RFC 4271 §4.2)
export interface OpenMessage {
  readonly type: 'OPEN';
  readonly version: number; // 4
  /** The 2-octet My Autonomous System field (AS_TRANS when the real ASN needs 4 octets). */
  readonly myAs: number;
  readonly holdTime: number;
  /** BGP Identifier as an unsigned 32-bit integer. */
  readonly bgpId: number;
  /** Capabilities, in the order received (one capability per entry, RFC 5492 §4). */
  readonly capabilities: readonly Capability[];
  /** Optional parameters other than Capabilities (type != 2): kept only to be refused. */
  readonly otherParameters: readonly { readonly type: number; readonly value: Uint8Array }[];
}

// ---------------------------------------------------------------------------
// Path attributes (RFC 4271 §4.3, §5)
export const AttrFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;

export const AttrType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8, // RFC 1997
  ORIGINATOR_ID: 9, // RFC 4456 (not used by a route server; carried as unknown-but-known)
  CLUSTER_LIST: 10, // RFC 4456
  MP_REACH_NLRI: 14, // RFC 4760
  MP_UNREACH_NLRI: 15, // RFC 4760
  EXTENDED_COMMUNITIES: 16, // RFC 4360
  AS4_PATH: 17, // RFC 6793
  AS4_AGGREGATOR: 18, // RFC 6793
  LARGE_COMMUNITY: 32, // RFC 8092
} as const;

export type OriginValue = 0 | 1 | 2;

export const AsPathSegmentType = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3, // RFC 5065
  AS_CONFED_SET: 4, // RFC 5065
} as const;

export interface AsPathSegment {
  readonly type: 1 | 2 | 3 | 4;
  /** ASNs as 4-octet values (after RFC 6793 reconstruction when the peer speaks 2-octet). */
  readonly asns: readonly number[];
}

/** Well-known communities (RFC 1997, RFC 8326, RFC 7999). */
export const WellKnownCommunity = {
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  GRACEFUL_SHUTDOWN: 0xffff0000,
  BLACKHOLE: 0xffff029a,
} as const;

export interface LargeCommunity {
  readonly globalAdmin: number;
  readonly localData1: number;
  readonly localData2: number;
}

export interface Aggregator {
  readonly asn: number; // 4-octet value after RFC 6793 reconstruction
  readonly address: number; // IPv4 as uint32
}

/** An attribute we do not interpret, carried as received. */
export interface UnknownAttribute {
  readonly flags: number; // as received (ExtendedLength cleared: the encoder sets it as needed)
  readonly type: number;
  readonly value: Uint8Array;
}

/** MP_REACH_NLRI (RFC 4760 §3). */
export interface MpReach {
  readonly afi: number;
  readonly safi: number;
  /**
   * Next hop as carried: for IPv6, 16 bytes (global) or 32 (global + link-local, RFC 2545 §3);
   * for IPv4, 4 bytes.
   */
  readonly nextHop: Uint8Array;
  /** NLRI, decoded when (afi, safi) is IPv4/IPv6 unicast. */
  readonly nlri: readonly Prefix[];
  /** For families we do not decode: the NLRI bytes as received. */
  readonly rawNlri?: Uint8Array;
}

/** MP_UNREACH_NLRI (RFC 4760 §4). */
export interface MpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly Prefix[];
  readonly rawWithdrawn?: Uint8Array;
}

/**
 * The attributes of one UPDATE, one field per attribute we understand. Absent means
 * "not in the message". Encoders write them in type-code order, except that MP_REACH_NLRI
 * and MP_UNREACH_NLRI go first (RFC 7606 §5.1).
 */
export interface PathAttributes {
  origin?: OriginValue;
  asPath?: readonly AsPathSegment[];
  /** IPv4 NEXT_HOP as uint32. */
  nextHop?: number;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: Aggregator;
  /** RFC 1997 communities as uint32 (high 16 bits ASN, low 16 bits value), in received order. */
  communities?: readonly number[];
  /** RFC 4360 extended communities, each the 8 octets as a bigint. */
  extendedCommunities?: readonly bigint[];
  largeCommunities?: readonly LargeCommunity[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  /** Attributes we do not interpret, in received order. */
  unknown?: readonly UnknownAttribute[];
}

// ---------------------------------------------------------------------------
// UPDATE (RFC 4271 §4.3)
export interface UpdateMessage {
  readonly type: 'UPDATE';
  readonly withdrawn: readonly Prefix[];
  readonly attributes: PathAttributes;
  readonly nlri: readonly Prefix[];
}

/**
 * An UPDATE as decoded from the wire. `error` is the strongest RFC 7606 problem found
 * that does not reset the session: with 'treat-as-withdraw' every NLRI of the message
 * (IPv4 and MP_REACH) must be handled as withdrawn; with 'attribute-discard' the faulty
 * attributes are already absent from `attributes`. `problems` lists every one, for logs.
 */
export interface ReceivedUpdate extends UpdateMessage {
  readonly error?: BgpWireError;
  readonly problems: readonly BgpWireError[];
}

/** What decodeMessage returns: any message, with UPDATEs carrying their RFC 7606 verdict. */
export type ReceivedMessage = Exclude<BgpMessage, UpdateMessage> | ReceivedUpdate;

// ---------------------------------------------------------------------------
// NOTIFICATION (RFC 4271 §4.5)
export interface NotificationMessage {
  readonly type: 'NOTIFICATION';
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

// KEEPALIVE (RFC 4271 §4.4)
export interface KeepaliveMessage {
  readonly type: 'KEEPALIVE';
}

// ROUTE-REFRESH (RFC 2918 §3; RFC 7313 §3 subtype in the reserved octet)
export interface RouteRefreshMessage {
  readonly type: 'ROUTE-REFRESH';
  readonly afi: number;
  /** 0 normal, 1 BoRR, 2 EoRR (RFC 7313); we only send 0. */
  readonly subtype: number;
  readonly safi: number;
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

export type { Afi, Prefix };
