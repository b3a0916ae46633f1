/**
 * Connection collision over real sockets (RFC 4271 §6.8): two speakers open connections to
 * each other at the same moment. Both connections run until the OPENs arrive, then both
 * sides keep the same one — the connection opened by the higher BGP Identifier — and close
 * the other with Cease/Connection Collision Resolution. And connections that are no collision
 * partners (no OPEN exchanged on them) never close a session that got the peer's OPEN.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { CONTEXT_4OCTET, decodeMessage, encodeMessage } from '../wire/index.js';
import { BgpListener } from './listener.js';
import { BgpPeer, defaultConnector, type Connector } from './peer.js';
import { MessageReader } from './reader.js';
import { blackHole } from './testkit.js';
import { waitFor } from '../../../test/helpers/waitFor.js';

function barrier(n: number) {
  let waiting: (() => void)[] = [];
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === n) {
        for (const w of waiting) w();
        waiting = [];
      }
    });
}

async function pair(base: number) {
  const A = `127.39.${base}.1`;
  const B = `127.39.${base}.2`;
  const port = 20179 + base;
  const both = barrier(2);
  // Each side's first connection attempt waits for the other's: they cross on the wire.
  const crossing = (): Connector => {
    let first = true;
    return async (o) => {
      if (first) {
        first = false;
        await both();
      }
      return defaultConnector(o);
    };
  };
  const mk = (
    name: string,
    local: string,
    remote: string,
    localId: number,
    localAs: number,
    peerAs: number,
    connector: Connector,
  ) =>
    new BgpPeer({
      name,
      remote: { address: remote, port },
      localAddress: local,
      connector,
      handlers: {},
      fsm: {
        localAs,
        localId,
        peerAs,
        holdTime: 30,
        keepaliveTime: 10,
        connectRetryTime: 30,
        passive: false,
        families: ['ipv4-unicast'],
      },
    });
  // A has the higher identifier (10.0.0.9 > 10.0.0.1): A's connection must survive.
  const a = mk('A', A, B, 0x0a000009, 65001, 65002, crossing());
  const b = mk('B', B, A, 0x0a000001, 65002, 65001, crossing());
  const la = new BgpListener(A, port);
  const lb = new BgpListener(B, port);
  la.register(B, a);
  lb.register(A, b);
  await la.listen();
  await lb.listen();
  return {
    a,
    b,
    close: async () => {
      a.stop();
      b.stop();
      await la.close();
      await lb.close();
    },
  };
}

test('crossing connections: both sides keep the one opened by the higher BGP Identifier', async () => {
  for (let round = 0; round < 5; round++) {
    const { a, b, close } = await pair(round + 1);
    try {
      a.start();
      b.start();
      await waitFor('both Established', () => a.isEstablished && b.isEstablished, {
        timeoutMs: 10_000,
        intervalMs: 20,
      });
      // Let the losing connection's NOTIFICATION and close play out.
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(a.isEstablished && b.isEstablished, 'the surviving session stays up');
      const ca = a.connection!;
      const cb = b.connection!;
      assert.equal(ca.direction, 'outgoing', 'A (higher identifier) keeps the connection it opened');
      assert.equal(cb.direction, 'incoming');
      assert.equal(ca.localPort, cb.remotePort, 'the same TCP connection on both sides');
      assert.equal(a.counters.establishedTransitions, 1);
      assert.equal(b.counters.establishedTransitions, 1);
      const cease7 = [a.counters.lastNotificationSent, b.counters.lastNotificationSent].filter(
        (n) => n?.code === 6 && n.subcode === 7,
      );
      assert.ok(cease7.length >= 1, 'the losing connection is closed with Cease/Connection Collision Resolution');
    } finally {
      await close();
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Connections that are not collision partners (RFC 4271 §6.8: "a connection collision cannot
// be detected with connections that are in Idle, Connect, or Active states"). The route server
// instance (BGP Identifier 10.170.1.x) is the higher one, as in Azure, where the NVA
// (10.170.0.x) usually connects first. Its own attempts to reach the NVA go to a black hole
// (the NVA's port answers no SYN: a firewall or an NVA that does not listen), so they stay
// pending for as long as the test runs.

const PORT = 21790;

function speaker(name: string, local: string, remote: string, localId: number, localAs: number, peerAs: number) {
  return new BgpPeer({
    name,
    remote: { address: remote, port: PORT },
    localAddress: local,
    handlers: {},
    idleHoldTime: 1,
    fsm: {
      localAs,
      localId,
      peerAs,
      holdTime: 30,
      keepaliveTime: 10,
      connectRetryTime: 30,
      passive: false,
      families: ['ipv4-unicast'],
    },
  });
}

/** A route-server instance (listening, connecting into a black hole) and an NVA that connects to it. */
async function routeServerAndNva(n: number) {
  const rsAddr = `127.170.1.${n}`;
  const nvaAddr = `127.170.0.${n}`;
  const hole = await blackHole(nvaAddr, PORT, 60);
  const rs = speaker('rs', rsAddr, nvaAddr, (10 << 24) | (170 << 16) | (1 << 8) | n, 65515, 65001);
  const nva = speaker('nva', nvaAddr, rsAddr, (10 << 24) | (170 << 16) | n, 65001, 65515);
  const listener = new BgpListener(rsAddr, PORT);
  listener.register(nvaAddr, rs);
  await listener.listen();
  return {
    rs,
    nva,
    rsAddr,
    nvaAddr,
    close: async () => {
      nva.stop();
      rs.stop();
      await listener.close();
      hole.close();
    },
  };
}

