/**
 * @module bgp/wire/attributes/med
 * MULTI_EXIT_DISC, type 4 (RFC 4271 §4.3 d): optional non-transitive, 4 octets.
 */
import { UpdateSubcode } from '../errors.js';
import { AttrFlag, AttrType } from '../types.js';
import { readU32 } from '../writer.js';
import { fault, type AttributeDescriptor } from './descriptor.js';

export const MULTI_EXIT_DISC: AttributeDescriptor = {
  code: AttrType.MULTI_EXIT_DISC,
  name: 'MULTI_EXIT_DISC',
  flags: AttrFlag.Optional,
  malformed: 'treat-as-withdraw', // RFC 7606 §7.4
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st) {
    if (end - start !== 4) return fault(UpdateSubcode.AttributeLengthError, 'MULTI_EXIT_DISC length is not 4'); // RFC 7606 §7.4
    st.attrs.med = readU32(b, start);
    return undefined;
  },
  encode(attrs, _ctx, w) {
    if (attrs.med === undefined) return false;
    w.u32(attrs.med);
    return true;
  },
};
