/**
 * @module bgp/wire/capabilities/multiprotocol
 * Multiprotocol Extensions, code 1 (RFC 4760 §8): AFI (2), Reserved (1), SAFI (1).
 */
import { CapabilityCode } from '../types.js';
import { readU16 } from '../writer.js';
import type { CapabilityDescriptor } from './descriptor.js';

export const MULTIPROTOCOL: CapabilityDescriptor<'multiprotocol'> = {
  code: CapabilityCode.Multiprotocol,
  kind: 'multiprotocol',
  name: 'Multiprotocol Extensions',
  decode(b, start, end) {
    if (end - start !== 4) return undefined;
    // The Reserved octet is ignored on receipt (RFC 4760 §8).
    return { kind: 'multiprotocol', afi: readU16(b, start), safi: b[start + 3]! };
  },
  encode(cap, w) {
    w.u16(cap.afi);
    w.u8(0);
    w.u8(cap.safi);
  },
};
