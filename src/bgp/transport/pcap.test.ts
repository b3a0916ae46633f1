/**
 * PcapRecorder: the captures it writes must be dissected by tshark with no malformed packet and
 * no expert warning, carry every BGP message, and decode to the fields that were sent.
 * BGP messages are built by hand (commented per field) so this test does not depend on the codec.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PcapRecorder,
  createPcapRecorder,
  parseIpAddress,
  MAX_SEGMENT_PAYLOAD,
  type PcapRecorderOptions,
  type Side,
} from './pcap.js';
import { checkPcapClean, dissectBgp } from '../../../test/helpers/tshark.js';

const T = { timeout: 60_000 };

/** Bytes from hex, ignoring whitespace and `# comments` to the end of a line. */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
}

const cat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);

// ---------------------------------------------------------------------------
// Hand-built BGP messages (RFC 4271 §4), 4-octet AS numbers (RFC 6793) in AS_PATH.

const MARKER = 'ffffffffffffffffffffffffffffffff';

/** OPEN from the Route Server: AS 65515, hold 180 s, id 10.10.1.4, capabilities MP(IPv4/unicast), route refresh, 4-octet AS. */
const OPEN_RS = hex(`
  ${MARKER}     # marker
  0031          # length 49
  01            # type OPEN
  04            # version 4
  ffeb          # my AS 65515
  00b4          # hold time 180
  0a0a0104      # BGP identifier 10.10.1.4
  14            # optional parameters length 20
  02 06         #   param: capabilities, length 6
  01 04 0001 00 01       # MP-BGP: AFI 1 (IPv4), reserved, SAFI 1 (unicast)
  02 02         #   param: capabilities, length 2
  02 00                  # route refresh
  02 06         #   param: capabilities, length 6
  41 04 0000ffeb         # 4-octet AS: 65515
`);

/** OPEN from the NVA: AS 65001, hold 90 s, id 10.10.0.7, same capabilities. */
const OPEN_NVA = hex(`
  ${MARKER}     # marker
  0031          # length 49
  01            # type OPEN
  04            # version 4
  fde9          # my AS 65001
  005a          # hold time 90
  0a0a0007      # BGP identifier 10.10.0.7
  14            # optional parameters length 20
  02 06 01 04 0001 00 01 # MP-BGP IPv4 unicast
  02 02 02 00            # route refresh
  02 06 41 04 0000fde9   # 4-octet AS: 65001
`);

const KEEPALIVE = hex(`
  ${MARKER}     # marker
  0013          # length 19
  04            # type KEEPALIVE
`);

/** UPDATE from the NVA: 10.1.0.0/16 via 10.10.0.7, AS_PATH 65001 65002, communities 65001:100 NO_EXPORT. */
const UPDATE_NVA = hex(`
  ${MARKER}     # marker
  003d          # length 61
  02            # type UPDATE
  0000          # withdrawn routes length 0
  0023          # total path attribute length 35
  40 01 01 00   # ORIGIN (well-known transitive), length 1: IGP
  40 02 0a      # AS_PATH, length 10
    02 02       #   AS_SEQUENCE of 2
    0000fde9    #   65001
    0000fdea    #   65002
  40 03 04 0a0a0007      # NEXT_HOP 10.10.0.7
  c0 08 08               # COMMUNITIES (optional transitive), length 8
    fde9 0064            #   65001:100
    ffffff01             #   NO_EXPORT
  10 0a01       # NLRI 10.1.0.0/16
`);

/** UPDATE from the Route Server: 10.2.0.0/16 and 192.168.10.0/24 via 10.10.1.4, AS_PATH 65515 65010. */
const UPDATE_RS = hex(`
  ${MARKER}     # marker
  0036          # length 54
  02            # type UPDATE
  0000          # withdrawn routes length 0
  0018          # total path attribute length 24
  40 01 01 00   # ORIGIN IGP
  40 02 0a 02 02 0000ffeb 0000fdf2  # AS_PATH AS_SEQUENCE 65515 65010
  40 03 04 0a0a0104                 # NEXT_HOP 10.10.1.4
  10 0a02       # NLRI 10.2.0.0/16
  18 c0a80a     # NLRI 192.168.10.0/24
`);

/** UPDATE withdrawing 10.1.0.0/16. */
const WITHDRAW = hex(`
  ${MARKER}     # marker
  001a          # length 26
  02            # type UPDATE
  0003          # withdrawn routes length 3
  10 0a01       #   10.1.0.0/16
  0000          # total path attribute length 0
`);

