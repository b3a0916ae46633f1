import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../bgp/clock.js';
import { EventLog } from './events.js';

test('the event ring keeps the last `capacity` events in order, and since() returns those after a seq', () => {
  const log = new EventLog(realClock, 5);
  assert.deepEqual(log.since(0), []);
  for (let i = 1; i <= 12; i++) log.emit('lab', 'x', `e${i}`);
  assert.deepEqual(
    log.since(0).map((e) => e.message),
    ['e8', 'e9', 'e10', 'e11', 'e12'],
  );
  assert.deepEqual(
    log.since(10).map((e) => e.seq),
    [11, 12],
  );
  assert.deepEqual(log.since(12), []);
  assert.deepEqual(
    log.since(-3).map((e) => e.seq),
    [8, 9, 10, 11, 12],
  );
  assert.deepEqual(log.since(Number.NaN), []);
  const few = new EventLog(realClock, 5);
  few.emit('lab', 'x', 'a');
  few.emit('lab', 'x', 'b');
  assert.deepEqual(
    few.since(0).map((e) => e.message),
    ['a', 'b'],
  );
});
