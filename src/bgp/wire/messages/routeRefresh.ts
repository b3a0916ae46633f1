/**
 * @module bgp/wire/messages/routeRefresh
 * ROUTE-REFRESH (RFC 2918 §3), whose Reserved octet is the Message Subtype of RFC 7313 §3
 * (0 request, 1 BoRR, 2 EoRR). Other subtypes decode as they are: RFC 7313 §5 says to
 * ignore them, which the session layer does.
 */
import { ok, type Decoded } from '../errors.js';
import { MessageType, type RouteRefreshMessage } from '../types.js';
import { readU16 } from '../writer.js';
import { writeHeader } from './header.js';

const LENGTH = 23;

/**
 * `b` is one whole message whose header `readHeader` accepted: 23 octets, or any length of
 * at least 22 with a reserved subtype (RFC 7313 §5, to be ignored; a missing SAFI reads 0).
 */
export function decodeRouteRefresh(b: Uint8Array): Decoded<RouteRefreshMessage> {
  return ok({ type: 'ROUTE-REFRESH', afi: readU16(b, 19), subtype: b[21]!, safi: b[22] ?? 0 });
}

export function encodeRouteRefresh(msg: RouteRefreshMessage): Uint8Array {
  const b = new Uint8Array(LENGTH);
  writeHeader(b, MessageType.ROUTE_REFRESH, LENGTH);
  b[19] = msg.afi >>> 8;
  b[20] = msg.afi & 0xff;
  b[21] = msg.subtype;
  b[22] = msg.safi;
  return b;
}