/** NOTIFICATION Cease / Administrative Shutdown (RFC 4486), no shutdown communication. */
const NOTIFICATION_CEASE = hex(`
  ${MARKER}     # marker
  0015          # length 21
  03            # type NOTIFICATION
  06            # error code 6: Cease
  02            # subcode 2: Administrative Shutdown
`);

/** UPDATE whose total path attribute length (64) runs past the end of the message: malformed. */
const UPDATE_MALFORMED = hex(`
  ${MARKER}     # marker
  0036          # length 54
  02            # type UPDATE
  0000          # withdrawn routes length 0
  0040          # total path attribute length 64 (> the 31 bytes left)
  40 01 01 00 40 02 0a 02 02 0000ffeb 0000fdf2 40 03 04 0a0a0104
  10 0a02 18 c0a80a
`);

/**
 * An UPDATE of `count` /24s (10.<i>.<k>.0/24) via `nextHop` (4 bytes), AS_PATH 65001.
 * With count 1013 it is 4095 bytes, just under the 4096 maximum.
 */
function bigUpdate(i: number, count = 1013): Buffer {
  const nlri = Buffer.alloc(count * 4);
  for (let k = 0; k < count; k++) nlri.set([24, 10, (i + (k >> 8)) & 0xff, k & 0xff], k * 4);
  const attrs = hex(`
    40 01 01 00               # ORIGIN IGP
    40 02 06 02 01 0000fde9   # AS_PATH AS_SEQUENCE 65001
    40 03 04 0a0a0007         # NEXT_HOP 10.10.0.7
  `);
  const length = 19 + 2 + 2 + attrs.length + nlri.length;
  assert.ok(length <= 4096);
  const head = Buffer.alloc(23);
  head.fill(0xff, 0, 16); // marker
  head.writeUInt16BE(length, 16); // length
  head[18] = 2; // type UPDATE
  head.writeUInt16BE(0, 19); // withdrawn routes length
  head.writeUInt16BE(attrs.length, 21); // total path attribute length
  return cat(head, attrs, nlri);
}

// ---------------------------------------------------------------------------

let dir = '';
let n = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'arslab-pcap-'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});
const file = (name: string): string => join(dir, `${++n}-${name}.pcap`);

const V4 = { rs: '10.10.1.4', nva: '10.10.0.7' };
const V6 = { rs: 'fd00:10:10:1::4', nva: 'fd00:10:10::7' };

function recorder(name: string, family: typeof V4, initiator: Side, extra: Partial<PcapRecorderOptions> = {}) {
  const path = file(name);
  const rec = new PcapRecorder({
    file: path,
    local: { address: family.rs, port: 1179 }, // the lab listens on 1179 when not root
    remote: { address: family.nva, port: 40123 },
    initiator,
    onError: () => undefined, // recorded in rec.error, checked by assertClean
    ...extra,
  });
  return { path, rec };
}

/** A whole session: OPENs, KEEPALIVEs, UPDATEs (one write holding several messages), Cease, close. Returns the BGP message count. */
function session(rec: PcapRecorder, closer: Side): number {
  rec.received(OPEN_NVA);
  rec.sent(OPEN_RS);
  rec.sent(KEEPALIVE);
  rec.received(KEEPALIVE);
  rec.received(UPDATE_NVA);
  rec.sent(cat(UPDATE_RS, KEEPALIVE, KEEPALIVE)); // three messages in one write
  rec.received(cat(WITHDRAW, KEEPALIVE));
  rec.sent(NOTIFICATION_CEASE);
  rec.close(closer);
  return 11;
}

function assertClean(check: { problems: string[] }, path: string, rec?: PcapRecorder): void {
  assert.equal(rec?.error, undefined, `recording error: ${rec?.error?.message}`);
  assert.deepEqual(check.problems, [], `tshark found problems in ${path}`);
}