/**
 * The route server and an NVA (`routeServerAndNva(n)`), the route server already attempting
 * its own connection (state Connect, its SYN lost in the black hole) when `body` runs.
 */
async function whileRouteServerAttempts(
  n: number,
  body: (s: Awaited<ReturnType<typeof routeServerAndNva>>) => Promise<void>,
): Promise<void> {
  const s = await routeServerAndNva(n);
  try {
    s.rs.start();
    await waitFor('the route server attempting', () => s.rs.state === 'Connect', { timeoutMs: 10_000, intervalMs: 20 });
    await body(s);
  } finally {
    await s.close();
  }
}

/** A raw TCP connection from the NVA's address to the route server, once the route server's OPEN has come on it. */
async function connectedAndOpened(rsAddr: string, nvaAddr: string): Promise<net.Socket> {
  const s = net.connect({ host: rsAddr, port: PORT, localAddress: nvaAddr });
  s.on('error', () => {});
  await new Promise<void>((resolve) => s.once('data', () => resolve()));
  return s;
}

/** The session stays up on one TCP connection, opened by the NVA, and nobody sent a NOTIFICATION. */
async function assertUpOnTheNvaConnection(rs: BgpPeer, nva: BgpPeer): Promise<void> {
  await waitFor('both Established', () => rs.isEstablished && nva.isEstablished, { timeoutMs: 10_000, intervalMs: 20 });
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(rs.isEstablished && nva.isEstablished, 'the session stays up');
  assert.equal(rs.counters.establishedTransitions, 1);
  assert.equal(nva.counters.establishedTransitions, 1);
  assert.equal(rs.connection!.direction, 'incoming');
  assert.equal(rs.connection!.remotePort, nva.connection!.localPort, 'the same TCP connection on both sides');
  assert.equal(rs.counters.lastNotificationSent, undefined, 'the route server closed nothing with a NOTIFICATION');
}

test('a peer with the lower BGP Identifier comes up while our own connection attempt is still pending (§6.8: Connect is no collision partner)', async () => {
  await whileRouteServerAttempts(4, async ({ rs, nva }) => {
    nva.start();
    await assertUpOnTheNvaConnection(rs, nva);
  });
});

test('a connection of the peer that closed before the OPENs does not lock the peer out', async () => {
  await whileRouteServerAttempts(5, async ({ rs, nva, rsAddr, nvaAddr }) => {
    // The NVA connects, gets the route server's OPEN (the connection is in OpenSent there)
    // and goes away before answering: the connection accepted beside the pending attempt ends.
    const first = await connectedAndOpened(rsAddr, nvaAddr);
    first.destroy();
    await new Promise((r) => setTimeout(r, 300));
    nva.start();
    await assertUpOnTheNvaConnection(rs, nva);
  });
});

