/**
 * @module bgp/wire/attributes/localPref
 * LOCAL_PREF, type 5 (RFC 4271 §4.3 e): well-known, 4 octets. Ignoring it from an external
 * peer (RFC 4271 §5.1.5, RFC 7606 §7.5) is a session decision, made above the codec.
 */
import { UpdateSubcode } from '../errors.js';
import { AttrFlag, AttrType } from '../types.js';
import { readU32 } from '../writer.js';
import { fault, type AttributeDescriptor } from './descriptor.js';

export const LOCAL_PREF: AttributeDescriptor = {
  code: AttrType.LOCAL_PREF,
  name: 'LOCAL_PREF',
  flags: AttrFlag.Transitive,
  malformed: 'treat-as-withdraw', // RFC 7606 §7.5
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st) {
    if (end - start !== 4) return fault(UpdateSubcode.AttributeLengthError, 'LOCAL_PREF length is not 4'); // RFC 7606 §7.5
    st.attrs.localPref = readU32(b, start);
    return undefined;
  },
  encode(attrs, _ctx, w) {
    if (attrs.localPref === undefined) return false;
    w.u32(attrs.localPref);
    return true;
  },
};
