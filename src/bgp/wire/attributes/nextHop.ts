/**
 * @module bgp/wire/attributes/nextHop
 * NEXT_HOP, type 3 (RFC 4271 §4.3 c): well-known, a 4-octet IPv4 address. Whether the
 * address is usable (not 0.0.0.0, not the receiver's own) is a session check, not ours.
 */
import { UpdateSubcode } from '../errors.js';
import { AttrFlag, AttrType } from '../types.js';
import { readU32 } from '../writer.js';
import { fault, type AttributeDescriptor } from './descriptor.js';

export const NEXT_HOP: AttributeDescriptor = {
  code: AttrType.NEXT_HOP,
  name: 'NEXT_HOP',
  flags: AttrFlag.Transitive,
  malformed: 'treat-as-withdraw', // RFC 7606 §7.3
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st) {
    if (end - start !== 4) return fault(UpdateSubcode.AttributeLengthError, 'NEXT_HOP length is not 4'); // RFC 7606 §7.3
    st.attrs.nextHop = readU32(b, start);
    return undefined;
  },
  encode(attrs, _ctx, w) {
    if (attrs.nextHop === undefined) return false;
    w.u32(attrs.nextHop);
    return true;
  },
};
