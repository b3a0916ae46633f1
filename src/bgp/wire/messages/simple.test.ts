// NOTIFICATION (RFC 4271 §4.5), KEEPALIVE (§4.4), ROUTE-REFRESH (RFC 2918, RFC 7313).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from './message.js';
import { CONTEXT_4OCTET, type BgpMessage } from '../types.js';
import { bytes, hex, message, u16 } from '../testkit.js';

const vectors: { name: string; msg: BgpMessage; wire: Uint8Array }[] = [
  { name: 'KEEPALIVE', msg: { type: 'KEEPALIVE' }, wire: message(4) },
  {
    name: 'NOTIFICATION Cease/Administrative Shutdown with an RFC 8203 reason',
    msg: { type: 'NOTIFICATION', code: 6, subcode: 2, data: bytes(3, 0x62, 0x79, 0x65) },
    wire: message(3, 6 /* Cease */, 2 /* Administrative Shutdown */, 3, 0x62, 0x79, 0x65 /* "bye" */),
  },
  {
    name: 'NOTIFICATION with no data',
    msg: { type: 'NOTIFICATION', code: 4, subcode: 0, data: bytes() },
    wire: message(3, 4, 0),
  },
  {
    name: 'NOTIFICATION with an unknown code',
    msg: { type: 'NOTIFICATION', code: 99, subcode: 42, data: bytes(1) },
    wire: message(3, 99, 42, 1),
  },
  {
    name: 'ROUTE-REFRESH IPv4 unicast',
    msg: { type: 'ROUTE-REFRESH', afi: 1, subtype: 0, safi: 1 },
    wire: message(5, u16(1) /* AFI */, 0 /* subtype */, 1 /* SAFI */),
  },
  {
    name: 'ROUTE-REFRESH EoRR IPv6 unicast',
    msg: { type: 'ROUTE-REFRESH', afi: 2, subtype: 2, safi: 1 },
    wire: message(5, u16(2), 2, 1),
  },
  {
    name: 'ROUTE-REFRESH subtype 255 (ignored by the session, RFC 7313 §5)',
    msg: { type: 'ROUTE-REFRESH', afi: 1, subtype: 255, safi: 1 },
    wire: message(5, u16(1), 255, 1),
  },
];

for (const v of vectors) {
  test(`${v.name}: encodes to the vector and decodes back`, () => {
    assert.equal(hex(encodeMessage(v.msg, CONTEXT_4OCTET)), hex(v.wire));
    assert.deepEqual(decodeMessage(v.wire, CONTEXT_4OCTET), { ok: true, value: v.msg });
  });
}

test('NOTIFICATION data too long for one message throws RangeError', () => {
  assert.throws(
    () => encodeMessage({ type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(4076) }, CONTEXT_4OCTET),
    RangeError,
  );
  assert.equal(
    encodeMessage({ type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(4075) }, CONTEXT_4OCTET).length,
    4096,
  );
});
