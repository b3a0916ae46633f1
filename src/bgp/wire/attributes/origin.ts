/**
 * @module bgp/wire/attributes/origin
 * ORIGIN, type 1 (RFC 4271 §4.3 a): well-known mandatory, one octet.
 */
import { UpdateSubcode } from '../errors.js';
import { AttrFlag, AttrType, type OriginValue } from '../types.js';
import { fault, type AttributeDescriptor } from './descriptor.js';

export const ORIGIN: AttributeDescriptor = {
  code: AttrType.ORIGIN,
  name: 'ORIGIN',
  flags: AttrFlag.Transitive,
  malformed: 'treat-as-withdraw', // RFC 7606 §7.1
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st) {
    if (end - start !== 1) return fault(UpdateSubcode.AttributeLengthError, 'ORIGIN length is not 1'); // RFC 7606 §7.1
    const v = b[start]!;
    if (v > 2) return fault(UpdateSubcode.InvalidOriginAttribute, `ORIGIN value ${v} is undefined`); // RFC 7606 §7.1
    st.attrs.origin = v as OriginValue;
    return undefined;
  },
  encode(attrs, _ctx, w) {
    if (attrs.origin === undefined) return false;
    w.u8(attrs.origin);
    return true;
  },
};
