/**
 * @module bgp/wire/attributes/largeCommunities
 * LARGE_COMMUNITY, type 32 (RFC 8092): optional transitive, a list of 12-octet values.
 * Duplicates are kept as received (RFC 8092 §5 lets a receiver drop them; policy may).
 */
import { UpdateSubcode } from '../errors.js';
import { AttrFlag, AttrType, type LargeCommunity } from '../types.js';
import { readU32 } from '../writer.js';
import { fault, type AttributeDescriptor } from './descriptor.js';

export const LARGE_COMMUNITY: AttributeDescriptor = {
  code: AttrType.LARGE_COMMUNITY,
  name: 'LARGE_COMMUNITY',
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  malformed: 'treat-as-withdraw', // RFC 8092 §6
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st) {
    const len = end - start;
    if (len === 0 || len % 12 !== 0)
      return fault(UpdateSubcode.AttributeLengthError, 'LARGE_COMMUNITY length is not a non-zero multiple of 12'); // RFC 8092 §6
    const out = new Array<LargeCommunity>(len / 12);
    for (let i = 0, p = start; p < end; i++, p += 12) {
      out[i] = { globalAdmin: readU32(b, p), localData1: readU32(b, p + 4), localData2: readU32(b, p + 8) };
    }
    st.attrs.largeCommunities = out;
    return undefined;
  },
  encode(attrs, _ctx, w) {
    const list = attrs.largeCommunities;
    if (list === undefined || list.length === 0) return false;
    for (const c of list) {
      w.u32(c.globalAdmin);
      w.u32(c.localData1);
      w.u32(c.localData2);
    }
    return true;
  },
};
