// Capabilities (RFC 5492 §4) one by one: each vector is Code, Length, Value, and must
// decode to the capability and encode back to the same octets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCapabilities, writeCapability } from './capabilities.js';
import type { Capability } from '../types.js';
import { ByteWriter } from '../writer.js';
import { bytes, hex, u16, u32 } from '../testkit.js';

const vectors: { name: string; cap: Capability; wire: Uint8Array }[] = [
  {
    name: 'Multiprotocol IPv6 unicast',
    cap: { kind: 'multiprotocol', afi: 2, safi: 1 },
    wire: bytes(1, 4, u16(2), 0 /* Reserved */, 1),
  },
  { name: 'Route Refresh', cap: { kind: 'route-refresh' }, wire: bytes(2, 0) },
  { name: 'Extended Message', cap: { kind: 'extended-message' }, wire: bytes(6, 0) },
  { name: '4-octet AS', cap: { kind: 'four-octet-as', asn: 4294967294 }, wire: bytes(65, 4, u32(4294967294)) },
  { name: 'Enhanced Route Refresh', cap: { kind: 'enhanced-route-refresh' }, wire: bytes(70, 0) },
  {
    name: 'Graceful Restart, two families',
    cap: {
      kind: 'graceful-restart',
      restartFlags: 0xc,
      restartTime: 4095,
      families: [
        { afi: 1, safi: 1, flags: 0x80 },
        { afi: 2, safi: 1, flags: 0 },
      ],
    },
    wire: bytes(64, 10, 0xcf, 0xff /* R+N bits, 4095 s */, u16(1), 1, 0x80, u16(2), 1, 0),
  },
  {
    name: 'Graceful Restart, helper only',
    cap: { kind: 'graceful-restart', restartFlags: 0, restartTime: 0, families: [] },
    wire: bytes(64, 2, 0, 0),
  },
  {
    name: 'ADD-PATH',
    cap: { kind: 'add-path', families: [{ afi: 1, safi: 1, sendReceive: 1 }] },
    wire: bytes(69, 4, u16(1), 1, 1),
  },
  {
    name: 'FQDN',
    cap: { kind: 'fqdn', hostname: 'nva-1', domain: '' },
    wire: bytes(73, 7, 5, 0x6e, 0x76, 0x61, 0x2d, 0x31, 0),
  },
  {
    name: 'FQDN, UTF-8',
    cap: { kind: 'fqdn', hostname: 'é', domain: 'x' },
    wire: bytes(73, 5, 2, 0xc3, 0xa9, 1, 0x78),
  },
  { name: 'unknown 128', cap: { kind: 'unknown', code: 128, value: bytes() }, wire: bytes(128, 0) },
  { name: 'unknown 9 (BGP Role)', cap: { kind: 'unknown', code: 9, value: bytes(3) }, wire: bytes(9, 1, 3) },
];

for (const v of vectors) {
  test(`capability ${v.name}: decodes and encodes back`, () => {
    const out: Capability[] = [];
    assert.equal(readCapabilities(v.wire, 0, v.wire.length, out), undefined);
    assert.deepEqual(out, [v.cap]);
    const w = new ByteWriter(16);
    writeCapability(w, v.cap);
    assert.equal(hex(w.finish()), hex(v.wire));
  });
}

test('capability: the Multiprotocol Reserved octet is ignored on receipt (RFC 4760 §8)', () => {
  const out: Capability[] = [];
  assert.equal(readCapabilities(bytes(1, 4, u16(1), 0xff, 1), 0, 6, out), undefined);
  assert.deepEqual(out, [{ kind: 'multiprotocol', afi: 1, safi: 1 }]);
});

test('capability: values that cannot be represented throw RangeError', () => {
  assert.throws(
    () => writeCapability(new ByteWriter(), { kind: 'unknown', code: 200, value: new Uint8Array(256) }),
    RangeError,
  );
  assert.throws(
    () => writeCapability(new ByteWriter(), { kind: 'fqdn', hostname: 'a'.repeat(256), domain: '' }),
    RangeError,
  );
});
