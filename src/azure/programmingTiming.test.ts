/**
 * The fabric's programming timing (R-TIME-1, R-TIME-2), pure. Expected times are derived
 * from the published figures the profile cites: a single change reaches NICs 0.9–5.4 s after
 * it happens (the seed-000 author's single-UPDATE failover band); one prefix is programmed
 * at most once per 30 s ("routes can only be updated once every 30 seconds"), so a withdraw
 * followed by an announce leaves the prefix without a route for 30 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { programmingSlot, seededUniform, TIMING_PROFILES, type PrefixProgramming } from './programmingTiming.js';

const azure = TIMING_PROFILES.azure;
const ideal = TIMING_PROFILES.ideal;
/** A prefix first programmed at the lab's start and left alone since. */
const settled: PrefixProgramming = { lastAt: 0 };

test('R-TIME-1: a single change reaches NICs within the measured 0.9–5.4 s', () => {
  const t = 120_000;
  assert.equal(programmingSlot(azure, settled, t, 0).at, t + 900);
  assert.equal(programmingSlot(azure, settled, t, 0.5).at, t + 3150);
  assert.ok(programmingSlot(azure, settled, t, 0.999999).at <= t + 5400);
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u) => {
      const s = programmingSlot(azure, settled, t, u);
      return s.at >= t + 900 && s.at <= t + 5400 && !s.dampened && !s.joined;
    }),
  );
  // A prefix never programmed before takes its own delay too.
  assert.equal(programmingSlot(azure, {}, 10, 0).at, 910);
});

test('R-TIME-2: withdraw then announce — the announce waits 30 s after the withdraw is programmed', () => {
  const t0 = 120_000;
  const withdraw = programmingSlot(azure, settled, t0, 0.5);
  assert.deepEqual([withdraw.at, withdraw.dampened], [t0 + 3150, false]);
  // A daemon restarted with a new configuration announces 6 s later: the withdraw has been
  // programmed (at most 5.4 s after it), so the announce is a second programming.
  const announce = programmingSlot(azure, withdraw.next, t0 + 6000, 0.1);
  assert.equal(announce.at, withdraw.at + 30_000);
  assert.equal(announce.dampened, true);
  // The prefix is unreachable from withdraw.at to announce.at: 30 s.
  assert.equal(announce.at - withdraw.at, 30_000);
  // A third change while the announce is held back joins its slot (the latest state wins).
  const third = programmingSlot(azure, announce.next, t0 + 10_000, 0.9);
  assert.deepEqual([third.at, third.joined], [announce.at, true]);
  // After the held-back slot, a change more than 30 s later takes only its own delay again.
  const later = programmingSlot(azure, third.next, announce.at + 40_000, 0);
  assert.deepEqual([later.at, later.dampened], [announce.at + 40_000 + 900, false]);
});

test('a change before the previous one reached the NICs joins it: one programming, the latest state', () => {
  const t0 = 120_000;
  // Route-server instance IN_0 changes, IN_1 3 ms later: one failover, one programming.
  const in0 = programmingSlot(azure, settled, t0, 0.5);
  const in1 = programmingSlot(azure, in0.next, t0 + 3, 0.2);
  assert.deepEqual([in1.at, in1.joined, in1.dampened], [in0.at, true, false]);
  // An announce 1 s after a withdraw that has not been programmed yet (3.15 s): no outage.
  const announce = programmingSlot(azure, in0.next, t0 + 1000, 0.9);
  assert.equal(announce.at, in0.at);
});

test('R-TIME-2: a change soon after a programmed one is held to the end of the 30-s window', () => {
  const first = programmingSlot(azure, settled, 50_000, 0);
  const second = programmingSlot(azure, first.next, first.at + 10_000, 0);
  assert.equal(second.at, first.at + 30_000);
  // 30 s or more after the last programming: not held back.
  const free = programmingSlot(azure, first.next, first.at + 29_500, 0);
  assert.equal(free.at, first.at + 30_400);
  assert.equal(free.dampened, false);
});

test('ideal: every change is programmed at once, however often it changes', () => {
  let state: PrefixProgramming = {};
  for (const t of [0, 1, 2, 5, 5, 1000]) {
    const s = programmingSlot(ideal, state, t, 0.7);
    assert.equal(s.at, t);
    assert.equal(s.dampened, false);
    state = s.next;
  }
});

test('seeded draws: the same seed gives the same delays, another seed others', () => {
  const a = seededUniform(7);
  const b = seededUniform(7);
  const c = seededUniform(8);
  const xs = Array.from({ length: 50 }, () => a());
  assert.deepEqual(
    xs,
    Array.from({ length: 50 }, () => b()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 50 }, () => c()),
  );
  for (const x of xs) assert.ok(x >= 0 && x < 1);
  // Spread over the band, not stuck at one end.
  assert.ok(Math.min(...xs) < 0.2 && Math.max(...xs) > 0.8);
});
