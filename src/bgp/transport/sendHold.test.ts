/**
 * A peer that stays Established but stops reading, over real sockets: what we queue for it
 * is watched (sendBlocked from sendQueueLimit on, onSendReady when it drains), and the RFC 9687
 * SendHoldTimer drops the session when nothing we send gets through for SendHoldTime — with
 * the NOTIFICATION Send Hold Timer Expired (8/0) attempted and the TCP connection closed at
 * once. A peer that reads slowly makes progress and stays up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTEXT_4OCTET, packUpdates, v4Prefix, type Prefix } from '../wire/index.js';
import { BgpListener } from './listener.js';
import { BgpPeer } from './peer.js';
import { RawPeer } from './testkit.js';
import { waitFor } from '../../../test/helpers/waitFor.js';

const PORT = 21791;

/** 1,000 /24s in UPDATEs of one prefix each (a distinct MED apiece): about 60 KB. */
function updates(round: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < 1000; i++) {
    const nlri: Prefix[] = [v4Prefix(((100 << 24) | (round << 16) | (i << 8)) >>> 0, 24)];
    out.push(
      ...packUpdates(
        {
          withdrawn: [],
          announce: {
            attributes: { origin: 0, asPath: [{ type: 2, asns: [65515] }], nextHop: 0x0aaa0204, med: i },
            nlri,
          },
        },
        CONTEXT_4OCTET,
      ),
    );
  }
  return out;
}

async function session(n: number, sendHoldTime: number, holdTime = 3) {
  const local = `127.174.2.${n}`;
  const remote = `127.174.3.${n}`;
  let ready = 0;
  const peer = new BgpPeer({
    name: `rs-${n}`,
    remote: { address: remote, port: PORT },
    localAddress: local,
    handlers: { onSendReady: () => ready++ },
    fsm: {
      localAs: 65515,
      localId: 0x0aaa0204,
      peerAs: 65001,
      holdTime,
      keepaliveTime: Math.max(1, Math.floor(holdTime / 3)),
      connectRetryTime: 30,
      passive: true,
      families: ['ipv4-unicast'],
      sendHoldTime,
    },
  });
  const listener = new BgpListener(local, PORT);
  listener.register(remote, peer);
  await listener.listen();
  peer.start();
  const raw = await RawPeer.open({
    remote: { address: local, port: PORT },
    localAddress: remote,
    asn: 65001,
    routerId: 0x0aaa0305,
    holdTime,
  });
  await waitFor('Established', () => peer.isEstablished, { timeoutMs: 10_000, intervalMs: 20 });
  return {
    peer,
    raw,
    ready: () => ready,
    close: async () => {
      raw.close();
      peer.stop();
      await listener.close();
    },
  };
}

