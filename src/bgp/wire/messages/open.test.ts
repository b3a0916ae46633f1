// OPEN (RFC 4271 §4.2, §6.2), Capabilities (RFC 5492), extended parameters (RFC 9072).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from './message.js';
import { CONTEXT_4OCTET, type OpenMessage } from '../types.js';
import { bytes, hex, message, u16, u32 } from '../testkit.js';

function open(...params: (number | number[] | Uint8Array)[]): Uint8Array {
  const p = bytes(...params);
  return message(
    1,
    4, //               Version
    u16(65001), //      My Autonomous System
    u16(90), //         Hold Time
    u32(0x0a000001), // BGP Identifier 10.0.0.1
    p.length, //        Optional Parameters Length
    p,
  );
}

function decodeOpen(b: Uint8Array): OpenMessage {
  const d = decodeMessage(b, CONTEXT_4OCTET);
  assert.ok(d.ok, d.ok ? '' : d.error.message);
  assert.equal(d.value.type, 'OPEN');
  return d.value as OpenMessage;
}

test('OPEN: capabilities in one parameter and in several are all kept, in order', () => {
  const one = open(
    2,
    14, //                      Capabilities parameter, 14 octets
    1,
    4,
    u16(1),
    0,
    1, //         Multiprotocol IPv4 unicast
    2,
    0, //                       Route Refresh
    65,
    4,
    u32(4200000000), //     4-octet AS 4200000000
  );
  const several = open(
    2,
    6,
    1,
    4,
    u16(1),
    0,
    1, //   one capability per parameter (as Cisco sends)
    2,
    2,
    2,
    0,
    2,
    6,
    65,
    4,
    u32(4200000000),
  );
  const expected: OpenMessage = {
    type: 'OPEN',
    version: 4,
    myAs: 65001,
    holdTime: 90,
    bgpId: 0x0a000001,
    capabilities: [
      { kind: 'multiprotocol', afi: 1, safi: 1 },
      { kind: 'route-refresh' },
      { kind: 'four-octet-as', asn: 4200000000 },
    ],
    otherParameters: [],
  };
  assert.deepEqual(decodeOpen(one), expected);
  assert.deepEqual(decodeOpen(several), expected);
  assert.equal(hex(encodeMessage(expected, CONTEXT_4OCTET)), hex(one)); // we send them in one parameter
});

