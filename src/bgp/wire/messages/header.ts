/**
 * @module bgp/wire/messages/header
 * The 19-octet message header (RFC 4271 §4.1) and its checks (RFC 4271 §6.1).
 *
 * A transport frames the byte stream with the Length field alone (octets 16-17); the
 * verdict on a message comes from `readHeader` on the whole message, or `decodeMessage`.
 */
import { ErrorCode, HeaderSubcode, RouteRefreshSubcode, fail, ok, wireError, type Decoded } from '../errors.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MIN_MESSAGE_LENGTH, MessageType } from '../types.js';
import { readU16 } from '../writer.js';

export interface MessageHeader {
  /** Message Type octet (MessageType). */
  readonly type: number;
  /** Total message length, header included. */
  readonly length: number;
}

/** Lowest Length per type; KEEPALIVE and ROUTE-REFRESH have a fixed length (RFC 4271 §6.1, RFC 2918 §3). */
const MIN_LENGTH: Record<number, number> = {
  [MessageType.OPEN]: 29,
  [MessageType.UPDATE]: 23,
  [MessageType.NOTIFICATION]: 21,
  [MessageType.KEEPALIVE]: 19,
  [MessageType.ROUTE_REFRESH]: 23,
};
const FIXED_LENGTH: Record<number, boolean> = {
  [MessageType.KEEPALIVE]: true,
  [MessageType.ROUTE_REFRESH]: true,
};

function badLength(bytes: Uint8Array, why: string): Decoded<MessageHeader> {
  // RFC 4271 §6.1: the Data field holds the erroneous Length field.
  return fail(
    wireError(ErrorCode.MessageHeader, HeaderSubcode.BadMessageLength, 'session-reset', why, bytes.slice(16, 18)),
  );
}

/**
 * Reads and checks the header at the start of `bytes` (which need only hold the header,
 * but see ROUTE-REFRESH below). Every error resets the session.
 *
 * ROUTE-REFRESH whose Length is not 23: a Bad Message Length (1/2) by RFC 4271 §6.1, except
 * that RFC 7313 §5 asks for ROUTE-REFRESH Message Error / Invalid Message Length (7/1),
 * with the whole message as data, when the Message Subtype is 1 (BoRR) or 2 (EoRR), and to
 * ignore the message when the subtype is reserved (3–255): that one is accepted here. The
 * subtype lies beyond the header, so both are told apart only when `bytes` holds the message.
 */
export function readHeader(bytes: Uint8Array): Decoded<MessageHeader> {
  if (bytes.length < HEADER_LENGTH) return badLength(bytes, `${bytes.length} octets cannot hold a message header`);
  for (let i = 0; i < 16; i++) {
    if (bytes[i] !== 0xff) {
      return fail(
        wireError(
          ErrorCode.MessageHeader,
          HeaderSubcode.ConnectionNotSynchronized,
          'session-reset',
          'Marker is not all ones',
        ),
      ); // RFC 4271 §6.1
    }
  }
  const length = readU16(bytes, 16);
  const type = bytes[18]!;
  if (length < MIN_MESSAGE_LENGTH || length > MAX_MESSAGE_LENGTH)
    return badLength(bytes, `Length ${length} is outside 19..4096`); // RFC 4271 §6.1
  const min = MIN_LENGTH[type];
  if (min === undefined) {
    return fail(
      wireError(
        ErrorCode.MessageHeader,
        HeaderSubcode.BadMessageType,
        'session-reset',
        `unknown message type ${type}`,
        bytes.slice(18, 19),
      ),
    ); // RFC 4271 §6.1
  }
  if (length < min || (FIXED_LENGTH[type] === true && length !== min)) {
    // RFC 7313 §5: "When the BGP speaker receives a ROUTE-REFRESH message with a 'Message
    // Subtype' field other than 0, 1, or 2, it MUST ignore the received ROUTE-REFRESH
    // message" — whatever its length: it is framed and handed on, and the session drops it.
    if (type === MessageType.ROUTE_REFRESH && bytes.length >= length && length >= 22 && bytes[21]! > 2)
      return ok({ type, length });
    if (
      type === MessageType.ROUTE_REFRESH &&
      bytes.length >= length &&
      length >= 22 &&
      (bytes[21] === 1 || bytes[21] === 2)
    ) {
      return fail(
        wireError(
          ErrorCode.RouteRefreshMessage,
          RouteRefreshSubcode.InvalidMessageLength,
          'session-reset',
          `ROUTE-REFRESH subtype ${bytes[21]} with Length ${length}`,
          bytes.slice(0, length),
        ),
      ); // RFC 7313 §5
    }
    return badLength(bytes, `Length ${length} is wrong for message type ${type}`); // RFC 4271 §6.1
  }
  return ok({ type, length });
}

/** Writes the header for a message of `length` octets into `b[0, 19)`. */
export function writeHeader(b: Uint8Array, type: number, length: number): void {
  b.fill(0xff, 0, 16);
  b[16] = length >>> 8;
  b[17] = length & 0xff;
  b[18] = type;
}
