/**
 * @module bgp/wire/attributes/unknown
 * Attributes carried without being interpreted: optional attributes of unknown type (RFC
 * 4271 §5: passed on when transitive), and ORIGINATOR_ID / CLUSTER_LIST (RFC 4456 §8),
 * which a route server checks for length but never acts on. All land in
 * `PathAttributes.unknown`, flags kept as received so they survive a round trip.
 */
import { UpdateSubcode } from '../errors.js';
import { AttrFlag, AttrType } from '../types.js';
import { fault, type AttributeDescriptor, type DecodeState } from './descriptor.js';

/** Flags worth keeping: Optional, Transitive, Partial. Extended Length is the encoder's call, and the low four bits are ignored on receipt (RFC 4271 §4.3). */
const KEPT_FLAGS = AttrFlag.Optional | AttrFlag.Transitive | AttrFlag.Partial;

export function keepUnknown(
  st: DecodeState,
  flags: number,
  type: number,
  b: Uint8Array,
  start: number,
  end: number,
): void {
  const entry = { flags: flags & KEPT_FLAGS, type, value: b.slice(start, end) };
  if (st.unknown === undefined) st.unknown = [entry];
  else st.unknown.push(entry);
}

export const ORIGINATOR_ID: AttributeDescriptor = {
  code: AttrType.ORIGINATOR_ID,
  name: 'ORIGINATOR_ID',
  flags: AttrFlag.Optional,
  malformed: 'treat-as-withdraw', // RFC 7606 §7.9
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st, _ctx, flags) {
    if (end - start !== 4) return fault(UpdateSubcode.AttributeLengthError, 'ORIGINATOR_ID length is not 4'); // RFC 7606 §7.9
    keepUnknown(st, flags, AttrType.ORIGINATOR_ID, b, start, end);
    return undefined;
  },
};

export const CLUSTER_LIST: AttributeDescriptor = {
  code: AttrType.CLUSTER_LIST,
  name: 'CLUSTER_LIST',
  flags: AttrFlag.Optional,
  malformed: 'treat-as-withdraw', // RFC 7606 §7.10
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st, _ctx, flags) {
    const len = end - start;
    if (len === 0 || len % 4 !== 0)
      return fault(UpdateSubcode.AttributeLengthError, 'CLUSTER_LIST length is not a non-zero multiple of 4'); // RFC 7606 §7.10
    keepUnknown(st, flags, AttrType.CLUSTER_LIST, b, start, end);
    return undefined;
  },
};