test('a peer that stops reading: the send queue is seen as blocked, and the SendHoldTimer drops the session with 8/0 (RFC 9687)', async () => {
  const { peer, raw, close } = await session(1, 4);
  try {
    raw.stopReading();
    const t0 = Date.now();
    // Push until the queue in this process passes the limit (the kernel's buffers fill first).
    for (let round = 0; !peer.sendBlocked && round < 200; round++) {
      peer.sendEncodedUpdates(updates(round));
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(peer.sendBlocked, 'the send queue reached the limit');
    assert.ok(peer.sendQueueBytes >= 256 * 1024);
    assert.equal(peer.counters.sendBlocks, 1);
    const lastPush = Date.now();
    await waitFor('the session dropped', () => !peer.isEstablished, { timeoutMs: 15_000, intervalMs: 20 });
    const waited = (Date.now() - lastPush) / 1000;
    // The peer kept sending KEEPALIVEs, so the (receive) hold timer of 3 s never expired: the
    // session went after SendHoldTime (4 s) without progress, not before.
    assert.match(peer.counters.lastDown!.reason, /send hold timer expired/);
    assert.ok(waited >= 3.5, `dropped ${waited.toFixed(1)} s after the last message, SendHoldTime is 4 s`);
    assert.deepEqual(
      [peer.counters.lastNotificationSent?.code, peer.counters.lastNotificationSent?.subcode],
      [8, 0],
      'NOTIFICATION Send Hold Timer Expired (RFC 9687 §5: subcode 0)',
    );
    // The TCP connection was dropped at once (the NOTIFICATION may not delay it, §3.3): reset,
    // so the peer sees the end as soon as it reads again, not after megabytes of queued UPDATEs.
    raw.readAgain();
    await Promise.race([
      raw.closed,
      new Promise((_, rej) => setTimeout(() => rej(new Error('connection still open')), 2000)),
    ]);
    assert.ok(Date.now() - t0 < 20_000);
  } finally {
    await close();
  }
});

test('a peer that reads slowly makes progress: it is never dropped, and onSendReady follows its block', async () => {
  const { peer, raw, ready, close } = await session(2, 4);
  try {
    raw.stopReading();
    let bytes = 0;
    for (let round = 0; !peer.sendBlocked && round < 200; round++) {
      const frames = updates(round);
      for (const f of frames) bytes += f.length;
      peer.sendEncodedUpdates(frames);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(peer.sendBlocked);
    // Read it all in about 6 s, longer than SendHoldTime (4 s), but steadily: each message that
    // reaches the kernel restarts the SendHoldTimer (RFC 9687 §3.3).
    const start = Date.now();
    raw.readSlowly(Math.ceil(bytes / 6));
    await waitFor('the queue drained', () => !peer.sendBlocked, { timeoutMs: 30_000, intervalMs: 20 });
    assert.equal(ready(), 1, 'onSendReady once the queue drained');
    await waitFor('everything read', () => raw.bytesReceived >= bytes, { timeoutMs: 30_000, intervalMs: 20 });
    const took = (Date.now() - start) / 1000;
    assert.ok(took > 4.5, `the slow read took ${took.toFixed(1)} s, more than SendHoldTime`);
    assert.ok(peer.isEstablished, 'still Established');
    assert.equal(peer.counters.establishedTransitions, 1);
    assert.equal(peer.counters.lastDown, undefined);
  } finally {
    await close();
  }
});

// A cut link (arslab link down, src/lab/graph) holds what is written until it is restored, as
// the kernel of a real speaker would hold it for TCP to retransmit; a real kernel's buffer is
// finite, so the writes stop there. The same bound applies: past sendQueueLimit the routing
// side holds its changes in the RIB (ADR 0014), and gets onSendReady once the link is back
// and what was held went out.
test('a cut link holds what is written within the same bound: blocked at the limit, delivered and onSendReady once restored', async () => {
  // Hold time 30 s: the session outlives the cut; the SendHoldTimer off (0).
  const { peer, raw, ready, close } = await session(3, 0, 30);
  try {
    peer.cutLink();
    let bytes = 0;
    for (let round = 0; !peer.sendBlocked && round < 100; round++) {
      const frames = updates(round);
      for (const f of frames) bytes += f.length;
      peer.sendEncodedUpdates(frames);
    }
    assert.ok(peer.sendBlocked, 'what the cut link holds counts toward the send queue bound');
    // One round (about 60 KB) past the 256 KiB limit at most: the routing side stops there.
    assert.ok(peer.sendQueueBytes >= 256 * 1024, `${peer.sendQueueBytes} B held`);
    assert.ok(peer.sendQueueBytes < 256 * 1024 + 70_000, `${peer.sendQueueBytes} B held`);
    assert.equal(peer.counters.sendBlocks, 1);
    const before = raw.bytesReceived;
    peer.restoreLink();
    await waitFor('everything held delivered', () => raw.bytesReceived - before >= bytes, {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    await waitFor('onSendReady', () => ready() === 1, { timeoutMs: 10_000, intervalMs: 20 });
    assert.ok(!peer.sendBlocked);
    assert.equal(peer.sendQueueBytes, 0);
    assert.ok(peer.isEstablished, 'the session outlived the cut');
    assert.equal(peer.counters.establishedTransitions, 1);
  } finally {
    await close();
  }
});
