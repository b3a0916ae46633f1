/**
 * SIGTERM, seen on the wire by a bare BGP speaker (ARSLab's BgpPeer behind a BgpListener,
 * no route server logic): the UPDATE withdrawing the VIP arrives before the NOTIFICATION
 * Cease / Administrative Shutdown (6/2, RFC 4486), and the agent exits 0. A second
 * neighbor that never answers must not hold the shutdown up. Addresses: 127.126.0.0/16.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BgpListener, BgpPeer, formatPrefix, formatIpv4, describeDownReason } from '../../src/bgp/index.js';
import { AgentProcess, until } from './agentProcess.js';

const N = 126;

test('SIGTERM: withdraw, then Cease/2, then exit 0; a dead neighbor does not delay it', { timeout: 60_000 }, async () => {
  const seen: string[] = [];
  const listener = new BgpListener(`127.${N}.1.4`, 179);
  const peer = new BgpPeer({
    name: 'rs0',
    remote: { address: `127.${N}.0.7`, port: 179 },
    localAddress: `127.${N}.1.4`,
    fsm: { localAs: 65515, localId: 0x0a0a0104, peerAs: 65001, holdTime: 9, keepaliveTime: 3, connectRetryTime: 1, passive: true, families: ['ipv4-unicast'] },
    handlers: {
      onEstablished: () => seen.push('established'),
      onUpdate: (_p, u) => {
        for (const p of u.withdrawn) seen.push(`withdraw ${formatPrefix(p)}`);
        for (const p of u.nlri) seen.push(`announce ${formatPrefix(p)} via ${formatIpv4(u.attributes.nextHop!)} path ${u.attributes.asPath?.flatMap((s) => s.asns).join(' ')}`);
      },
      onDown: (_p, r) => seen.push(`down: ${describeDownReason(r)}`),
    },
  });
  listener.register(`127.${N}.0.7`, peer);
  const dir = mkdtempSync(join(tmpdir(), 'arslab-agent-sigterm-'));
  writeFileSync(join(dir, 'ok.sh'), 'exit 0\n');
  let agent: AgentProcess | undefined;
  try {
    await listener.listen();
    peer.start();
    agent = AgentProcess.start(
      'sigterm',
      `asn: 65001
routerId: 10.10.0.7
localAddress: 127.${N}.0.7
connectRetry: 1s
neighbors:
  - { address: 127.${N}.1.4, holdTime: 9 }
  - { address: 127.${N}.1.5, holdTime: 9 }   # nobody there
vips:
  - prefix: 100.64.0.1/32
    pattern: watcher
    backends:
      - { name: ws1, nextHop: 10.10.0.4, check: { type: command, command: "sh ${join(dir, 'ok.sh')}", interval: 200ms, rise: 1, fall: 1 } }
`,
    );
    const a = agent;
    await until('the VIP announced', () => seen.some((s) => s.startsWith('announce')), 15_000, () => `${seen.join('\n')}\n${a.tail()}`);
    assert.ok(seen.includes('announce 100.64.0.1/32 via 10.10.0.4 path 65001'), seen.join('\n'));
    const t0 = performance.now();
    const exit = await a.signal('SIGTERM', 8_000);
    const ms = Math.round(performance.now() - t0);
    assert.deepEqual(exit, { code: 0, signal: null });
    await until('the session down', () => seen.some((s) => s.startsWith('down')), 5_000, () => seen.join('\n'));
    const tailEvents = seen.slice(seen.findIndex((s) => s.startsWith('announce')) + 1);
    assert.deepEqual(tailEvents, ['withdraw 100.64.0.1/32', 'down: NOTIFICATION received 6/2'], seen.join('\n'));
    assert.ok(ms < 4000, `exit took ${ms} ms`);
    console.log(`SIGTERM → agent exited after ${ms} ms; the peer saw: ${tailEvents.join(' → ')}`);
  } finally {
    await agent?.kill();
    peer.stop();
    await listener.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