test('a half-open connection of the peer (it restarted before its OPEN) gives way to its new one', async () => {
  await whileRouteServerAttempts(6, async ({ rs, nva, rsAddr, nvaAddr }) => {
    // The NVA's earlier life: connected, never sent its OPEN, never closed (the route server
    // would wait 4 minutes for it, RFC 4271 §8.2.2 OpenSent hold time).
    const stale = await connectedAndOpened(rsAddr, nvaAddr);
    const staleClosed = new Promise<void>((r) => stale.once('close', () => r()));
    stale.resume();
    nva.start();
    await assertUpOnTheNvaConnection(rs, nva);
    await Promise.race([
      staleClosed,
      new Promise((_, rej) => setTimeout(() => rej(new Error('stale connection kept')), 3000)),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// The check happens on receipt of the OPEN, before it is answered: a connection that loses is
// closed with Cease/7 and never confirmed with a KEEPALIVE. Answered first, the peer (in
// OpenConfirm on it) would take the KEEPALIVE to Established and then see that session closed.

function openFrom(asn: number, id: number): Uint8Array {
  return encodeMessage(
    {
      type: 'OPEN',
      version: 4,
      myAs: asn,
      holdTime: 30,
      bgpId: id,
      capabilities: [
        { kind: 'multiprotocol', afi: 1, safi: 1 },
        { kind: 'four-octet-as', asn },
      ],
      otherParameters: [],
    },
    CONTEXT_4OCTET,
  );
}

/** Every message received on a raw socket, decoded, in order. */
function messages(s: net.Socket): string[] {
  const out: string[] = [];
  const reader = new MessageReader();
  s.on('data', (c: Buffer) => {
    for (const f of reader.push(c)) {
      if (!f.ok) continue;
      const d = decodeMessage(f.bytes, CONTEXT_4OCTET);
      if (!d.ok) continue;
      out.push(d.value.type === 'NOTIFICATION' ? `NOTIFICATION ${d.value.code}/${d.value.subcode}` : d.value.type);
    }
  });
  return out;
}

test('the connection that loses a collision gets Cease/7 and no KEEPALIVE: checked when the OPEN arrives (§6.8)', async () => {
  const rsAddr = '127.170.1.7';
  const peerAddr = '127.170.0.7';
  // The peer's identifier (10.170.15.7) is the higher one: the connection it opened must stay.
  const rs = speaker('rs', rsAddr, peerAddr, 0x0aaa0107, 65515, 65001);
  const listener = new BgpListener(rsAddr, PORT);
  listener.register(peerAddr, rs);
  await listener.listen();
  // The peer's side of the route server's own connection (S1): accepted, not answered yet.
  let s1: net.Socket | undefined;
  let s1Closed = false;
  const server = net.createServer((s) => {
    if (s1) return;
    s1 = s;
    s.once('close', () => (s1Closed = true));
  });
  await new Promise<void>((r) => server.listen(PORT, peerAddr, () => r()));
  const sockets: net.Socket[] = [];
  try {
    rs.start();
    await waitFor('the route server connected to the peer', () => s1 !== undefined, {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    sockets.push(s1!);
    const onS1 = messages(s1!);
    await waitFor("the route server's OPEN on its connection", () => onS1.includes('OPEN'), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    // The peer's own connection (S2): OPEN exchanged, the route server answers with a KEEPALIVE.
    const s2 = net.connect({ host: rsAddr, port: PORT, localAddress: peerAddr });
    sockets.push(s2);
    s2.on('error', () => {});
    const onS2 = messages(s2);
    let s2Up = false;
    s2.once('connect', () => (s2Up = true));
    await waitFor('S2 connected', () => s2Up, { timeoutMs: 10_000, intervalMs: 20 });
    s2.write(openFrom(65001, 0x0aaa0f07));
    await waitFor('S2 in OpenConfirm at the route server', () => onS2.includes('KEEPALIVE'), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    // Now the peer's OPEN on S1: S1 (opened by the lower identifier) loses.
    const before = onS1.length;
    s1!.write(openFrom(65001, 0x0aaa0f07));
    await waitFor('S1 closed by the route server', () => s1Closed, { timeoutMs: 10_000, intervalMs: 20 });
    assert.deepEqual(onS1.slice(before), ['NOTIFICATION 6/7'], 'Cease/7 only, no KEEPALIVE first');
    // S2 goes on to Established.
    s2.write(encodeMessage({ type: 'KEEPALIVE' }, CONTEXT_4OCTET));
    await waitFor('Established on S2', () => rs.isEstablished, { timeoutMs: 10_000, intervalMs: 20 });
    assert.equal(rs.connection!.direction, 'incoming');
    assert.equal(rs.connection!.remotePort, s2.localPort);
  } finally {
    rs.stop();
    for (const s of sockets) s.destroy();
    await listener.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
