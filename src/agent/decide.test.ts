/** What each VIP announces: watcher order, failback, drains, per-backend actions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAgentConfigText, type VipConfig } from './config.js';
import { decideVip } from './decide.js';
import type { HealthState } from './health.js';

function vip(extra: string, pattern = 'watcher'): VipConfig {
  const body =
    pattern === 'watcher'
      ? `    pattern: watcher\n${extra}    backends:\n      - { name: a, nextHop: 10.0.0.4, check: { type: command, command: 'true' } }\n      - { name: b, nextHop: 10.0.0.5, check: { type: command, command: 'true' } }\n      - { name: c, nextHop: 10.0.0.6, check: { type: command, command: 'true' } }\n`
      : `    pattern: per-backend\n    backend: { name: a, nextHop: 10.0.0.4, check: { type: command, command: 'true' } }\n${extra}`;
  const r = loadAgentConfigText(
    `asn: 65001\nrouterId: 10.0.0.7\nlocalAddress: 10.0.0.7\nneighbors: [ { address: 10.0.1.4 }, { address: 10.0.1.5 } ]\nvips:\n  - prefix: 100.64.0.1/32\n${body}`,
    't.yaml',
  );
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  return r.config.vips[0]!;
}

const h = (a: HealthState, b: HealthState, c: HealthState = 'down') =>
  new Map<string, HealthState>([
    ['a', a],
    ['b', b],
    ['c', c],
  ]);
const none = new Set<string>();

test('watcher: first healthy backend in order; none → withdraw', () => {
  const v = vip('');
  assert.equal(decideVip(v, { health: h('up', 'up'), drainedBackends: none, vipDrained: false })?.nextHop, '10.0.0.4');
  assert.equal(
    decideVip(v, { health: h('down', 'up'), drainedBackends: none, vipDrained: false })?.nextHop,
    '10.0.0.5',
  );
  assert.equal(
    decideVip(v, { health: h('down', 'down', 'up'), drainedBackends: none, vipDrained: false })?.nextHop,
    '10.0.0.6',
  );
  assert.equal(decideVip(v, { health: h('down', 'down'), drainedBackends: none, vipDrained: false }), undefined);
});

test('watcher failback true moves back; failback false stays on the current healthy backend', () => {
  const back = vip('    failback: true\n');
  const stay = vip('    failback: false\n');
  const inputs = { health: h('up', 'up'), drainedBackends: none, vipDrained: false, current: 'b' };
  assert.equal(decideVip(back, inputs)?.backend, 'a');
  assert.equal(decideVip(stay, inputs)?.backend, 'b');
  // The current one fails: move on in order even without failback.
  assert.equal(decideVip(stay, { ...inputs, health: h('up', 'down') })?.backend, 'a');
});

test('drains: a drained backend is skipped; a drained VIP is withdrawn', () => {
  const v = vip('');
  assert.equal(
    decideVip(v, { health: h('up', 'up'), drainedBackends: new Set(['a']), vipDrained: false })?.backend,
    'b',
  );
  assert.equal(decideVip(v, { health: h('up', 'up'), drainedBackends: none, vipDrained: true }), undefined);
});

test('per-backend: healthy → itself; unhealthy → withdraw, prepend N, or MED; unknown → nothing', () => {
  const w = vip('    unhealthy: { action: withdraw }\n', 'per-backend');
  const p = vip('    unhealthy: { action: prepend, prependCount: 3 }\n', 'per-backend');
  const m = vip('    unhealthy: { action: med, med: 500 }\n', 'per-backend');
  const up = { health: h('up', 'down'), drainedBackends: none, vipDrained: false };
  const down = { ...up, health: h('down', 'down') };
  assert.deepEqual(decideVip(w, up), { nextHop: '10.0.0.4', backend: 'a', prepend: 0 });
  assert.deepEqual(decideVip(p, up), { nextHop: '10.0.0.4', backend: 'a', prepend: 0 });
  assert.equal(decideVip(w, down), undefined);
  assert.deepEqual(decideVip(p, down), { nextHop: '10.0.0.4', backend: 'a', prepend: 3 });
  assert.deepEqual(decideVip(m, down), { nextHop: '10.0.0.4', backend: 'a', prepend: 0, med: 500 });
  assert.equal(decideVip(p, { ...up, health: h('unknown', 'down') }), undefined);
  // A drained backend counts as unhealthy: prepended, so traffic drains to the other.
  assert.deepEqual(decideVip(p, { ...up, drainedBackends: new Set(['a']) }), {
    nextHop: '10.0.0.4',
    backend: 'a',
    prepend: 3,
  });
  assert.equal(decideVip(p, { ...up, vipDrained: true }), undefined);
});

test('watcher at start: a preferred backend still unknown holds the first announcement back', () => {
  const stay = vip('    failback: false\n');
  const start = { health: h('unknown', 'up'), drainedBackends: none, vipDrained: false };
  assert.equal(decideVip(stay, start), undefined, 'wait for a, which is preferred');
  assert.equal(decideVip(stay, { ...start, health: h('up', 'up') })?.backend, 'a');
  assert.equal(decideVip(stay, { ...start, health: h('down', 'up') })?.backend, 'b');
  // Drained while unknown: no reason to wait for it.
  assert.equal(decideVip(stay, { ...start, drainedBackends: new Set(['a']) })?.backend, 'b');
  // Once something is announced, an unknown backend holds nothing back.
  assert.equal(decideVip(stay, { ...start, current: 'b' })?.backend, 'b');
  // A later unknown backend does not hold back an earlier healthy one.
  assert.equal(decideVip(stay, { ...start, health: h('up', 'unknown') })?.backend, 'a');
});
