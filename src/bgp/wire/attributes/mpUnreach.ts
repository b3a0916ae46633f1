/**
 * @module bgp/wire/attributes/mpUnreach
 * MP_UNREACH_NLRI, type 15 (RFC 4760 §4): optional non-transitive withdrawals. An empty
 * one is the End-of-RIB marker of its family (RFC 4724 §2).
 */
import { UpdateSubcode } from '../errors.js';
import { nlriFamilyDecoded, readPrefixes, writePrefixes } from '../nlri.js';
import type { Prefix } from '../prefix.js';
import { AttrFlag, AttrType } from '../types.js';
import { readU16 } from '../writer.js';
import type { AttributeDescriptor } from './descriptor.js';

export const MP_UNREACH_NLRI: AttributeDescriptor = {
  code: AttrType.MP_UNREACH_NLRI,
  name: 'MP_UNREACH_NLRI',
  flags: AttrFlag.Optional,
  malformed: 'afisafi-disable', // RFC 7606 §7.12
  flagsConflict: 'treat-as-withdraw',
  carriesNlri: true,
  decode(b, start, end, st) {
    if (end - start < 3) {
      return {
        subcode: UpdateSubcode.OptionalAttributeError,
        message: 'MP_UNREACH_NLRI too short to hold AFI/SAFI',
        action: 'session-reset',
      }; // RFC 7606 §7.12
    }
    const afi = readU16(b, start);
    const safi = b[start + 2]!;
    if (nlriFamilyDecoded(afi, safi)) {
      const withdrawn: Prefix[] = [];
      if (!readPrefixes(afi, b, start + 3, end, withdrawn)) {
        return {
          subcode: UpdateSubcode.OptionalAttributeError,
          message: 'MP_UNREACH_NLRI holds a malformed prefix',
          action: 'afisafi-disable',
          afi,
          safi,
        }; // RFC 7606 §5.3, §7.12
      }
      st.attrs.mpUnreach = { afi, safi, withdrawn };
    } else {
      st.attrs.mpUnreach = { afi, safi, withdrawn: [], rawWithdrawn: b.slice(start + 3, end) };
    }
    return undefined;
  },
  encode(attrs, _ctx, w) {
    const mp = attrs.mpUnreach;
    if (mp === undefined) return false;
    w.u16(mp.afi);
    w.u8(mp.safi);
    if (mp.rawWithdrawn !== undefined) w.bytes(mp.rawWithdrawn);
    else writePrefixes(w, mp.withdrawn);
    return true;
  },
};
