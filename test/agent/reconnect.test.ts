/**
 * A session that comes back learns what the agent announces now: the bare BGP speaker
 * closes the session (Cease / Administrative Shutdown), then accepts it again; the agent reconnects and
 * re-sends the VIP with the current next hop, including a change made while it was down.
 * Addresses: 127.129.0.0/16 only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BareRouteServer, bareAgentConfig } from './bareRouteServer.js';
import { AgentProcess } from './agentProcess.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 129;

test('after a reset the agent reconnects and re-announces the current next hop', { timeout: 60_000 }, async () => {
  const rs = new BareRouteServer(N, { idleHoldTime: 1 });
  const { seen, peer } = rs;
  const dir = mkdtempSync(join(tmpdir(), 'arslab-agent-reconnect-'));
  const ws1Down = join(dir, 'ws1-down');
  let agent: AgentProcess | undefined;
  try {
    await rs.start();
    agent = AgentProcess.start(
      'reconnect',
      bareAgentConfig(N, [
        `{ name: ws1, nextHop: 10.10.0.4, check: { type: command, command: "test ! -e ${ws1Down}", interval: 200ms, timeout: 5s, rise: 1, fall: 1 } }`,
        '{ name: ws2, nextHop: 10.10.0.5, check: { type: command, command: "true", interval: 200ms, timeout: 5s, rise: 1, fall: 5 } }',
      ]),
    );
    const a = agent;
    const why = () => `${seen.join('\n')}\n${a.tail()}`;
    await waitFor('via ws1', () => rs.rib === '10.10.0.4', { timeoutMs: 15_000, intervalMs: 10, detail: why });
    // Down: the speaker stops the session (Cease / Administrative Shutdown) and keeps it down a moment.
    peer.stop();
    await a.waitLog(
      'the agent sees the session go',
      (l) => l.event === 'session-down' && /6\/2/.test(String(l['reason'])),
      5_000,
    );
    // Meanwhile ws1 fails: the VIP moves while the session is down.
    writeFileSync(ws1Down, '');
    await a.waitLog(
      'the VIP moves to ws2',
      (l) => l.event === 'vip-change' && String(l['to']).startsWith('10.10.0.5'),
      5_000,
    );
    const announcesBefore = seen.filter((s) => s.startsWith('announce')).length;
    peer.start();
    await waitFor('re-announced via ws2 after the session came back', () => rs.rib === '10.10.0.5', {
      timeoutMs: 15_000,
      intervalMs: 10,
      detail: why,
    });
    const after = seen.slice(seen.lastIndexOf('established'));
    assert.deepEqual(after, ['established', 'announce 100.64.0.1/32 via 10.10.0.5 path 65001'], why());
    assert.equal(seen.filter((s) => s.startsWith('announce')).length, announcesBefore + 1);
  } finally {
    await agent?.kill();
    await rs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
