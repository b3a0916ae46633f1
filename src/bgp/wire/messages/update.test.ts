// UPDATE decoding and encoding (RFC 4271 §4.3, RFC 7606, RFC 4760, RFC 6793). The
// malformed cases are byte vectors with every field commented, and each asserts the
// RFC 7606 action class and the NOTIFICATION code/subcode, not just "an error".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from './message.js';
import {
  CONTEXT_2OCTET,
  CONTEXT_4OCTET,
  type CodecContext,
  type PathAttributes,
  type ReceivedUpdate,
  type UpdateMessage,
} from '../types.js';
import type { ErrorAction } from '../errors.js';
import { attr, bytes, hex, message, u16, u32, update } from '../testkit.js';
import { v4Prefix, v6Prefix, parseIpv6 } from '../prefix.js';

// Well-formed attributes reused by the vectors (4-octet AS unless named *2).
const ORIGIN_IGP = attr(0x40, 1, 0); //                        flags WK-T, type ORIGIN, value IGP
const AS_PATH_65001 = attr(0x40, 2, 2, 1, u32(65001)); //       AS_SEQUENCE, 1 ASN, 65001
const AS_PATH2_65001 = attr(0x40, 2, 2, 1, u16(65001)); //      the same with a 2-octet ASN
const NEXT_HOP = attr(0x40, 3, 192, 0, 2, 1); //                192.0.2.1
const NLRI_10_8 = [8, 10]; //                                   10.0.0.0/8
const BASE = [ORIGIN_IGP, AS_PATH_65001, NEXT_HOP];

interface Expect {
  /** false: decodeMessage returns { ok: false } (session-reset or afisafi-disable). */
  readonly ok: boolean;
  readonly action: ErrorAction;
  readonly code?: number;
  readonly subcode: number;
  /** NOTIFICATION data, when the RFC defines it. */
  readonly data?: Uint8Array;
  readonly afi?: number;
  readonly safi?: number;
  readonly check?: (u: ReceivedUpdate) => void;
}

interface Case extends Expect {
  readonly name: string;
  readonly ctx?: CodecContext;
  readonly msg: Uint8Array;
}

const MP_REACH_V6 = (nh: number[], nlri: number[]) => attr(0x80, 14, u16(2), 1, nh.length, nh, 0, nlri); // AFI 2, SAFI 1, NH len, NH, Reserved, NLRI
const NH_V6 = Array.from(parseIpv6Addr('2001:db8::1'));
function parseIpv6Addr(s: string): Uint8Array {
  const v = parseIpv6(s)!;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number((v >> BigInt(120 - 8 * i)) & 0xffn);
  return out;
}

