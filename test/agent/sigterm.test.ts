/**
 * SIGTERM, seen on the wire by a bare BGP speaker (ARSLab's BgpPeer behind a BgpListener,
 * no route server logic): the UPDATE withdrawing the VIP arrives before the NOTIFICATION
 * Cease / Administrative Shutdown (6/2, RFC 4486), and the agent exits 0. A second
 * neighbor that never answers must not hold the shutdown up, and a command check still
 * running is killed with its process group. Addresses: 127.126.0.0/16.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BareRouteServer, bareAgentConfig } from './bareRouteServer.js';
import { AgentProcess } from './agentProcess.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 126;

function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('SIGTERM: withdraw, then Cease/2, then exit 0; a dead neighbor does not delay it, a hanging check is killed', {
  timeout: 60_000,
}, async () => {
  const rs = new BareRouteServer(N);
  const seen = rs.seen;
  const dir = mkdtempSync(join(tmpdir(), 'arslab-agent-sigterm-'));
  writeFileSync(join(dir, 'ok.sh'), 'exit 0\n');
  let agent: AgentProcess | undefined;
  try {
    await rs.start();
    agent = AgentProcess.start(
      'sigterm',
      // Nobody answers at 127.N.1.5: a dead neighbour must not delay the exit.
      bareAgentConfig(N, [
        // Generous: a loaded machine must not fail it.
        `{ name: ws1, nextHop: 10.10.0.4, check: { type: command, command: "sh ${join(dir, 'ok.sh')}", interval: 200ms, timeout: 5s, rise: 1, fall: 5 } }`,
        // A check that hangs (it writes its pid, then sleeps): SIGTERM must not leave it behind.
        `{ name: ws2, nextHop: 10.10.0.5, check: { type: command, command: "sh -c 'echo $$ > ${join(dir, 'hang.pid')}; exec sleep 60'", interval: 1s, timeout: 60s } }`,
      ]),
    );
    const a = agent;
    await waitFor('the VIP announced', () => seen.some((s) => s.startsWith('announce')), {
      timeoutMs: 15_000,
      intervalMs: 10,
      detail: () => `${seen.join('\n')}\n${a.tail()}`,
    });
    assert.ok(seen.includes('announce 100.64.0.1/32 via 10.10.0.4 path 65001'), seen.join('\n'));
    await waitFor(
      'the hanging check started',
      () => existsSync(join(dir, 'hang.pid')) && readFileSync(join(dir, 'hang.pid'), 'utf8').trim() !== '',
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    const hangPid = Number(readFileSync(join(dir, 'hang.pid'), 'utf8'));
    const t0 = performance.now();
    const exit = await a.signal('SIGTERM', 8_000);
    const ms = Math.round(performance.now() - t0);
    const why = () => `peer saw:\n${seen.join('\n')}\n${a.tail()}`;
    assert.deepEqual(exit, { code: 0, signal: null }, why());
    await waitFor('the session down', () => seen.some((s) => s.startsWith('down')), {
      timeoutMs: 5_000,
      intervalMs: 10,
      detail: () => seen.join('\n'),
    });
    const tailEvents = seen.slice(seen.findIndex((s) => s.startsWith('announce')) + 1);
    assert.deepEqual(tailEvents, ['withdraw 100.64.0.1/32', 'down: NOTIFICATION received 6/2'], why());
    assert.ok(ms < 4000, `exit took ${ms} ms`);
    await waitFor('the hanging check killed with the agent', () => !alive(hangPid), {
      timeoutMs: 3_000,
      intervalMs: 10,
      detail: why,
    });
    assert.ok(
      a.lines.some((l) => l.event === 'checks-killed' && l['count'] === 1),
      why(),
    );
    console.log(`SIGTERM → agent exited after ${ms} ms; the peer saw: ${tailEvents.join(' → ')}`);
  } finally {
    await agent?.kill();
    try {
      const p = Number(readFileSync(join(dir, 'hang.pid'), 'utf8'));
      if (p > 1 && alive(p)) process.kill(p, 'SIGKILL');
    } catch {
      /* never started, or gone */
    }
    await rs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
