/**
 * Connection collision over real sockets (RFC 4271 §6.8): two speakers open connections to
 * each other at the same moment. Both connections run until the OPENs arrive, then both
 * sides keep the same one — the connection opened by the higher BGP Identifier — and close
 * the other with Cease/Connection Collision Resolution.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BgpListener } from './listener.js';
import { BgpPeer, defaultConnector, type Connector } from './peer.js';
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
