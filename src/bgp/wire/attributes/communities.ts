/**
 * @module bgp/wire/attributes/communities
 * COMMUNITIES, type 8 (RFC 1997): optional transitive, a list of 4-octet values. An empty
 * list is not encodable (a zero length is malformed), so the encoder treats it as absent.
 */
import { UpdateSubcode } from '../errors.js';
import { AttrFlag, AttrType } from '../types.js';
import { readU32 } from '../writer.js';
import { fault, type AttributeDescriptor } from './descriptor.js';

export const COMMUNITIES: AttributeDescriptor = {
  code: AttrType.COMMUNITIES,
  name: 'COMMUNITIES',
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  malformed: 'treat-as-withdraw', // RFC 7606 §7.8
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st) {
    const len = end - start;
    if (len === 0 || len % 4 !== 0)
      return fault(UpdateSubcode.AttributeLengthError, 'COMMUNITIES length is not a non-zero multiple of 4'); // RFC 7606 §7.8
    const out = new Array<number>(len / 4);
    for (let i = 0, p = start; p < end; i++, p += 4) out[i] = readU32(b, p);
    st.attrs.communities = out;
    return undefined;
  },
  encode(attrs, _ctx, w) {
    const list = attrs.communities;
    if (list === undefined || list.length === 0) return false;
    for (const c of list) w.u32(c);
    return true;
  },
};
