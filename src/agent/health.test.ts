/** The health state machine: rise/fall counting, pending changes and the fast interval. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialHealth, nextDelay, pending, stepHealth, type Health, type HealthParams } from './health.js';

const P: HealthParams = { rise: 3, fall: 2, interval: 1000, fastInterval: 200 };
const ok = { ok: true, detail: 'HTTP 200', durationMs: 1 };
const bad = { ok: false, detail: 'ECONNREFUSED', durationMs: 1 };

function run(results: boolean[], p = P, h: Health = initialHealth): { h: Health; changes: string[] } {
  const changes: string[] = [];
  for (const r of results) {
    const s = stepHealth(h, r ? ok : bad, p);
    h = s.health;
    if (s.changed) changes.push(`${s.changed.from}->${s.changed.to}`);
  }
  return { h, changes };
}

test('unknown_rise-successes_up', () => {
  const { h, changes } = run([true, true]);
  assert.equal(h.state, 'unknown');
  assert.equal(h.successes, 2);
  const r = run([true, true, true]);
  assert.equal(r.h.state, 'up');
  assert.deepEqual(r.changes, ['unknown->up']);
  assert.equal(r.h.transitions, 1);
  assert.equal(changes.length, 0);
});

test('unknown_fall-failures_down', () => {
  const r = run([false, false]);
  assert.equal(r.h.state, 'down');
  assert.deepEqual(r.changes, ['unknown->down']);
});

test('up_one-failure_stays-up-pending; up_fall-failures_down', () => {
  const up = run([true, true, true]).h;
  const one = run([false], P, up).h;
  assert.equal(one.state, 'up');
  assert.equal(one.failures, 1);
  assert.ok(pending(one));
  assert.equal(nextDelay(one, P), 200, 'fast interval while the change is pending');
  const two = run([false, false], P, up);
  assert.equal(two.h.state, 'down');
  assert.deepEqual(two.changes, ['up->down']);
  assert.ok(!pending(two.h));
  assert.equal(nextDelay(two.h, P), 1000, 'normal interval once settled');
});

test('up_failure-then-success_resets-the-count (no flap)', () => {
  const up = run([true, true, true]).h;
  const r = run([false, true, false, true, false, true], P, up);
  assert.equal(r.h.state, 'up');
  assert.deepEqual(r.changes, []);
  assert.equal(r.h.failures, 0);
  assert.ok(!pending(r.h));
});

test('down_rise-successes_up, interrupted rises start over', () => {
  const down = run([false, false]).h;
  const r = run([true, true, false, true, true], P, down);
  assert.equal(r.h.state, 'down');
  assert.equal(r.h.successes, 2);
  const r2 = run([true], P, r.h);
  assert.equal(r2.h.state, 'up');
  assert.deepEqual(r2.changes, ['down->up']);
});

test('rise 1 / fall 1 follow every result; no fastInterval → always interval', () => {
  const p = { rise: 1, fall: 1, interval: 500 };
  const r = run([true, false, true, true, false], p);
  assert.deepEqual(r.changes, ['unknown->up', 'up->down', 'down->up', 'up->down']);
  assert.equal(nextDelay(initialHealth, p), 500);
  assert.equal(nextDelay(initialHealth, P), 200, 'unknown is pending');
});

test('resultFlipped marks only changes of the raw result', () => {
  let h = initialHealth;
  const flips: boolean[] = [];
  for (const x of [true, true, false, false, true]) {
    const s = stepHealth(h, x ? ok : bad, P);
    flips.push(s.resultFlipped);
    h = s.health;
  }
  assert.deepEqual(flips, [true, false, true, false, true]);
});
