/**
 * @module bgp/wire/messages/keepalive
 * KEEPALIVE (RFC 4271 §4.4): the header alone; its length is checked by `readHeader`.
 */
import { ok, type Decoded } from '../errors.js';
import { HEADER_LENGTH, MessageType, type KeepaliveMessage } from '../types.js';
import { writeHeader } from './header.js';

const KEEPALIVE: KeepaliveMessage = Object.freeze({ type: 'KEEPALIVE' });

export function decodeKeepalive(): Decoded<KeepaliveMessage> {
  return ok(KEEPALIVE);
}

export function encodeKeepalive(): Uint8Array {
  const b = new Uint8Array(HEADER_LENGTH);
  writeHeader(b, MessageType.KEEPALIVE, HEADER_LENGTH);
  return b;
}
