/**
 * @module bgp/wire/attributes/atomicAggregate
 * ATOMIC_AGGREGATE, type 6 (RFC 4271 §4.3 f): well-known discretionary, no value.
 */
import { UpdateSubcode } from '../errors.js';
import { AttrFlag, AttrType } from '../types.js';
import { fault, type AttributeDescriptor } from './descriptor.js';

export const ATOMIC_AGGREGATE: AttributeDescriptor = {
  code: AttrType.ATOMIC_AGGREGATE,
  name: 'ATOMIC_AGGREGATE',
  flags: AttrFlag.Transitive,
  malformed: 'attribute-discard', // RFC 7606 §7.6
  flagsConflict: 'treat-as-withdraw',
  decode(_b, start, end, st) {
    if (end !== start) return fault(UpdateSubcode.AttributeLengthError, 'ATOMIC_AGGREGATE length is not 0'); // RFC 7606 §7.6
    st.attrs.atomicAggregate = true;
    return undefined;
  },
  encode(attrs) {
    return attrs.atomicAggregate === true;
  },
};
