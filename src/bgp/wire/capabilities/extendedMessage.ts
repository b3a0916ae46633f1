/**
 * @module bgp/wire/capabilities/extendedMessage
 * Extended Message, code 6 (RFC 8654 §3): no value. Decoded so the session can see it;
 * ARSLab never advertises it, so messages stay within 4096 octets.
 */
import { CapabilityCode } from '../types.js';
import type { CapabilityDescriptor } from './descriptor.js';

export const EXTENDED_MESSAGE: CapabilityDescriptor<'extended-message'> = {
  code: CapabilityCode.ExtendedMessage,
  kind: 'extended-message',
  name: 'Extended Message',
  decode(_b, start, end) {
    return end === start ? { kind: 'extended-message' } : undefined;
  },
  encode() {},
};
