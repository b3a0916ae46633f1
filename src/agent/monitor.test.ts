/** The check scheduler on a virtual clock: intervals, the fast interval while pending, stop. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../lab/clock/virtual.js';
import { loadAgentConfigText, type CheckConfig } from './config.js';
import type { CheckResult } from './health.js';
import { HealthMonitor } from './monitor.js';

const check = ((): CheckConfig => {
  const r = loadAgentConfigText(
    `asn: 65001\nrouterId: 10.0.0.7\nlocalAddress: 10.0.0.7\nneighbors: [ { address: 10.0.1.4 }, { address: 10.0.1.5 } ]\nvips:\n  - prefix: 100.64.0.1/32\n    pattern: watcher\n    backends:\n      - { name: a, nextHop: 10.0.0.4, check: { type: command, command: 'true', interval: 1s, fastInterval: 100ms, rise: 2, fall: 3 } }\n`,
    't.yaml',
  );
  assert.ok(r.ok);
  return r.config.vips[0]!.backends[0]!.check;
})();

const flush = () => new Promise((r) => setImmediate(r));

test('checks run every interval, every fastInterval while a change is pending, and stop', async () => {
  const clock = new VirtualClock();
  let healthy = true;
  const at: number[] = [];
  const probe = async (): Promise<CheckResult> => {
    at.push(clock.now());
    return { ok: healthy, detail: healthy ? 'ok' : 'fail', durationMs: 0 };
  };
  const changes: string[] = [];
  const m = new HealthMonitor('a', check, clock, probe, (_m, s) => {
    if (s.changed) changes.push(`${clock.now()}:${s.changed.to}`);
  });
  const tick = async (ms: number) => {
    for (let i = 0; i < ms / 50; i++) {
      clock.advance(50);
      await flush();
    }
  };
  m.start();
  await tick(50);
  // unknown: fast interval until rise (2) successes.
  await tick(150);
  assert.deepEqual(changes, ['100:up']);
  await tick(2000);
  // Settled: 1 s apart.
  assert.deepEqual(
    at.slice(0, 5),
    [0, 100, 1100, 2100, 3100].slice(0, 5).filter((t) => t <= clock.now()),
  );
  healthy = false;
  const before = at.length;
  await tick(1500);
  // First failure at the next interval, then two more 100 ms apart → down (fall 3).
  const failAt = at[before]!;
  assert.deepEqual(changes.at(-1), `${failAt + 200}:down`);
  assert.equal(at[before + 1], failAt + 100);
  assert.equal(at[before + 2], failAt + 200);
  m.stop();
  const n = at.length;
  await tick(5000);
  assert.equal(at.length, n, 'no check after stop');
  assert.equal(clock.waiting, 0);
});
