/**
 * The Clock contract, run against both implementations (hono's shared-case pattern): the
 * virtual clock steps, the real one waits a few milliseconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock, type Clock } from '../../bgp/clock.js';
import { VirtualClock } from './virtual.js';

function cases(name: string, make: () => Clock, wait: (c: Clock, ms: number) => Promise<void>) {
  test(`${name}: timers fire in due order, cleared ones never`, async () => {
    const c = make();
    const fired: string[] = [];
    c.setTimer(30, () => fired.push('b'));
    c.setTimer(10, () => fired.push('a'));
    const h = c.setTimer(20, () => fired.push('x'));
    c.clearTimer(h);
    await wait(c, 60);
    assert.deepEqual(fired, ['a', 'b']);
  });
  test(`${name}: now() is monotonic and moves with time`, async () => {
    const c = make();
    const t0 = c.now();
    await wait(c, 15);
    assert.ok(c.now() - t0 >= 14);
  });
}

cases(
  'RealClock',
  () => new RealClock(),
  (_c, ms) => new Promise((r) => setTimeout(r, ms)),
);
cases(
  'VirtualClock',
  () => new VirtualClock(),
  async (c, ms) => (c as VirtualClock).advance(ms),
);

test('VirtualClock: a timer set by a firing timer fires in the same advance when due', () => {
  const c = new VirtualClock();
  const at: number[] = [];
  c.setTimer(100, () => {
    at.push(c.now());
    c.setTimer(50, () => at.push(c.now()));
  });
  c.advance(200);
  assert.deepEqual(at, [100, 150]);
  assert.equal(c.now(), 200);
});
