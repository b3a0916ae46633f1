/**
 * @module bgp/wire/attributes/aggregator
 * AGGREGATOR, type 7 (RFC 4271 §4.3 g; 6 octets, or 8 between 4-octet speakers per RFC 6793
 * §4.1) and AS4_AGGREGATOR, type 18 (RFC 6793 §3), which carries the real ASN when a
 * 2-octet AGGREGATOR holds AS_TRANS.
 */
import { UpdateSubcode } from '../errors.js';
import { AS_TRANS, AttrFlag, AttrType } from '../types.js';
import { readU16, readU32 } from '../writer.js';
import { fault, type AttributeDescriptor } from './descriptor.js';

export const AGGREGATOR: AttributeDescriptor = {
  code: AttrType.AGGREGATOR,
  name: 'AGGREGATOR',
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  malformed: 'attribute-discard', // RFC 7606 §7.7
  flagsConflict: 'treat-as-withdraw',
  decode(b, start, end, st, ctx) {
    const size = ctx.fourOctetAs ? 8 : 6;
    if (end - start !== size) return fault(UpdateSubcode.AttributeLengthError, `AGGREGATOR length is not ${size}`); // RFC 7606 §7.7
    const asn = ctx.fourOctetAs ? readU32(b, start) : readU16(b, start);
    if (asn === 0) return fault(UpdateSubcode.OptionalAttributeError, 'AGGREGATOR holds AS 0'); // RFC 7607 §2
    st.attrs.aggregator = { asn, address: readU32(b, end - 4) };
    return undefined;
  },
  encode(attrs, ctx, w) {
    const agg = attrs.aggregator;
    if (agg === undefined) return false;
    if (ctx.fourOctetAs) w.u32(agg.asn);
    else w.u16(agg.asn > 0xffff ? AS_TRANS : agg.asn); // RFC 6793 §4.2.2
    w.u32(agg.address);
    return true;
  },
};

export const AS4_AGGREGATOR: AttributeDescriptor = {
  code: AttrType.AS4_AGGREGATOR,
  name: 'AS4_AGGREGATOR',
  flags: AttrFlag.Optional | AttrFlag.Transitive,
  malformed: 'attribute-discard', // RFC 6793 §6
  flagsConflict: 'attribute-discard', // RFC 6793 §6
  decode(b, start, end, st) {
    if (end - start !== 8) return fault(UpdateSubcode.AttributeLengthError, 'AS4_AGGREGATOR length is not 8'); // RFC 6793 §6
    const asn = readU32(b, start);
    if (asn === 0) return fault(UpdateSubcode.OptionalAttributeError, 'AS4_AGGREGATOR holds AS 0'); // RFC 7607 §2
    st.as4Aggregator = { asn, address: readU32(b, start + 4) };
    return undefined;
  },
  encode(attrs, ctx, w) {
    const agg = attrs.aggregator;
    if (ctx.fourOctetAs || agg === undefined || agg.asn <= 0xffff) return false; // RFC 6793 §4.2.2
    w.u32(agg.asn);
    w.u32(agg.address);
    return true;
  },
};
