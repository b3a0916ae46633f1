/**
 * @module bgp/wire/messages/notification
 * NOTIFICATION (RFC 4271 §4.5): Error Code, Error Subcode, Data. Codes and subcodes we do
 * not know are still a valid NOTIFICATION and are kept as numbers.
 */
import { ok, type Decoded } from '../errors.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType, type NotificationMessage } from '../types.js';
import { writeHeader } from './header.js';

/** `b` is one whole message whose header `readHeader` accepted (length ≥ 21). */
export function decodeNotification(b: Uint8Array, length: number): Decoded<NotificationMessage> {
  return ok({ type: 'NOTIFICATION', code: b[19]!, subcode: b[20]!, data: b.slice(21, length) });
}

export function encodeNotification(msg: NotificationMessage): Uint8Array {
  const length = HEADER_LENGTH + 2 + msg.data.length;
  if (length > MAX_MESSAGE_LENGTH)
    throw new RangeError(`NOTIFICATION of ${length} octets exceeds ${MAX_MESSAGE_LENGTH}`);
  const b = new Uint8Array(length);
  writeHeader(b, MessageType.NOTIFICATION, length);
  b[19] = msg.code;
  b[20] = msg.subcode;
  b.set(msg.data, 21);
  return b;
}