test('OPEN: every capability kind, and unknown ones kept as received', () => {
  const caps = bytes(
    6,
    0, //                                         Extended Message
    70,
    0, //                                        Enhanced Route Refresh
    64,
    6,
    0x80,
    0x78,
    u16(1),
    1,
    0x80, //           Graceful Restart: R bit, 120 s; IPv4 unicast F bit
    69,
    4,
    u16(2),
    1,
    3, //                          ADD-PATH IPv6 unicast send/receive
    73,
    11,
    3,
    0x72,
    0x73,
    0x31,
    6,
    0x65,
    0x78,
    0x2e,
    0x63,
    0x6f,
    0x6d, // FQDN "rs1" "ex.com"
    128,
    0, //                                       Cisco Route Refresh
    71,
    7,
    u16(1),
    1,
    0x80,
    0,
    0,
    60, //             Long-Lived Graceful Restart
    9,
    1,
    0, //                                      BGP Role: provider
    5,
    6,
    u16(1),
    1,
    0,
    u16(2), //                   Extended Next Hop
  );
  const o = decodeOpen(open(2, caps.length, caps));
  assert.deepEqual(o.capabilities, [
    { kind: 'extended-message' },
    { kind: 'enhanced-route-refresh' },
    { kind: 'graceful-restart', restartFlags: 8, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
    { kind: 'add-path', families: [{ afi: 2, safi: 1, sendReceive: 3 }] },
    { kind: 'fqdn', hostname: 'rs1', domain: 'ex.com' },
    { kind: 'unknown', code: 128, value: bytes() },
    { kind: 'unknown', code: 71, value: bytes(u16(1), 1, 0x80, 0, 0, 60) },
    { kind: 'unknown', code: 9, value: bytes(0) },
    { kind: 'unknown', code: 5, value: bytes(u16(1), 1, 0, u16(2)) },
  ]);
});

test('OPEN: an FQDN that is not UTF-8 is carried as unknown', () => {
  const o = decodeOpen(open(2, 6, 73, 4, 2, 0xff, 0xfe, 0));
  assert.deepEqual(o.capabilities, [{ kind: 'unknown', code: 73, value: bytes(2, 0xff, 0xfe, 0) }]);
});

test('OPEN: optional parameters other than Capabilities are kept for the session to refuse (2/4)', () => {
  const o = decodeOpen(open(1, 2, 0xab, 0xcd /* type 1 (deprecated Authentication) */));
  assert.deepEqual(o.otherParameters, [{ type: 1, value: bytes(0xab, 0xcd) }]);
});

test('OPEN: RFC 9072 extended optional parameters decode, and are used only when needed', () => {
  const caps = bytes(1, 4, u16(1), 0, 1, 2, 0);
  const ext = message(
    1,
    4,
    u16(65001),
    u16(90),
    u32(0x0a000001),
    255, //                     Non-Ext OP Len (must be non-zero)
    255, //                     Non-Ext OP Type 255: extended format follows
    u16(3 + caps.length), //    Extended Opt. Parm. Length
    2,
    u16(caps.length),
    caps,
  ); // Capabilities parameter with a 2-octet length
  const o = decodeOpen(ext);
  assert.deepEqual(o.capabilities, [{ kind: 'multiprotocol', afi: 1, safi: 1 }, { kind: 'route-refresh' }]);
  // Re-encoded in the RFC 4271 format: it fits.
  assert.equal(hex(encodeMessage(o, CONTEXT_4OCTET)), hex(open(2, caps.length, caps)));
  // 300 octets of capabilities only fit in the extended format.
  const big: OpenMessage = {
    ...o,
    capabilities: Array.from({ length: 10 }, (_, i) => ({
      kind: 'unknown' as const,
      code: 200 + i,
      value: new Uint8Array(28),
    })),
  };
  const b = encodeMessage(big, CONTEXT_4OCTET);
  assert.deepEqual([b[28], b[29]], [255, 255]);
  assert.deepEqual(decodeOpen(b), big);
});

interface Bad {
  name: string;
  msg: Uint8Array;
  code: number;
  subcode: number;
  data?: string;
}
const bad: Bad[] = [
  { name: 'version 3', msg: message(1, 3, u16(65001), u16(90), u32(1), 0), code: 2, subcode: 1, data: '0004' },
  { name: 'Hold Time 1', msg: message(1, 4, u16(65001), u16(1), u32(1), 0), code: 2, subcode: 6 },
  { name: 'Hold Time 2', msg: message(1, 4, u16(65001), u16(2), u32(1), 0), code: 2, subcode: 6 },
  { name: 'BGP Identifier 0', msg: message(1, 4, u16(65001), u16(90), u32(0), 0), code: 2, subcode: 3 },
  {
    name: 'Optional Parameters Length past the message',
    msg: message(1, 4, u16(65001), u16(90), u32(1), 10, 2, 0),
    code: 1,
    subcode: 2,
  },
  {
    name: 'octets after the optional parameters',
    msg: message(1, 4, u16(65001), u16(90), u32(1), 0, 0),
    code: 1,
    subcode: 2,
  },
  {
    name: 'extended format cut before its length',
    msg: message(1, 4, u16(65001), u16(90), u32(1), 255, 255, 0),
    code: 1,
    subcode: 2,
  },
  { name: 'parameter header cut short', msg: open(2), code: 2, subcode: 0 },
  { name: 'parameter overruns the parameters', msg: open(2, 5, 2, 0), code: 2, subcode: 0 },
  { name: 'capability overruns its parameter', msg: open(2, 4, 1, 4, u16(1)), code: 2, subcode: 0 },
  { name: 'capability header cut short', msg: open(2, 3, 2, 0, 65), code: 2, subcode: 0 },
  { name: 'Multiprotocol of length 3', msg: open(2, 5, 1, 3, u16(1), 1), code: 2, subcode: 0 },
  { name: 'Route Refresh of length 1', msg: open(2, 3, 2, 1, 0), code: 2, subcode: 0 },
  { name: '4-octet AS of length 2', msg: open(2, 4, 65, 2, u16(1)), code: 2, subcode: 0 },
  { name: 'Graceful Restart of length 3', msg: open(2, 5, 64, 3, 0, 0, 0), code: 2, subcode: 0 },
  { name: 'ADD-PATH of length 5', msg: open(2, 7, 69, 5, u16(1), 1, 1, 0), code: 2, subcode: 0 },
  { name: 'FQDN name overruns the capability', msg: open(2, 4, 73, 2, 5, 0x61), code: 2, subcode: 0 },
];

for (const c of bad) {
  test(`OPEN: ${c.name} → ${c.code}/${c.subcode}`, () => {
    const d = decodeMessage(c.msg, CONTEXT_4OCTET);
    assert.ok(!d.ok, 'refused');
    assert.deepEqual(
      [d.error.code, d.error.subcode, d.error.action],
      [c.code, c.subcode, 'session-reset'],
      d.error.message,
    );
    if (c.data !== undefined) assert.equal(hex(d.error.data), c.data);
  });
}

test('OPEN: a leading parameter of type 255 forces the RFC 9072 format, so it is not read as the marker', () => {
  const msg: OpenMessage = {
    type: 'OPEN',
    version: 4,
    myAs: 65001,
    holdTime: 90,
    bgpId: 1,
    capabilities: [],
    otherParameters: [{ type: 255, value: bytes(1) }],
  };
  const b = encodeMessage(msg, CONTEXT_4OCTET);
  assert.deepEqual([b[28], b[29]], [255, 255]);
  assert.deepEqual(decodeOpen(b), msg);
});

test('OPEN: My Autonomous System above 65535 throws RangeError (AS_TRANS goes there, RFC 6793 §4.1)', () => {
  const msg: OpenMessage = {
    type: 'OPEN',
    version: 4,
    myAs: 4200000001,
    holdTime: 90,
    bgpId: 1,
    capabilities: [],
    otherParameters: [],
  };
  assert.throws(() => encodeMessage(msg, CONTEXT_4OCTET), RangeError);
});