const cases: Case[] = [
  // ---- message framing: session-reset (RFC 4271 §6.3, RFC 7606 §5.3)
  {
    name: 'Withdrawn Routes Length overruns the message',
    msg: message(2, u16(10) /* Withdrawn Routes Length: 10, but 4 octets follow */, 24, 10, 0, 0),
    ok: false,
    action: 'session-reset',
    subcode: 1,
  },
  {
    name: 'Total Path Attribute Length overruns the message',
    msg: message(2, u16(0) /* no withdrawals */, u16(50) /* Total Path Attribute Length: 50 */, ORIGIN_IGP),
    ok: false,
    action: 'session-reset',
    subcode: 1,
  },
  {
    name: 'withdrawn prefix longer than 32 bits',
    msg: update({ withdrawn: [33, 10, 0, 0, 0, 0] /* /33 */ }),
    ok: false,
    action: 'session-reset',
    subcode: 10,
  },
  {
    name: 'withdrawn prefix overruns the Withdrawn Routes',
    msg: update({ withdrawn: [24, 10, 0] /* /24 needs 3 octets, 2 given */ }),
    ok: false,
    action: 'session-reset',
    subcode: 10,
  },
  {
    name: 'NLRI prefix longer than 32 bits',
    msg: update({ attributes: BASE, nlri: [40, 10, 0, 0, 0, 0] /* /40 */ }),
    ok: false,
    action: 'session-reset',
    subcode: 10,
  },
  {
    name: 'NLRI prefix overruns the message',
    msg: update({ attributes: BASE, nlri: [24, 10] /* /24 needs 3 octets, 1 given */ }),
    ok: false,
    action: 'session-reset',
    subcode: 10,
  },

  // ---- attribute framing: RFC 7606 §4
  {
    name: 'attribute length overruns the path attributes; the NLRI are still found',
    msg: update({
      attributes: [ORIGIN_IGP, bytes(0x40, 2, 50 /* AS_PATH length 50 */, 2, 1, u32(65001))],
      nlri: NLRI_10_8,
    }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
    check: (u) => assert.deepEqual(u.nlri, [v4Prefix(0x0a000000, 8)]),
  },
  {
    name: 'two octets left: too few for an attribute header',
    msg: update({ attributes: [ORIGIN_IGP, [0x40, 2] /* flags, type, no length */], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'Extended Length header cut after one length octet',
    msg: update({
      attributes: [ORIGIN_IGP, [0x50, 2, 0] /* flags with Extended Length, type, 1 of 2 length octets */],
      nlri: NLRI_10_8,
    }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'MP_REACH_NLRI overrunning the path attributes disables its family',
    msg: update({
      attributes: [bytes(0x80, 14, 40 /* length 40 */, u16(2), 1 /* AFI 2 SAFI 1 */, 16, NH_V6.slice(0, 8))],
    }),
    ok: false,
    action: 'afisafi-disable',
    subcode: 5,
    afi: 2,
    safi: 1,
  },
  {
    name: 'MP_UNREACH_NLRI overrunning before its AFI/SAFI resets the session',
    msg: update({ attributes: [[0x80, 15, 40 /* length 40 */, 0 /* one octet of AFI */]] }),
    ok: false,
    action: 'session-reset',
    subcode: 5,
  },

  // ---- duplicates: RFC 7606 §3(g)
  {
    name: 'MP_REACH_NLRI twice',
    msg: update({ attributes: [MP_REACH_V6(NH_V6, [32, 0x20, 0x01, 0x0d, 0xb8]), MP_REACH_V6(NH_V6, [])] }),
    ok: false,
    action: 'session-reset',
    subcode: 1,
  },
  {
    name: 'MP_UNREACH_NLRI twice',
    msg: update({ attributes: [attr(0x80, 15, u16(2), 1), attr(0x80, 15, u16(2), 1)] }),
    ok: false,
    action: 'session-reset',
    subcode: 1,
  },
  {
    name: 'ORIGIN twice: the first is kept',
    msg: update({
      attributes: [ORIGIN_IGP, attr(0x40, 1, 2) /* ORIGIN INCOMPLETE */, AS_PATH_65001, NEXT_HOP],
      nlri: NLRI_10_8,
    }),
    ok: true,
    action: 'attribute-discard',
    subcode: 1,
    check: (u) => assert.equal(u.attributes.origin, 0),
  },
  {
    name: 'an unknown optional attribute twice: the first is kept',
    msg: update({ attributes: [...BASE, attr(0xc0, 200, 1), attr(0xc0, 200, 2)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'attribute-discard',
    subcode: 1,
    check: (u) => assert.deepEqual(u.attributes.unknown, [{ flags: 0xc0, type: 200, value: bytes(1) }]),
  },

  // ---- flags: RFC 7606 §3(c), RFC 4271 §5
  {
    name: 'ORIGIN marked optional',
    msg: update({ attributes: [attr(0xc0, 1, 0), AS_PATH_65001, NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 4,
    data: attr(0xc0, 1, 0),
  },
  {
    name: 'COMMUNITIES without the Transitive bit',
    msg: update({ attributes: [...BASE, attr(0x80, 8, u32(0xfde90001))], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 4,
  },
  {
    name: 'MULTI_EXIT_DISC with the Transitive bit',
    msg: update({ attributes: [...BASE, attr(0xc0, 4, u32(10))], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 4,
  },
  {
    name: 'Partial on a well-known attribute',
    msg: update({ attributes: [attr(0x60, 1, 0), AS_PATH_65001, NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 4,
  },
  {
    name: 'Partial on an optional non-transitive attribute',
    msg: update({ attributes: [...BASE, attr(0xa0, 4, u32(10))], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 4,
  },
  {
    name: 'MP_REACH_NLRI with the Transitive bit: its NLRI are still decoded to be withdrawn',
    msg: update({ attributes: [attr(0xc0, 14, u16(2), 1, 16, NH_V6, 0, 32, 0x20, 0x01, 0x0d, 0xb8)] }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 4,
    check: (u) => assert.deepEqual(u.attributes.mpReach?.nlri, [v6Prefix(0x20010db8n << 96n, 32)]),
  },
  {
    name: 'AS4_PATH marked well-known is discarded (RFC 6793 §6)',
    ctx: CONTEXT_2OCTET,
    msg: update({
      attributes: [ORIGIN_IGP, AS_PATH2_65001, NEXT_HOP, attr(0x40, 17, 2, 1, u32(70000))],
      nlri: NLRI_10_8,
    }),
    ok: true,
    action: 'attribute-discard',
    subcode: 4,
    check: (u) => assert.deepEqual(u.attributes.asPath, [{ type: 2, asns: [65001] }]),
  },
  {
    name: 'unrecognized well-known attribute',
    msg: update({ attributes: [...BASE, attr(0x40, 99, 1, 2, 3)], nlri: NLRI_10_8 }),
    ok: false,
    action: 'session-reset',
    subcode: 2,
    data: attr(0x40, 99, 1, 2, 3),
  },

  // ---- per attribute: RFC 7606 §7, RFC 6793 §6, RFC 8092 §6, RFC 7607 §2
  {
    name: 'ORIGIN of length 2',
    msg: update({ attributes: [attr(0x40, 1, 0, 0), AS_PATH_65001, NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
    data: attr(0x40, 1, 0, 0),
  },
  {
    name: 'ORIGIN value 3',
    msg: update({ attributes: [attr(0x40, 1, 3), AS_PATH_65001, NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 6,
    data: attr(0x40, 1, 3),
  },
  {
    name: 'AS_PATH segment overruns the attribute',
    msg: update({ attributes: [ORIGIN_IGP, attr(0x40, 2, 2, 2 /* 2 ASNs */, u32(65001)), NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 11,
  },
  {
    name: 'AS_PATH segment of length 0',
    msg: update({ attributes: [ORIGIN_IGP, attr(0x40, 2, 2, 0), NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 11,
  },
  {
    name: 'AS_PATH segment type 5',
    msg: update({ attributes: [ORIGIN_IGP, attr(0x40, 2, 5, 1, u32(65001)), NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 11,
  },
  {
    name: 'AS_PATH with one octet after the last segment',
    msg: update({ attributes: [ORIGIN_IGP, attr(0x40, 2, 2, 1, u32(65001), 2), NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 11,
  },
  {
    name: 'AS_PATH holding AS 0 (RFC 7607)',
    msg: update({ attributes: [ORIGIN_IGP, attr(0x40, 2, 2, 1, u32(0)), NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 11,
  },
  {
    name: '4-octet AS_PATH read as 2-octet overruns',
    ctx: CONTEXT_2OCTET,
    msg: update({ attributes: [ORIGIN_IGP, attr(0x40, 2, 2, 2, u32(65001)), NEXT_HOP], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 11,
  },
  {
    name: 'AS4_PATH with a zero-length segment is discarded',
    ctx: CONTEXT_2OCTET,
    msg: update({ attributes: [ORIGIN_IGP, AS_PATH2_65001, NEXT_HOP, attr(0xc0, 17, 2, 0)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'attribute-discard',
    subcode: 9,
    check: (u) => assert.deepEqual(u.attributes.asPath, [{ type: 2, asns: [65001] }]),
  },
  {
    name: 'AS4_PATH with a confederation segment is discarded',
    ctx: CONTEXT_2OCTET,
    msg: update({
      attributes: [ORIGIN_IGP, AS_PATH2_65001, NEXT_HOP, attr(0xc0, 17, 3, 1, u32(70000))],
      nlri: NLRI_10_8,
    }),
    ok: true,
    action: 'attribute-discard',
    subcode: 9,
  },
  {
    name: 'NEXT_HOP of length 5',
    msg: update({ attributes: [ORIGIN_IGP, AS_PATH_65001, attr(0x40, 3, 192, 0, 2, 1, 0)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'MULTI_EXIT_DISC of length 3',
    msg: update({ attributes: [...BASE, attr(0x80, 4, 0, 0, 1)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'LOCAL_PREF of length 2',
    msg: update({ attributes: [...BASE, attr(0x40, 5, 0, 100)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'ATOMIC_AGGREGATE of length 1 is discarded',
    msg: update({ attributes: [...BASE, attr(0x40, 6, 0)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'attribute-discard',
    subcode: 5,
    check: (u) => assert.equal(u.attributes.atomicAggregate, undefined),
  },
  {
    name: 'AGGREGATOR of 6 octets between 4-octet speakers is discarded',
    msg: update({ attributes: [...BASE, attr(0xc0, 7, u16(65001), 192, 0, 2, 1)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'attribute-discard',
    subcode: 5,
    check: (u) => assert.equal(u.attributes.aggregator, undefined),
  },
  {
    name: 'AGGREGATOR of 8 octets from a 2-octet speaker is discarded',
    ctx: CONTEXT_2OCTET,
    msg: update({
      attributes: [ORIGIN_IGP, AS_PATH2_65001, NEXT_HOP, attr(0xc0, 7, u32(65001), 192, 0, 2, 1)],
      nlri: NLRI_10_8,
    }),
    ok: true,
    action: 'attribute-discard',
    subcode: 5,
  },
  {
    name: 'AGGREGATOR holding AS 0 is discarded (RFC 7607)',
    msg: update({ attributes: [...BASE, attr(0xc0, 7, u32(0), 192, 0, 2, 1)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'attribute-discard',
    subcode: 9,
  },
  {
    name: 'AS4_AGGREGATOR of 6 octets is discarded',
    ctx: CONTEXT_2OCTET,
    msg: update({
      attributes: [
        ORIGIN_IGP,
        AS_PATH2_65001,
        NEXT_HOP,
        attr(0xc0, 7, u16(23456), 192, 0, 2, 1),
        attr(0xc0, 18, u16(1), 192, 0, 2, 1),
      ],
      nlri: NLRI_10_8,
    }),
    ok: true,
    action: 'attribute-discard',
    subcode: 5,
    check: (u) => assert.deepEqual(u.attributes.aggregator, { asn: 23456, address: 0xc0000201 }),
  },
  {
    name: 'COMMUNITIES of length 0',
    msg: update({ attributes: [...BASE, attr(0xc0, 8)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'COMMUNITIES of length 5',
    msg: update({ attributes: [...BASE, attr(0xc0, 8, u32(1), 0)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'EXTENDED_COMMUNITIES of length 12',
    msg: update({ attributes: [...BASE, attr(0xc0, 16, u32(1), u32(2), u32(3))], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'LARGE_COMMUNITY of length 8',
    msg: update({ attributes: [...BASE, attr(0xc0, 32, u32(1), u32(2))], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'ORIGINATOR_ID of length 3',
    msg: update({ attributes: [...BASE, attr(0x80, 9, 1, 2, 3)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'CLUSTER_LIST of length 6',
    msg: update({ attributes: [...BASE, attr(0x80, 10, u32(1), 0, 0)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 5,
  },
  {
    name: 'MP_REACH_NLRI too short for AFI/SAFI',
    msg: update({ attributes: [attr(0x80, 14, 0, 2)] }),
    ok: false,
    action: 'session-reset',
    subcode: 9,
  },
  {
    name: 'MP_REACH_NLRI for IPv6 with a 4-octet next hop',
    msg: update({ attributes: [ORIGIN_IGP, AS_PATH_65001, MP_REACH_V6([192, 0, 2, 1], [32, 0x20, 0x01, 0x0d, 0xb8])] }),
    ok: false,
    action: 'afisafi-disable',
    subcode: 9,
    afi: 2,
    safi: 1,
  },
  {
    // RFC 7606 §7.11 + RFC 8950 §4: no Extended Next Hop Encoding capability was negotiated
    // (CONTEXT_4OCTET has none), so only a 4-octet next hop is expected for IPv4 NLRI.
    name: 'MP_REACH_NLRI for IPv4 with a 16-octet (IPv6) next hop, no Extended Next Hop capability',
    msg: update({ attributes: [ORIGIN_IGP, AS_PATH_65001, attr(0x80, 14, u16(1), 1, 16, NH_V6, 0, 24, 10, 1, 2)] }),
    ok: false,
    action: 'afisafi-disable',
    subcode: 9,
    afi: 1,
    safi: 1,
  },
  {
    name: 'MP_REACH_NLRI for IPv4 with a 32-octet (IPv6 global + link-local) next hop, no Extended Next Hop capability',
    msg: update({
      attributes: [ORIGIN_IGP, AS_PATH_65001, attr(0x80, 14, u16(1), 1, 32, NH_V6, NH_V6, 0, 24, 10, 1, 2)],
    }),
    ok: false,
    action: 'afisafi-disable',
    subcode: 9,
    afi: 1,
    safi: 1,
  },
  {
    name: 'MP_REACH_NLRI next hop overruns the attribute',
    msg: update({ attributes: [attr(0x80, 14, u16(2), 1, 16 /* NH length 16 */, NH_V6.slice(0, 10))] }),
    ok: false,
    action: 'afisafi-disable',
    subcode: 9,
    afi: 2,
    safi: 1,
  },
  {
    name: 'MP_REACH_NLRI with a /129',
    msg: update({
      attributes: [ORIGIN_IGP, AS_PATH_65001, MP_REACH_V6(NH_V6, [129, ...new Array<number>(17).fill(0)])],
    }),
    ok: false,
    action: 'afisafi-disable',
    subcode: 9,
    afi: 2,
    safi: 1,
  },
  {
    name: 'MP_REACH_NLRI prefix overruns the attribute',
    msg: update({ attributes: [ORIGIN_IGP, AS_PATH_65001, MP_REACH_V6(NH_V6, [64, 0x20, 0x01])] }),
    ok: false,
    action: 'afisafi-disable',
    subcode: 9,
    afi: 2,
    safi: 1,
  },
  {
    name: 'MP_UNREACH_NLRI too short for AFI/SAFI',
    msg: update({ attributes: [attr(0x80, 15, 0)] }),
    ok: false,
    action: 'session-reset',
    subcode: 9,
  },
  {
    name: 'MP_UNREACH_NLRI prefix overruns the attribute',
    msg: update({ attributes: [attr(0x80, 15, u16(2), 1, 48, 0x20, 0x01)] }),
    ok: false,
    action: 'afisafi-disable',
    subcode: 9,
    afi: 2,
    safi: 1,
  },

  // ---- several problems: the strongest wins (RFC 7606 §3)
  {
    name: 'attribute-discard and treat-as-withdraw together: treat-as-withdraw',
    msg: update({ attributes: [attr(0x40, 1, 7), AS_PATH_65001, NEXT_HOP, attr(0x40, 6, 0)], nlri: NLRI_10_8 }),
    ok: true,
    action: 'treat-as-withdraw',
    subcode: 6,
    check: (u) =>
      assert.deepEqual(
        u.problems.map((p) => p.action),
        ['treat-as-withdraw', 'attribute-discard'],
      ),
  },
  {
    name: 'afisafi-disable and a malformed NLRI together: session-reset',
    msg: update({
      attributes: [ORIGIN_IGP, AS_PATH_65001, NEXT_HOP, MP_REACH_V6([1, 2, 3, 4], [])],
      nlri: [33, 1, 1, 1, 1, 1],
    }),
    ok: false,
    action: 'session-reset',
    subcode: 10,
  },
];

for (const c of cases) {
  test(`malformed UPDATE: ${c.name} → ${c.action} 3/${c.subcode}`, () => {
    const d = decodeMessage(c.msg, c.ctx ?? CONTEXT_4OCTET);
    const e = d.ok ? (d.value as ReceivedUpdate).error : d.error;
    assert.equal(d.ok, c.ok, `ok: ${d.ok ? 'decoded' : d.error.message}`);
    assert.ok(e, 'an error is reported');
    assert.equal(e.action, c.action, e.message);
    assert.equal(e.code, c.code ?? 3);
    assert.equal(e.subcode, c.subcode, e.message);
    if (c.data) assert.equal(hex(e.data), hex(c.data));
    if (c.afi !== undefined) assert.deepEqual([e.afi, e.safi], [c.afi, c.safi]);
    if (d.ok && c.check) c.check(d.value as ReceivedUpdate);
  });
}

function decodeUpdateOk(msg: Uint8Array, ctx: CodecContext = CONTEXT_4OCTET): ReceivedUpdate {
  const d = decodeMessage(msg, ctx);
  assert.ok(d.ok, d.ok ? '' : d.error.message);
  assert.equal(d.value.type, 'UPDATE');
  return d.value as ReceivedUpdate;
}

test('MP_REACH_NLRI for IPv4 with a 16- or 32-octet next hop decodes where Extended Next Hop was negotiated (RFC 8950 §3)', () => {
  for (const nh of [NH_V6, [...NH_V6, ...NH_V6]]) {
    const u = decodeUpdateOk(
      update({ attributes: [ORIGIN_IGP, AS_PATH_65001, attr(0x80, 14, u16(1), 1, nh.length, nh, 0, 24, 10, 1, 2)] }),
      { fourOctetAs: true, extendedNextHopIpv4: true },
    );
    assert.equal(u.error, undefined);
    assert.deepEqual(Array.from(u.attributes.mpReach!.nextHop), nh);
    assert.deepEqual(u.attributes.mpReach!.nlri, [v4Prefix(0x0a010200, 24)]);
  }
});

test('a full UPDATE decodes field by field', () => {
  const u = decodeUpdateOk(
    update({
      withdrawn: [24, 192, 0, 2], //                                      192.0.2.0/24
      attributes: [
        attr(0x40, 1, 2), //                                              ORIGIN INCOMPLETE
        attr(0x40, 2, 2, 2, u32(65001), u32(4200000000), 1, 1, u32(64512)), // AS_SEQUENCE 65001 4200000000, AS_SET {64512}
        attr(0x40, 3, 198, 51, 100, 1), //                                NEXT_HOP 198.51.100.1
        attr(0x80, 4, u32(50)), //                                        MED 50
        attr(0x40, 5, u32(200)), //                                       LOCAL_PREF 200
        attr(0x40, 6), //                                                 ATOMIC_AGGREGATE
        attr(0xc0, 7, u32(65001), 10, 0, 0, 1), //                        AGGREGATOR 65001 10.0.0.1
        attr(0xc0, 8, u32(0xfde90064), u32(0xffffff01)), //               COMMUNITIES 65001:100 NO_EXPORT
        attr(0x80, 9, 10, 9, 9, 9), //                                    ORIGINATOR_ID (carried)
        attr(0xc0, 16, 0x00, 0x02, u16(65001), u32(7)), //                EXTENDED_COMMUNITIES rt 65001:7
        attr(0xc0, 32, u32(65001), u32(1), u32(2)), //                    LARGE_COMMUNITY 65001:1:2
        attr(0xe0, 250, 0xde, 0xad), //                                   unknown optional transitive, Partial
      ],
      nlri: [32, 10, 1, 2, 3, 0], //                                      10.1.2.3/32, 0.0.0.0/0
    }),
  );
  assert.deepEqual(u.withdrawn, [v4Prefix(0xc0000200, 24)]);
  assert.deepEqual(u.nlri, [v4Prefix(0x0a010203, 32), v4Prefix(0, 0)]);
  assert.deepEqual(u.problems, []);
  assert.equal(u.error, undefined);
  const expected: PathAttributes = {
    origin: 2,
    asPath: [
      { type: 2, asns: [65001, 4200000000] },
      { type: 1, asns: [64512] },
    ],
    nextHop: 0xc6336401,
    med: 50,
    localPref: 200,
    atomicAggregate: true,
    aggregator: { asn: 65001, address: 0x0a000001 },
    communities: [0xfde90064, 0xffffff01],
    extendedCommunities: [0x0002fde900000007n],
    largeCommunities: [{ globalAdmin: 65001, localData1: 1, localData2: 2 }],
    unknown: [
      { flags: 0x80, type: 9, value: bytes(10, 9, 9, 9) },
      { flags: 0xe0, type: 250, value: bytes(0xde, 0xad) },
    ],
  };
  assert.deepEqual(u.attributes, expected);
});

test('host bits beyond the prefix length are cleared (RFC 4271 §4.3: their value is irrelevant)', () => {
  const u = decodeUpdateOk(update({ attributes: BASE, nlri: [20, 10, 1, 0xff] }));
  assert.deepEqual(u.nlri, [v4Prefix(0x0a01f000, 20)]);
});

test('an MP family we do not decode keeps its octets, with no error', () => {
  const u = decodeUpdateOk(
    update({
      attributes: [attr(0x80, 14, u16(1), 128 /* AFI 1 SAFI 128 */, 12, new Array<number>(12).fill(0), 0, 88, 1, 2, 3)],
    }),
  );
  assert.deepEqual(u.problems, []);
  assert.equal(u.attributes.mpReach?.safi, 128);
  assert.deepEqual(u.attributes.mpReach?.nlri, []);
  assert.equal(hex(u.attributes.mpReach!.rawNlri!), '58010203');
});

test('AS4_PATH between 4-octet speakers is dropped silently (RFC 6793 §4.1)', () => {
  const u = decodeUpdateOk(
    update({
      attributes: [...BASE, attr(0xc0, 17, 2, 1, u32(70000)), attr(0xc0, 18, u32(70000), 1, 1, 1, 1)],
      nlri: NLRI_10_8,
    }),
  );
  assert.deepEqual(u.problems, []);
  assert.deepEqual(u.attributes.asPath, [{ type: 2, asns: [65001] }]);
  assert.equal(u.attributes.unknown, undefined);
});

test('from a 2-octet peer: AS_TRANS is replaced from AS4_PATH and AS4_AGGREGATOR (RFC 6793 §4.2.3)', () => {
  const u = decodeUpdateOk(
    update({
      attributes: [
        ORIGIN_IGP,
        attr(0x40, 2, 2, 3, u16(65001), u16(23456), u16(23456)), //  AS_PATH 65001 AS_TRANS AS_TRANS
        NEXT_HOP,
        attr(0xc0, 7, u16(23456), 10, 0, 0, 1), //                 AGGREGATOR AS_TRANS 10.0.0.1
        attr(0xc0, 17, 2, 2, u32(70000), u32(80000)), //           AS4_PATH 70000 80000
        attr(0xc0, 18, u32(80000), 10, 0, 0, 1), //                AS4_AGGREGATOR 80000 10.0.0.1
      ],
      nlri: NLRI_10_8,
    }),
    CONTEXT_2OCTET,
  );
  assert.deepEqual(u.attributes.asPath, [{ type: 2, asns: [65001, 70000, 80000] }]);
  assert.deepEqual(u.attributes.aggregator, { asn: 80000, address: 0x0a000001 });
  assert.equal(u.attributes.unknown, undefined);
});

test('from a 2-octet peer: an AGGREGATOR with a real ASN makes both AS4_ attributes stale (RFC 6793 §4.2.3)', () => {
  const u = decodeUpdateOk(
    update({
      attributes: [
        ORIGIN_IGP,
        attr(0x40, 2, 2, 2, u16(65001), u16(23456)),
        NEXT_HOP,
        attr(0xc0, 7, u16(65002), 10, 0, 0, 1), //  AGGREGATOR 65002: aggregated by a 2-octet speaker
        attr(0xc0, 17, 2, 1, u32(70000)),
        attr(0xc0, 18, u32(80000), 10, 0, 0, 1),
      ],
      nlri: NLRI_10_8,
    }),
    CONTEXT_2OCTET,
  );
  assert.deepEqual(u.attributes.asPath, [{ type: 2, asns: [65001, 23456] }]);
  assert.deepEqual(u.attributes.aggregator, { asn: 65002, address: 0x0a000001 });
});

test('toward a 2-octet peer: AS_TRANS in AS_PATH and AGGREGATOR, real ASNs in AS4_PATH and AS4_AGGREGATOR', () => {
  const msg: UpdateMessage = {
    type: 'UPDATE',
    withdrawn: [],
    nlri: [v4Prefix(0x0a000000, 8)],
    attributes: {
      origin: 0,
      asPath: [{ type: 2, asns: [65001, 70000] }],
      nextHop: 0xc0000201,
      aggregator: { asn: 80000, address: 0x0a000001 },
    },
  };
  assert.equal(
    hex(encodeMessage(msg, CONTEXT_2OCTET)),
    hex(
      update({
        attributes: [
          ORIGIN_IGP,
          attr(0x40, 2, 2, 2, u16(65001), u16(23456)),
          NEXT_HOP,
          attr(0xc0, 7, u16(23456), 10, 0, 0, 1),
          attr(0xc0, 17, 2, 2, u32(65001), u32(70000)),
          attr(0xc0, 18, u32(80000), 10, 0, 0, 1),
        ],
        nlri: NLRI_10_8,
      }),
    ),
  );
  // No AS4_ attributes when every ASN fits in 2 octets (RFC 6793 §4.2.2 SHOULD NOT).
  const small: UpdateMessage = {
    ...msg,
    attributes: { origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: 0xc0000201 },
  };
  assert.equal(
    hex(encodeMessage(small, CONTEXT_2OCTET)),
    hex(update({ attributes: [ORIGIN_IGP, AS_PATH2_65001, NEXT_HOP], nlri: NLRI_10_8 })),
  );
});

test('encoding: MP attributes first (RFC 7606 §5.1), then type order with unknown ones merged in', () => {
  const msg: UpdateMessage = {
    type: 'UPDATE',
    withdrawn: [],
    nlri: [],
    attributes: {
      unknown: [
        { flags: 0xc0, type: 33, value: bytes(1) },
        { flags: 0x80, type: 9, value: bytes(1, 2, 3, 4) },
      ],
      largeCommunities: [{ globalAdmin: 1, localData1: 2, localData2: 3 }],
      communities: [7],
      origin: 0,
      mpReach: { afi: 2, safi: 1, nextHop: Uint8Array.from(NH_V6), nlri: [] },
    },
  };
  const b = encodeMessage(msg, CONTEXT_4OCTET);
  const types: number[] = [];
  for (let p = 23; p < b.length; ) {
    types.push(b[p + 1]!);
    p += b[p]! & 0x10 ? 4 + ((b[p + 2]! << 8) | b[p + 3]!) : 3 + b[p + 2]!;
  }
  assert.deepEqual(types, [14, 1, 8, 9, 32, 33]);
});

test('Extended Length is set exactly when the value passes 255 octets', () => {
  for (const [n, ext] of [
    [255, false],
    [256, true],
  ] as const) {
    const msg: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [],
      nlri: [],
      attributes: { unknown: [{ flags: 0xc0, type: 200, value: new Uint8Array(n) }] },
    };
    const b = encodeMessage(msg, CONTEXT_4OCTET);
    assert.equal((b[23]! & 0x10) !== 0, ext, `value of ${n} octets`);
    const back = decodeUpdateOk(b);
    assert.deepEqual(back.attributes.unknown, msg.attributes.unknown);
  }
  // Received with Extended Length on a short value: decoded, the flag not kept.
  const u = decodeUpdateOk(update({ attributes: [...BASE, attr(0xd0, 8, u32(5))], nlri: NLRI_10_8 }));
  assert.deepEqual(u.attributes.communities, [5]);
  assert.deepEqual(u.problems, []);
});

test('AS_PATH segments longer than 255 ASNs are split (the Path Segment Length is one octet)', () => {
  const asns = Array.from({ length: 600 }, (_, i) => i + 1);
  const msg: UpdateMessage = { type: 'UPDATE', withdrawn: [], nlri: [], attributes: { asPath: [{ type: 2, asns }] } };
  const u = decodeUpdateOk(encodeMessage(msg, CONTEXT_4OCTET));
  assert.deepEqual(
    u.attributes.asPath?.map((s) => s.asns.length),
    [255, 255, 90],
  );
  assert.deepEqual(
    u.attributes.asPath?.flatMap((s) => s.asns),
    asns,
  );
});

test('an empty UPDATE is the IPv4 End-of-RIB (RFC 4724 §2)', () => {
  const b = encodeMessage({ type: 'UPDATE', withdrawn: [], attributes: {}, nlri: [] }, CONTEXT_4OCTET);
  assert.equal(hex(b), hex(message(2, 0, 0, 0, 0)));
  assert.deepEqual(decodeUpdateOk(b).attributes, {});
});

test('encoding over 4096 octets throws RangeError', () => {
  const nlri = Array.from({ length: 1100 }, (_, i) => v4Prefix(i << 8, 24));
  assert.throws(
    () => encodeMessage({ type: 'UPDATE', withdrawn: [], attributes: {}, nlri }, CONTEXT_4OCTET),
    RangeError,
  );
});
