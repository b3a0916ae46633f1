// Message header checks (RFC 4271 §6.1) and the ROUTE-REFRESH length case (RFC 7313 §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readHeader } from './header.js';
import { decodeMessage } from './message.js';
import { CONTEXT_4OCTET } from '../types.js';
import { MARKER, bytes, hex, message, u16 } from '../testkit.js';

interface Case {
  readonly name: string;
  readonly msg: Uint8Array;
  readonly code: number;
  readonly subcode: number;
  readonly data: string;
}

const bad: Case[] = [
  {
    name: 'Marker not all ones',
    msg: bytes(new Array<number>(15).fill(0xff), 0xfe, u16(19), 4),
    code: 1,
    subcode: 1,
    data: '',
  },
  { name: 'Length below 19', msg: bytes(MARKER, u16(18), 4), code: 1, subcode: 2, data: '0012' },
  { name: 'Length above 4096', msg: bytes(MARKER, u16(4097), 2), code: 1, subcode: 2, data: '1001' },
  { name: 'OPEN shorter than 29', msg: bytes(MARKER, u16(28), 1), code: 1, subcode: 2, data: '001c' },
  { name: 'UPDATE shorter than 23', msg: bytes(MARKER, u16(22), 2), code: 1, subcode: 2, data: '0016' },
  { name: 'NOTIFICATION shorter than 21', msg: bytes(MARKER, u16(20), 3), code: 1, subcode: 2, data: '0014' },
  { name: 'KEEPALIVE longer than 19', msg: bytes(MARKER, u16(20), 4, 0), code: 1, subcode: 2, data: '0014' },
  {
    name: 'ROUTE-REFRESH (subtype 0) of 24 octets',
    msg: message(5, u16(1), 0, 1, 0),
    code: 1,
    subcode: 2,
    data: '0018',
  },
  { name: 'ROUTE-REFRESH of 22 octets', msg: message(5, u16(1), 0), code: 1, subcode: 2, data: '0016' },
  // RFC 7313 §5: BoRR / EoRR with a wrong length → 7/1, the whole message as data.
  {
    name: 'BoRR of 27 octets',
    msg: message(5, u16(1), 1, 1, 0, 0, 0, 0),
    code: 7,
    subcode: 1,
    data: hex(message(5, u16(1), 1, 1, 0, 0, 0, 0)),
  },
  { name: 'EoRR of 22 octets', msg: message(5, u16(1), 2), code: 7, subcode: 1, data: hex(message(5, u16(1), 2)) },
  { name: 'unknown type 6', msg: bytes(MARKER, u16(19), 6), code: 1, subcode: 3, data: '06' },
  { name: 'type 0', msg: bytes(MARKER, u16(19), 0), code: 1, subcode: 3, data: '00' },
];

for (const c of bad) {
  test(`header: ${c.name} → ${c.code}/${c.subcode}`, () => {
    for (const r of [readHeader(c.msg), decodeMessage(c.msg, CONTEXT_4OCTET)]) {
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.deepEqual(
        [r.error.code, r.error.subcode, r.error.action],
        [c.code, c.subcode, 'session-reset'],
        r.error.message,
      );
      assert.equal(hex(r.error.data), c.data);
    }
  });
}

test('header: a reserved subtype of the wrong length is accepted, to be ignored by the session (RFC 7313 §5)', () => {
  for (const m of [
    message(5, u16(1), 3),
    message(5, u16(1), 255, 1, 0, 0),
    message(5, u16(1), 128, 1, ...new Array<number>(40).fill(7)),
  ]) {
    assert.deepEqual(readHeader(m), { ok: true, value: { type: 5, length: m.length } });
    const d = decodeMessage(m, CONTEXT_4OCTET);
    assert.ok(d.ok && d.value.type === 'ROUTE-REFRESH' && d.value.subtype === m[21]);
  }
});

test('header: BoRR of the wrong length seen through its header alone is 1/2 (the subtype is not there)', () => {
  const r = readHeader(message(5, u16(1), 1, 1, 0, 0, 0, 0).subarray(0, 19));
  assert.ok(!r.ok);
  assert.deepEqual([r.error.code, r.error.subcode], [1, 2]);
});

test('header: valid headers give type and length', () => {
  assert.deepEqual(readHeader(message(4)), { ok: true, value: { type: 4, length: 19 } });
  assert.deepEqual(readHeader(message(5, u16(2), 0, 1)), { ok: true, value: { type: 5, length: 23 } });
  assert.deepEqual(readHeader(bytes(MARKER, u16(4096), 2)), { ok: true, value: { type: 2, length: 4096 } });
});

test('decodeMessage: octets given must match the Length field', () => {
  for (const b of [bytes(message(4), 0), message(2, 0, 0, 0, 0).subarray(0, 22), new Uint8Array(0), bytes(MARKER)]) {
    const r = decodeMessage(b, CONTEXT_4OCTET);
    assert.ok(!r.ok);
    assert.deepEqual([r.error.code, r.error.subcode], [1, 2]);
  }
});