describe('PcapRecorder + tshark', () => {
  for (const [familyName, family] of [
    ['IPv4', V4],
    ['IPv6', V6],
  ] as const) {
    for (const initiator of ['local', 'remote'] as const) {
      test(`${familyName}, ${initiator} initiates: clean capture with every BGP message`, T, async () => {
        const { path, rec } = recorder(`${familyName}-${initiator}`, family, initiator);
        const messages = session(rec, initiator === 'local' ? 'remote' : 'local');
        await rec.end();

        const check = await checkPcapClean(path);
        assertClean(check, path, rec);
        assert.equal(check.bgpMessages, messages);
        // 3 handshake + 8 writes x (data + ACK) + 3 teardown
        assert.equal(check.packets, 3 + 8 * 2 + 3);
        assert.equal(rec.packets, check.packets);

        // The listening side carries port 179; the initiator keeps its port.
        const listener = initiator === 'local' ? rec.endpoints.remote : rec.endpoints.local;
        assert.equal(listener.port, 179);
        assert.equal(
          (initiator === 'local' ? rec.endpoints.local : rec.endpoints.remote).port,
          initiator === 'local' ? 1179 : 40123,
        );

        const msgs = await dissectBgp(path);
        assert.deepEqual(
          msgs.map((m) => `${m.src.address}>${m.dst.address} ${m.typeName}`),
          [
            `${family.nva}>${family.rs} OPEN`,
            `${family.rs}>${family.nva} OPEN`,
            `${family.rs}>${family.nva} KEEPALIVE`,
            `${family.nva}>${family.rs} KEEPALIVE`,
            `${family.nva}>${family.rs} UPDATE`,
            `${family.rs}>${family.nva} UPDATE`,
            `${family.rs}>${family.nva} KEEPALIVE`,
            `${family.rs}>${family.nva} KEEPALIVE`,
            `${family.nva}>${family.rs} UPDATE`,
            `${family.nva}>${family.rs} KEEPALIVE`,
            `${family.rs}>${family.nva} NOTIFICATION`,
          ],
        );
        const [openNva, openRs] = msgs;
        assert.deepEqual(openRs?.open, {
          version: 4,
          myAs: 65515,
          holdTime: 180,
          identifier: '10.10.1.4',
          capabilities: [1, 2, 65],
          as4: 65515,
        });
        assert.equal(openNva?.open?.myAs, 65001);
        assert.equal(openNva?.open?.holdTime, 90);
        assert.deepEqual(msgs[4]?.update, {
          withdrawn: [],
          nlri: ['10.1.0.0/16'],
          origin: 0,
          asPath: [65001, 65002],
          nextHop: '10.10.0.7',
          communities: ['65001:100', '65535:65281'],
          attributeTypes: [1, 2, 3, 8],
        });
        assert.deepEqual(msgs[5]?.update?.nlri, ['10.2.0.0/16', '192.168.10.0/24']);
        assert.deepEqual(msgs[5]?.update?.asPath, [65515, 65010]);
        assert.equal(msgs[5]?.update?.nextHop, '10.10.1.4');
        assert.deepEqual(msgs[8]?.update?.withdrawn, ['10.1.0.0/16']);
        assert.deepEqual(msgs[8]?.update?.nlri, []);
        assert.deepEqual(msgs[10]?.notification, { code: 6, subcode: 2 });
        const rsPort = rec.endpoints.local.port;
        assert.ok(msgs.every((m) => (m.src.address === family.rs ? m.src.port : m.dst.port) === rsPort));
      });
    }
  }

  test('writes larger than one segment are split, reassembled by tshark, and acknowledged', T, async () => {
    for (const [familyName, family] of [
      ['IPv4', V4],
      ['IPv6', V6],
    ] as const) {
      const { path, rec } = recorder(`big-${familyName}`, family, 'remote');
      rec.received(OPEN_NVA);
      rec.sent(OPEN_RS);
      const burst = cat(...Array.from({ length: 20 }, (_, i) => bigUpdate(i))); // 20 x 4095 bytes
      assert.ok(burst.length > MAX_SEGMENT_PAYLOAD);
      rec.sent(burst);
      const burst2 = cat(...Array.from({ length: 40 }, (_, i) => bigUpdate(100 + i))); // > 2 segments
      assert.ok(burst2.length > 2 * MAX_SEGMENT_PAYLOAD);
      rec.received(burst2);
      rec.sent(KEEPALIVE);
      rec.close('remote');
      await rec.end();

      const check = await checkPcapClean(path);
      assertClean(check, path, rec);
      assert.equal(check.bgpMessages, 2 + 20 + 40 + 1);
      // 3 + OPENs 2x2 + burst 2 segments x2 + burst2 3 segments x2 + keepalive 2 + 3
      assert.equal(check.packets, 3 + 4 + 4 + 6 + 2 + 3);

      const msgs = await dissectBgp(path);
      const updates = msgs.filter((m) => m.typeName === 'UPDATE');
      assert.equal(updates.length, 60);
      assert.equal(updates[0]?.update?.nlri.length, 1013);
      assert.equal(updates[0]?.update?.nlri[0], '10.0.0.0/24');
      assert.equal(updates[59]?.update?.nlri.at(-1), '10.142.244.0/24');
    }
  });

  test('sequence numbers wrap around 2^32 cleanly', T, async () => {
    const { path, rec } = recorder('wrap', V4, 'local', { isn: { local: 0xffffff00, remote: 0xfffffff0 } });
    rec.sent(OPEN_RS);
    rec.received(OPEN_NVA);
    for (let i = 0; i < 10; i++) {
      rec.sent(cat(KEEPALIVE, UPDATE_RS));
      rec.received(cat(UPDATE_NVA, KEEPALIVE));
    }
    rec.close('local');
    await rec.end();
    const check = await checkPcapClean(path);
    assertClean(check, path, rec);
    assert.equal(check.bgpMessages, 2 + 40);
  });

  test('ports can be kept as given; the checker then needs bgpPorts', T, async () => {
    const { path, rec } = recorder('ports-as-is', V4, 'remote', { wellKnownPort: false });
    assert.equal(rec.endpoints.local.port, 1179);
    session(rec, 'local');
    await rec.end();
    // Without decode-as, tshark sees plain TCP on 1179: the checker must say so.
    const undecoded = await checkPcapClean(path);
    assert.equal(undecoded.bgpMessages, 0);
    assert.ok(
      undecoded.problems.some((p) => p.includes('not decoded as BGP')),
      undecoded.problems.join('\n'),
    );
    const decoded = await checkPcapClean(path, { bgpPorts: [1179] });
    assertClean(decoded, path);
    assert.equal(decoded.bgpMessages, 11);
    assert.equal((await dissectBgp(path, { bgpPorts: [1179] })).length, 11);
  });

  describe('the checker cannot silently pass', () => {
    test('a malformed UPDATE (attribute length past the message end) is reported', T, async () => {
      const { path, rec } = recorder('malformed', V4, 'remote');
      rec.received(OPEN_NVA);
      rec.sent(cat(KEEPALIVE, UPDATE_MALFORMED));
      rec.close('local');
      await rec.end();
      const check = await checkPcapClean(path);
      assert.ok(check.problems.length > 0);
      assert.ok(
        check.problems.some((p) => /Malformed/i.test(p)),
        check.problems.join('\n'),
      );
    });

    test('a BGP message cut short at the end of the stream is reported', T, async () => {
      const { path, rec } = recorder('truncated', V4, 'local');
      rec.sent(OPEN_RS);
      rec.sent(UPDATE_RS.subarray(0, 30)); // header says 54 bytes
      rec.close('local');
      await rec.end();
      const check = await checkPcapClean(path);
      assert.ok(check.problems.length > 0);
      assert.ok(
        check.problems.some((p) => p.includes('incomplete')),
        check.problems.join('\n'),
      );
    });

    test('bad TCP and IPv4 checksums are reported', T, async () => {
      const { path, rec } = recorder('checksums', V4, 'local');
      session(rec, 'local');
      await rec.end();
      assertClean(await checkPcapClean(path), path);

      const bytes = readFileSync(path);
      const syn = 24 + 16; // global header, record header: the SYN's IPv4 header
      const tcpBad = Buffer.from(bytes);
      tcpBad[syn + 20 + 16] ^= 0x5a; // TCP checksum of the SYN
      writeFileSync(`${path}.tcp.pcap`, tcpBad);
      const tcpCheck = await checkPcapClean(`${path}.tcp.pcap`);
      assert.ok(
        tcpCheck.problems.some((p) => /checksum/i.test(p)),
        tcpCheck.problems.join('\n'),
      );

      const ipBad = Buffer.from(bytes);
      ipBad[syn + 10] ^= 0x5a; // IPv4 header checksum of the SYN
      writeFileSync(`${path}.ip.pcap`, ipBad);
      const ipCheck = await checkPcapClean(`${path}.ip.pcap`);
      assert.ok(
        ipCheck.problems.some((p) => /checksum/i.test(p)),
        ipCheck.problems.join('\n'),
      );
    });

    test('a file cut short is reported (tshark exit status)', T, async () => {
      const { path, rec } = recorder('cut', V4, 'local');
      session(rec, 'local');
      await rec.end();
      const cut = `${path}.cut.pcap`;
      writeFileSync(cut, readFileSync(path).subarray(0, 200));
      const check = await checkPcapClean(cut);
      assert.ok(
        check.problems.some((p) => /exited/.test(p)),
        check.problems.join('\n'),
      );
    });

    test('a reset connection shows as Wireshark shows a real one: a warning', T, async () => {
      const { path, rec } = recorder('reset', V4, 'local');
      rec.sent(OPEN_RS);
      rec.abort('remote');
      rec.sent(KEEPALIVE); // ignored after the reset
      await rec.end();
      const check = await checkPcapClean(path);
      assert.equal(check.packets, 3 + 2 + 1);
      assert.ok(
        check.problems.some((p) => /reset/i.test(p)),
        check.problems.join('\n'),
      );
    });
  });
});

