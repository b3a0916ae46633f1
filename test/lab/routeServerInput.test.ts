/**
 * Bad input at the route server, from real TCP connections: an unconfigured source
 * address, a wrong peer ASN, malformed UPDATEs (RFC 7606) — each gets the right answer
 * and the lab keeps running. Uses the built-in speaker and raw sockets, no daemon.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { CONTEXT_4OCTET, decodeMessage, encodeMessage, MessageReader, type BgpPeer } from '../../src/bgp/index.js';
import { defaultBgpPort, type Lab } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';

const N = 35;
const yaml = routeServerLabYaml({
  name: 'input-checks',
  n: N,
  peers: [
    { name: 'raw', host: 4, asn: 65001 },
    { name: 'wrongasn', host: 6, asn: 65001 },
  ],
  client: true,
  nodes: '  wrongasn: { kind: speaker, vm: wrongasn, asn: 65009, holdTime: 9 }\n',
});

let t: TestLab;
let lab: Lab;
const port = defaultBgpPort();

before(async () => {
  t = await startTestLab('input-checks', yaml);
  lab = t.lab;
});

after(async () => {
  await t?.stop();
});

const rs = () => lab.routeServer(lab.model.routeServers[0]!)!;

/** A raw BGP client: connect from `local`, collect every message the server sends. */
function rawClient(local: string) {
  const reader = new MessageReader();
  const got: ReturnType<typeof decodeMessage>[] = [];
  const socket = net.connect({ host: `127.${N}.0.4`, port, localAddress: local });
  socket.on('data', (c: Buffer) => {
    for (const f of reader.push(c)) if (f.ok) got.push(decodeMessage(f.bytes, CONTEXT_4OCTET));
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  return { socket, got, closed, send: (b: Uint8Array) => socket.write(b) };
}

const notification = (m: ReturnType<typeof decodeMessage>) =>
  m.ok && m.value.type === 'NOTIFICATION' ? `${m.value.code}/${m.value.subcode}` : undefined;

test('a connection from an unconfigured address is refused with Cease/Connection Rejected and logged (R-ARS-3)', async () => {
  const c = rawClient(`127.${N}.1.99`);
  await c.closed;
  assert.deepEqual(c.got.map(notification), ['6/5']);
  await waitFor('the refusal on the timeline', () =>
    lab.events.since(0).some((e) => e.type === 'refused' && e.message.includes(`127.${N}.1.99`)),
  );
  assert.ok(rs().instances[0].listener.refused.some((r) => r.remoteAddress === `127.${N}.1.99`));
});

test('a peer with the wrong ASN gets OPEN Message Error / Bad Peer AS (2/2)', async () => {
  const p = rs().instances[0].peerings.get('wrongasn')!.session.peer;
  await waitFor(
    'Bad Peer AS sent',
    () => p.counters.lastNotificationSent?.code === 2 && p.counters.lastNotificationSent.subcode === 2,
    15_000,
  );
  assert.notEqual(p.state, 'Established');
});

/**
 * Opens a session from the configured address, as a peer would: retrying while the route
 * server still holds off after the previous session (its idle hold time refuses connections).
 */
async function openSession(): Promise<{ c: ReturnType<typeof rawClient>; peer: BgpPeer }> {
  const peer = rs().instances[0].peerings.get('raw')!.session.peer;
  for (let attempt = 0; attempt < 40; attempt++) {
    const c = await tryOpen();
    const end = Date.now() + 2000;
    while (Date.now() < end && !peer.isEstablished && !c.socket.destroyed) await new Promise((r) => setTimeout(r, 25));
    if (peer.isEstablished) return { c, peer };
    c.socket.destroy();
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('raw session never Established');
}

async function tryOpen() {
  const c = rawClient(`127.${N}.1.4`);
  await new Promise<void>((r) => c.socket.once('connect', () => r()).once('error', () => r()));
  c.send(
    encodeMessage(
      {
        type: 'OPEN',
        version: 4,
        myAs: 65001,
        holdTime: 90,
        bgpId: 0x0a230104,
        capabilities: [
          { kind: 'multiprotocol', afi: 1, safi: 1 },
          { kind: 'four-octet-as', asn: 65001 },
        ],
        otherParameters: [],
      },
      CONTEXT_4OCTET,
    ),
  );
  c.send(encodeMessage({ type: 'KEEPALIVE' }, CONTEXT_4OCTET));
  return c;
}

const update = (attrs: number[], nlri: number[]) => {
  const body = [0, 0, attrs.length >> 8, attrs.length & 255, ...attrs, ...nlri];
  const len = 19 + body.length;
  return new Uint8Array([...new Array(16).fill(0xff), len >> 8, len & 255, 2, ...body]);
};
// ORIGIN IGP, AS_PATH [65001], NEXT_HOP 10.35.1.4
const GOOD = [0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9, 0x40, 3, 4, 10, N, 1, 4];
const NLRI = [16, 10, 240]; // 10.240.0.0/16

test('RFC 7606 treat-as-withdraw: a bad ORIGIN value withdraws the route and keeps the session', async () => {
  const { c, peer } = await openSession();
  try {
    c.send(update(GOOD, NLRI));
    const learned = () =>
      rs()
        .learnedRoutes('raw')
        ['RouteServiceRole_IN_0']!.some((r) => r.network === '10.240.0.0/16');
    await waitFor('10.240.0.0/16 learned', learned);
    const bad = [...GOOD];
    bad[3] = 7; // ORIGIN value 7: RFC 7606 §7.1
    c.send(update(bad, NLRI));
    await waitFor('10.240.0.0/16 withdrawn', () => !learned());
    assert.ok(peer.isEstablished, 'the session stays up');
    assert.ok(lab.events.since(0).some((e) => e.type === 'warning' && /treat-as-withdraw/.test(e.message)));
  } finally {
    c.socket.destroy();
  }
});

test('RFC 7606 session reset: attributes overrunning the message get NOTIFICATION 3/1, and the lab lives on', async () => {
  const { c } = await openSession();
  // Total Path Attribute Length claims more bytes than the message holds.
  const body = [0, 0, 0, 200, ...GOOD];
  const len = 19 + body.length;
  c.send(new Uint8Array([...new Array(16).fill(0xff), len >> 8, len & 255, 2, ...body]));
  await c.closed;
  assert.deepEqual(c.got.filter((m) => notification(m)).map(notification), ['3/1']);
  // Still serving: a fresh session comes up.
  const again = await openSession();
  again.c.socket.destroy();
});

test('a message with a bad marker gets NOTIFICATION 1/1 (Connection Not Synchronized)', async () => {
  const { c } = await openSession();
  const ka = encodeMessage({ type: 'KEEPALIVE' }, CONTEXT_4OCTET);
  ka[0] = 0;
  c.send(ka);
  await c.closed;
  assert.deepEqual(c.got.filter((m) => notification(m)).map(notification), ['1/1']);
});
