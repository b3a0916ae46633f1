/**
 * @module bgp/wire/capabilities/fourOctetAs
 * Support for 4-octet AS number, code 65 (RFC 6793 §3): the speaker's ASN in 4 octets.
 */
import { CapabilityCode } from '../types.js';
import { readU32 } from '../writer.js';
import type { CapabilityDescriptor } from './descriptor.js';

export const FOUR_OCTET_AS: CapabilityDescriptor<'four-octet-as'> = {
  code: CapabilityCode.FourOctetAs,
  kind: 'four-octet-as',
  name: 'Support for 4-octet AS number',
  decode(b, start, end) {
    return end - start === 4 ? { kind: 'four-octet-as', asn: readU32(b, start) } : undefined;
  },
  encode(cap, w) {
    w.u32(cap.asn);
  },
};
