/**
 * Issue 8, findings 5 and 8, against a running route server over real TCP from a configured
 * NVA address (a raw peer writes the octets; addresses 10.164.x / 127.164.x):
 * - an IPv4 route whose MP_REACH_NLRI next hop is 16 or 32 octets (an IPv6 address) without
 *   the Extended Next Hop Encoding capability, which ARSLab never advertises: RFC 8950 §4 says
 *   a speaker MUST NOT send it, so the length is "inconsistent with that which was expected"
 *   and the attribute malformed (RFC 7606 §7.11): "session reset" (ARSLab's choice of the two
 *   §7.11 allows, docs/RFC_NOTES.md) with 3/9 — never a route programmed with next hop `::`;
 * - a NEXT_HOP that is the receiving instance's own address: RFC 4271 §6.3 (a) makes it
 *   semantically incorrect — "the error SHOULD be logged, and the route SHOULD be ignored ...
 *   a NOTIFICATION message SHOULD NOT be sent, and the connection SHOULD NOT be closed";
 * - ROUTE-REFRESH with a reserved Message Subtype and a wrong length: RFC 7313 §5, "it MUST
 *   ignore the received ROUTE-REFRESH message" (BoRR/EoRR of a wrong length are 7/1).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lab } from '../../src/lab/lab.js';
import { defaultBgpPort } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { RawPeer } from '../helpers/rawPeer.js';
import { routeServerLabYaml } from '../helpers/routeServerLab.js';

const N = 164;
const NVA = `10.${N}.1.4`;
const IN0 = `10.${N}.0.4`;
const yaml = routeServerLabYaml('update-checks', [
  { octet: N, peers: [{ name: 'raw', host: 4, asn: 65001 }], vms: [{ name: 'client', host: 10 }] },
]);

let t: TestLab;
let lab: Lab;
const port = defaultBgpPort();
const rs = () => lab.routeServer(lab.model.routeServers[0]!)!;
const peer = () => rs().instances[0].peerings.get('raw')!.session.peer;
const open = () =>
  RawPeer.open({
    remote: `127.${N}.0.4`,
    port,
    local: `127.${N}.1.4`,
    asn: 65001,
    bgpId: (10 << 24) | (N << 16) | 260,
  });
/** Resolves when the raw peer's connection closes, or after `ms` (every wait here is bounded). */
const closedWithin = (raw: RawPeer, ms = 5000) =>
  Promise.race([raw.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
const programmed = (p: string) =>
  lab
    .effectiveRoutes(lab.model.networkInterfaces.find((x) => x.name === 'clientVMNic')!)
    .value.filter((r) => r.addressPrefix[0] === p)
    .map((r) => r.nextHopIpAddress.join(' '));
const learned = (p: string) =>
  rs()
    .learnedRoutes('raw')
    ['RouteServiceRole_IN_0']!.filter((r) => r.network === p);

// ---- octets, by RFC 4271 §4 (the raw peer writes exactly these)
const u16 = (v: number) => [v >> 8, v & 255];
const msg = (type: number, body: number[], length = 19 + body.length) =>
  Uint8Array.from([...new Array(16).fill(0xff), ...u16(length), type, ...body]);
const update = (attrs: number[], nlri: number[] = []) => msg(2, [0, 0, ...u16(attrs.length), ...attrs, ...nlri]);
const ORIGIN = [0x40, 1, 1, 0];
const AS_PATH = [0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9]; // AS_SEQUENCE 65001
const nextHop = (a: string) => [0x40, 3, 4, ...a.split('.').map(Number)];
/** MP_REACH_NLRI, AFI 1 SAFI 1 (RFC 4760 §3): next hop of `nh` octets, then one IPv4 prefix. */
const mpReachV4 = (nh: number[], prefix: number[]) => {
  const v = [0, 1, 1, nh.length, ...nh, 0, ...prefix];
  return [0x80, 14, v.length, ...v];
};
const V6_NH = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]; // 2001:db8::1

before(async () => {
  t = await startTestLab('update-checks', yaml);
  lab = t.lab;
});

after(async () => {
  await t?.stop();
});

for (const len of [16, 32] as const) {
  test(`an IPv4 route with a ${len}-octet MP_REACH next hop and no Extended Next Hop capability: NOTIFICATION 3/9, nothing learned or programmed`, async () => {
    const p = `10.${N}.${100 + len}.0/24`;
    const raw = await open();
    try {
      const nh = len === 16 ? V6_NH : [...V6_NH, 0xfe, 0x80, ...new Array(13).fill(0), 1];
      raw.send(update([...ORIGIN, ...AS_PATH, ...mpReachV4(nh, [24, 10, N, 100 + len])]));
      assert.ok(await closedWithin(raw), 'the session is reset');
      assert.deepEqual(raw.notifications(), ['3/9']);
      assert.deepEqual(learned(p), []);
      assert.deepEqual(programmed(p), []);
    } finally {
      raw.destroy();
    }
  });
}

test("a NEXT_HOP that is the instance's own address (emulated or mapped) is ignored and logged; the session stays up", async () => {
  const raw = await open();
  try {
    const seq = lab.events.since(0).at(-1)?.seq ?? 0;
    // A good route first: it must be withdrawn by the bad re-advertisement, as any ignored route.
    raw.send(update([...ORIGIN, ...AS_PATH, ...nextHop(NVA)], [24, 10, N, 50]));
    await waitFor('the good route learned', () => learned(`10.${N}.50.0/24`).length === 1);
    for (const [third, own] of [
      [50, IN0],
      [51, `127.${N}.0.4`],
    ] as const) {
      raw.send(update([...ORIGIN, ...AS_PATH, ...nextHop(own)], [24, 10, N, third]));
      await waitFor(`the warning about ${own}`, () =>
        lab.events
          .since(seq)
          .some(
            (e) => e.type === 'warning' && e.message.includes(`NEXT_HOP ${own} is the receiving speaker's own address`),
          ),
      );
    }
    // A later good route proves the UPDATEs before it were handled and the session still carries them.
    raw.send(update([...ORIGIN, ...AS_PATH, ...nextHop(NVA)], [24, 10, N, 52]));
    await waitFor('the next route learned', () => learned(`10.${N}.52.0/24`).length === 1);
    assert.deepEqual(learned(`10.${N}.50.0/24`), [], 'withdrawn, not replaced by the bad one');
    assert.deepEqual(learned(`10.${N}.51.0/24`), []);
    assert.deepEqual(programmed(`10.${N}.50.0/24`), []);
    assert.deepEqual(programmed(`10.${N}.51.0/24`), []);
    assert.ok(peer().isEstablished);
    assert.deepEqual(raw.notifications(), []);
  } finally {
    raw.destroy();
  }
});

test('ROUTE-REFRESH with a reserved subtype is ignored whatever its length; a BoRR of the wrong length gets 7/1', async () => {
  const raw = await open();
  try {
    const updates = () => raw.received.filter((m) => typeof m !== 'string' && m.type === 'UPDATE').length;
    await waitFor('the initial table', () => updates() > 0);
    const before = updates();
    // AFI 1, subtype 3 / 200 / 255, SAFI 1, with 1, 0 and 5 octets too many or too few.
    raw.send(msg(5, [0, 1, 3, 1, 0]));
    raw.send(msg(5, [0, 1, 200]));
    raw.send(msg(5, [0, 1, 255, 1, 9, 9, 9, 9, 9]));
    raw.send(msg(5, [0, 1, 77, 1])); // right length, reserved subtype: ignored too
    // A good route after them: handled, so the refreshes before it were read and let be.
    raw.send(update([...ORIGIN, ...AS_PATH, ...nextHop(NVA)], [24, 10, N, 60]));
    await waitFor('the route after them learned', () => learned(`10.${N}.60.0/24`).length === 1);
    assert.deepEqual(raw.notifications(), []);
    assert.ok(raw.isOpen && peer().isEstablished);
    assert.equal(updates(), before, 'no Adj-RIB-Out sent again');

    raw.send(msg(5, [0, 1, 1, 1, 0]));
    assert.ok(await closedWithin(raw), 'the session is reset');
    assert.deepEqual(raw.notifications(), ['7/1']);
  } finally {
    raw.destroy();
  }
});
