/**
 * @module bgp/wire/attributes/descriptor
 * The contract every path attribute module implements (BIRD's `bgp_attr_desc`, gobgp's
 * `PathAttributeInterface`). A module only deals with the attribute's value; the framing
 * in `pathAttributes.ts` reads and writes flags, type and length, and applies the generic
 * RFC 7606 rules (duplicates, flags) before calling `decode`.
 */
import type { ErrorAction } from '../errors.js';
import type { Aggregator, AsPathSegment, CodecContext, PathAttributes, UnknownAttribute } from '../types.js';
import type { ByteWriter } from '../writer.js';

/** What `decode` builds; the framing turns it into the decoded PathAttributes. */
export interface DecodeState {
  readonly attrs: PathAttributes;
  unknown: UnknownAttribute[] | undefined;
  /** AS4_PATH / AS4_AGGREGATOR from a 2-octet peer, merged after all attributes are read (RFC 6793 §4.2.3). */
  as4Path: AsPathSegment[] | undefined;
  as4Aggregator: Aggregator | undefined;
}

/** A malformed value: the UPDATE subcode, and the action when it differs from the descriptor's. */
export interface AttributeFault {
  readonly subcode: number;
  readonly message: string;
  readonly action?: ErrorAction;
  readonly afi?: number;
  readonly safi?: number;
}

export interface AttributeDescriptor {
  readonly code: number;
  /** Name as in the RFC that defines the attribute. */
  readonly name: string;
  /** Canonical Optional and Transitive bits (RFC 4271 §4.3, §5). */
  readonly flags: number;
  /** RFC 7606 action for a malformed value (§7, or the attribute's own RFC). */
  readonly malformed: ErrorAction;
  /** RFC 7606 §3(c) action when the received flags conflict with `flags`. */
  readonly flagsConflict: ErrorAction;
  /**
   * The attribute carries NLRI (MP_REACH_NLRI, MP_UNREACH_NLRI): decoded even when its flags
   * are wrong, since treat-as-withdraw needs its prefixes (RFC 7606 §5.3).
   */
  readonly carriesNlri?: boolean;
  /**
   * Reads the value `b[start, end)` into `st`. Returns a fault instead of assigning anything
   * when the value is malformed, so a discarded attribute leaves no trace.
   */
  decode(
    b: Uint8Array,
    start: number,
    end: number,
    st: DecodeState,
    ctx: CodecContext,
    flags: number,
  ): AttributeFault | undefined;
  /**
   * Writes the value when `attrs` holds this attribute and returns true; returns false and
   * writes nothing otherwise. Absent for attributes carried in `attrs.unknown`.
   */
  encode?(attrs: PathAttributes, ctx: CodecContext, w: ByteWriter): boolean;
}

export function fault(subcode: number, message: string, action?: ErrorAction): AttributeFault {
  return action === undefined ? { subcode, message } : { subcode, message, action };
}
