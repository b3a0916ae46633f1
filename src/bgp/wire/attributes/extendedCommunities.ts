/**
 * @module bgp/wire/attributes/extendedCommunities
 * EXTENDED_COMMUNITIES, type 16 (RFC 4360): optional transitive, a list of 8-octet values
 * kept whole as bigints; their inner structure (type, sub-type) is for policy to read.
 */
import { UpdateSubcode } from '../errors.js';
import { AttrFlag, AttrType } from '../types.js';
import { readU64 } from '../writer.js';
import { fault, type AttributeDescriptor } from './descriptor.js';

export const EXTENDED_COMMUNITIES: AttributeDescriptor = {
  code: AttrType.EXTENDED_COMMUNITIES,
  name: 'EXTENDED_COMMUNITIES',
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  malformed: 'treat-as-withdraw', // RFC 7606 §7.14
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st) {
    const len = end - start;
    if (len === 0 || len % 8 !== 0)
      return fault(UpdateSubcode.AttributeLengthError, 'EXTENDED_COMMUNITIES length is not a non-zero multiple of 8'); // RFC 7606 §7.14
    const out = new Array<bigint>(len / 8);
    for (let i = 0, p = start; p < end; i++, p += 8) out[i] = readU64(b, p);
    st.attrs.extendedCommunities = out;
    return undefined;
  },
  encode(attrs, _ctx, w) {
    const list = attrs.extendedCommunities;
    if (list === undefined || list.length === 0) return false;
    for (const c of list) w.u64(c);
    return true;
  },
};