describe('PcapRecorder file format and robustness', () => {
  test('nanosecond pcap, LINKTYPE_RAW, timestamps from the clock and never going back', T, async () => {
    const times = [1_700_000_000_123_456_789n, 1_700_000_000_200_000_000n, 1_600_000_000_000_000_000n];
    let i = 0;
    const { path, rec } = recorder('clock', V4, 'local', { clock: () => times[Math.min(i++, times.length - 1)]! });
    rec.sent(KEEPALIVE); // second clock reading
    rec.received(KEEPALIVE); // third reading goes back in time: clamped
    await rec.end();
    const b = readFileSync(path);
    assert.equal(b.readUInt32LE(0), 0xa1b23c4d);
    assert.equal(b.readUInt16LE(4), 2);
    assert.equal(b.readUInt16LE(6), 4);
    assert.equal(b.readUInt32LE(20), 101);
    const stamps: string[] = [];
    for (let off = 24; off < b.length; off += 16 + b.readUInt32LE(off + 8)) {
      stamps.push(`${b.readUInt32LE(off)}.${String(b.readUInt32LE(off + 4)).padStart(9, '0')}`);
    }
    assert.deepEqual(stamps, [...Array(3).fill('1700000000.123456789'), ...Array(4).fill('1700000000.200000000')]);
    assertClean(await checkPcapClean(path), path);
  });

  test('an I/O error is reported once through onError and never thrown into the session', T, async () => {
    const errors: Error[] = [];
    const rec = new PcapRecorder({
      file: join(dir, 'no-such-dir', 'x.pcap'),
      local: { address: V4.rs, port: 1179 },
      remote: { address: V4.nva, port: 40000 },
      initiator: 'remote',
      onError: (err) => errors.push(err),
    });
    rec.sent(OPEN_RS);
    await rec.flush();
    rec.sent(KEEPALIVE);
    rec.received(KEEPALIVE);
    rec.close('local');
    await rec.flush();
    await rec.end();
    await rec.end();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /ENOENT/);
    assert.equal(rec.error, errors[0]);
  });

  test('flush() makes what was recorded so far readable', T, async () => {
    const { path, rec } = recorder('flush', V4, 'local');
    rec.sent(OPEN_RS);
    await rec.flush();
    const handshake = (16 + 20 + 32) * 2 + (16 + 20 + 20); // SYN, SYN/ACK (with options), ACK
    const data = 16 + 20 + 20 + OPEN_RS.length + (16 + 20 + 20); // segment and its ACK
    assert.equal(readFileSync(path).length, 24 + handshake + data);
    await rec.end();
  });

  test('createPcapRecorder without options records nothing', () => {
    const r = createPcapRecorder(undefined);
    r.sent(KEEPALIVE);
    r.received(KEEPALIVE);
    r.close('local');
    assert.ok(!(r instanceof PcapRecorder));
    const real = createPcapRecorder({
      file: file('factory'),
      local: { address: V4.rs, port: 1 },
      remote: { address: V4.nva, port: 2 },
      initiator: 'local',
    });
    assert.ok(real instanceof PcapRecorder);
    return real.end();
  });

  test('address parsing and validation', () => {
    assert.deepEqual([...parseIpAddress('10.10.1.4')], [10, 10, 1, 4]);
    assert.deepEqual([...parseIpAddress('::')], Array(16).fill(0));
    assert.deepEqual([...parseIpAddress('fd00::7')], [0xfd, 0, ...Array(13).fill(0), 7]);
    assert.deepEqual([...parseIpAddress('::ffff:10.1.2.3')], [...Array(10).fill(0), 0xff, 0xff, 10, 1, 2, 3]);
    assert.deepEqual([...parseIpAddress('fe80::1%eth0')], [0xfe, 0x80, ...Array(13).fill(0), 1]);
    assert.deepEqual([...parseIpAddress('1:2:3:4:5:6:7:8')], [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    assert.throws(() => parseIpAddress('10.1.2'), TypeError);
    assert.throws(
      () =>
        new PcapRecorder({
          file: file('mixed'),
          local: { address: '10.0.0.1', port: 1 },
          remote: { address: '::1', port: 2 },
          initiator: 'local',
        }),
      TypeError,
    );
  });
});
