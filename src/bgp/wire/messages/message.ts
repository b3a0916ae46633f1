/**
 * @module bgp/wire/messages/message
 * Entry points: one whole message (header included) to a typed message, and back.
 */
import { ErrorCode, HeaderSubcode, fail, wireError, type Decoded } from '../errors.js';
import { MessageType, type BgpMessage, type CodecContext, type ReceivedMessage } from '../types.js';
import { readHeader } from './header.js';
import { decodeKeepalive, encodeKeepalive } from './keepalive.js';
import { decodeNotification, encodeNotification } from './notification.js';
import { decodeOpen, encodeOpen } from './open.js';
import { decodeRouteRefresh, encodeRouteRefresh } from './routeRefresh.js';
import { decodeUpdate, encodeUpdate } from './update.js';

/**
 * Decodes `bytes`, which must hold exactly one message. Never throws: every defect comes
 * back as a BgpWireError carrying the NOTIFICATION and the RFC 7606 action.
 */
export function decodeMessage(bytes: Uint8Array, ctx: CodecContext): Decoded<ReceivedMessage> {
  const header = readHeader(bytes);
  if (!header.ok) return header;
  const { type, length } = header.value;
  if (bytes.length !== length) {
    return fail(
      wireError(
        ErrorCode.MessageHeader,
        HeaderSubcode.BadMessageLength,
        'session-reset',
        `Length ${length} but ${bytes.length} octets given`,
        bytes.slice(16, 18),
      ),
    );
  }
  switch (type) {
    case MessageType.OPEN:
      return decodeOpen(bytes, length);
    case MessageType.UPDATE:
      return decodeUpdate(bytes, length, ctx);
    case MessageType.NOTIFICATION:
      return decodeNotification(bytes, length);
    case MessageType.KEEPALIVE:
      return decodeKeepalive();
    case MessageType.ROUTE_REFRESH:
      return decodeRouteRefresh(bytes);
  }
  // readHeader already refused other types; kept for the compiler and for safety.
  return fail(
    wireError(
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageType,
      'session-reset',
      `unknown message type ${type}`,
      bytes.slice(18, 19),
    ),
  );
}

/**
 * Encodes a message. Throws RangeError only on values that cannot be represented, such as
 * a message over 4096 octets. Every message `decodeMessage` returns re-encodes, with one
 * theoretical exception: toward a 2-octet peer the AS4_PATH carries the whole path (RFC
 * 6793 §4.2.2), so a received UPDATE whose short AS4_PATH was merged into a long AS_PATH
 * can grow past 4096 octets.
 */
export function encodeMessage(msg: BgpMessage, ctx: CodecContext): Uint8Array {
  switch (msg.type) {
    case 'OPEN':
      return encodeOpen(msg);
    case 'UPDATE':
      return encodeUpdate(msg, ctx);
    case 'NOTIFICATION':
      return encodeNotification(msg);
    case 'KEEPALIVE':
      return encodeKeepalive();
    case 'ROUTE-REFRESH':
      return encodeRouteRefresh(msg);
  }
}
