/**
 * The agent's orchestration on a VirtualClock, with scripted probe results and no network
 * (sessions never connect): health → decision → status and logs, drains, maintenance files,
 * the start-up hold, failback, and stop(). Every step is deterministic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../lab/clock/virtual.js';
import { Agent } from './agent.js';
import { loadAgentConfigText, type CheckConfig } from './config.js';
import type { CheckResult } from './health.js';

function config(extra = '', failback = true): ReturnType<typeof loadAgentConfigText> {
  return loadAgentConfigText(
    `asn: 65001
routerId: 10.0.0.7
localAddress: 10.0.0.7
neighbors: [ { address: 10.0.1.4 }, { address: 10.0.1.5 } ]
${extra}vips:
  - prefix: 100.64.0.1/32
    pattern: watcher
    failback: ${failback}
    backends:
      - { name: ws1, nextHop: 10.0.0.4, check: { type: tcp, address: "ws1:80", interval: 1s, fastInterval: 100ms, rise: 2, fall: 2 } }
      - { name: ws2, nextHop: 10.0.0.5, check: { type: tcp, address: "ws2:80", interval: 1s, fastInterval: 100ms, rise: 2, fall: 2 } }
`,
    'agent.yaml',
  );
}

async function harness(extra = '', failback = true, delays: Record<string, number> = {}) {
  const r = config(extra, failback);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  const clock = new VirtualClock();
  const healthy = new Map([
    ['ws1:80', true],
    ['ws2:80', true],
  ]);
  const logs: Record<string, unknown>[] = [];
  /** Per address: how long (virtual ms) a check takes. */
  const delay = new Map<string, number>(Object.entries(delays));
  const probe = async (c: CheckConfig): Promise<CheckResult> => {
    const d = c.type === 'tcp' ? (delay.get(c.address) ?? 0) : 0;
    if (d > 0) await new Promise<void>((res) => clock.setTimer(d, res));
    const ok = c.type === 'tcp' && healthy.get(c.address) === true;
    return { ok, detail: ok ? 'connected' : 'ECONNREFUSED', durationMs: 0 };
  };
  const agent = new Agent(
    r.config,
    { event: (level, event, fields) => logs.push({ level, event, t: clock.now(), ...fields }) },
    { clock, probe, maintenancePollMs: 100, connector: () => new Promise(() => {}) },
  );
  await agent.start();
  const run = async (ms: number): Promise<void> => {
    for (let i = 0; i < ms / 10; i++) {
      clock.advance(10);
      await new Promise((res) => setImmediate(res));
    }
  };
  const nextHop = () => agent.status().vips[0]!.nextHop;
  return { agent, clock, healthy, delay, logs, run, nextHop };
}

test('ws1 preferred; fails over after fall checks at the fast interval; withdrawn with none; failback', async () => {
  const h = await harness();
  await h.run(150);
  assert.equal(h.nextHop(), '10.0.0.4', 'both rise after 2 checks 100 ms apart; ws1 first in order');
  h.healthy.set('ws1:80', false);
  const t0 = h.clock.now();
  await h.run(1200);
  const change = h.logs.find((l) => l['event'] === 'vip-change' && String(l['to']).startsWith('10.0.0.5'))!;
  assert.ok(change, 'moved to ws2');
  assert.ok(
    (change['t'] as number) - t0 <= 1000 + 100 + 10,
    `detected within interval + fastInterval (${(change['t'] as number) - t0} ms)`,
  );
  h.healthy.set('ws2:80', false);
  await h.run(1200);
  assert.equal(h.nextHop(), null);
  h.healthy.set('ws1:80', true);
  h.healthy.set('ws2:80', true);
  await h.run(1200);
  assert.equal(h.nextHop(), '10.0.0.4');
  const s = h.agent.status();
  assert.deepEqual(
    s.backends.map((b) => [b.name, b.state, b.transitions]),
    [
      ['ws1', 'up', 3],
      ['ws2', 'up', 3],
    ],
  );
  assert.deepEqual(
    s.sessions.map((x) => x.state),
    ['Connect', 'Connect'],
    'no network: the sessions never come up',
  );
  await h.agent.stop();
  assert.equal(h.clock.waiting, 0, 'stop() leaves no timer behind');
});

test('failback false: stays on ws2 after ws1 recovers; the start-up hold waits for a slower ws1', async () => {
  // ws1's checks take 60 ms: ws2 is up at 100 ms, ws1 only at 160 ms.
  const h = await harness('', false, { 'ws1:80': 60 });
  await h.run(130);
  assert.equal(h.agent.status().backends[1]!.state, 'up');
  assert.equal(h.agent.status().backends[0]!.state, 'unknown');
  assert.equal(h.nextHop(), null, 'held: ws1 is preferred and still unknown');
  await h.run(50);
  assert.equal(h.nextHop(), '10.0.0.4', 'ws1, not ws2 that answered first');
  h.healthy.set('ws1:80', false);
  await h.run(1300);
  assert.equal(h.nextHop(), '10.0.0.5');
  h.healthy.set('ws1:80', true);
  await h.run(3000);
  assert.equal(h.agent.status().backends[0]!.state, 'up');
  assert.equal(h.nextHop(), '10.0.0.5', 'no failback');
  await h.agent.stop();
});

test('drains: API backend and VIP drains, maintenance files; undrain restores', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arslab-agent-unit-'));
  try {
    const all = join(dir, 'all');
    const h = await harness(`maintenanceFile: ${all}\n`);
    await h.run(150);
    assert.equal(h.nextHop(), '10.0.0.4');
    h.agent.drain({ backend: 'ws1' });
    assert.equal(h.nextHop(), '10.0.0.5');
    assert.equal(h.agent.status().backends[0]!.drained, true);
    h.agent.undrain({ backend: 'ws1' });
    assert.equal(h.nextHop(), '10.0.0.4');
    h.agent.drain({});
    assert.equal(h.nextHop(), null);
    h.agent.undrain({});
    assert.equal(h.nextHop(), '10.0.0.4');
    assert.throws(() => h.agent.drain({ backend: 'nope' }), /no backend named 'nope' \(known: ws1, ws2\)/);
    writeFileSync(all, '');
    await h.run(150);
    assert.equal(h.nextHop(), null);
    assert.equal(h.agent.status().vips[0]!.drained, true);
    rmSync(all);
    await h.run(150);
    assert.equal(h.nextHop(), '10.0.0.4');
    assert.deepEqual(
      h.logs.filter((l) => l['event'] === 'maintenance').map((l) => l['drained']),
      [true, false],
    );
    await h.agent.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
