import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, parsePrefix } from '../bgp/wire/index.js';
import { internAttrs, newRouteSource, Speaker, type SpeakerPolicy } from '../rib/index.js';
import { VirtualClock } from './clock/virtual.js';
import { DeliveryQueue, InProcessSession, PREFIX_LIMIT_RECHECK_SECONDS } from './inprocess.js';

const passAll: SpeakerPolicy = {
  bestPath: { steps: ['as-path-length'], maxPaths: 1 },
  import: () => ({ accept: true }),
  export: (_to, path) => path.attrs,
};

function pair(
  timers: { holdTime: number; keepaliveTime: number; bfd?: { intervalMs: number; multiplier: number } },
  maxPrefixes?: number,
) {
  const clock = new VirtualClock();
  const queue = new DeliveryQueue();
  const a = new Speaker('A', 65515, 1, passAll);
  const b = new Speaker('B', 12076, 2, passAll);
  const s = new InProcessSession(
    'A<->B',
    { speaker: a, peer: newRouteSource({ name: 'B', address: '10.0.0.2', asn: 12076, kind: 'ebgp', routerId: 2 }) },
    {
      speaker: b,
      peer: newRouteSource({ name: 'A', address: '10.0.0.1', asn: 65515, kind: 'ebgp', routerId: 1 }),
      ...(maxPrefixes
        ? { prefixLimit: { max: maxPrefixes, counting: 'prefixes-held' as const, rule: 'R-ER-8', what: 'test routes' } }
        : {}),
    },
    { clock, queue, timers },
  );
  return { clock, queue, a, b, s };
}

const has = (sp: Speaker, p: string) => [...sp.locRib()].some((e) => formatPrefix(e.prefix) === p);

test('opening a session exchanges both tables, in order, through the delivery queue', async () => {
  const { queue, a, b, s } = pair({ holdTime: 180, keepaliveTime: 60 });
  a.originate(parsePrefix('10.1.0.0/16')!, internAttrs({ origin: 0, asPath: [], nextHop: '10.0.0.1' }));
  b.originate(parsePrefix('1.2.3.0/24')!, internAttrs({ origin: 2, asPath: [], nextHop: '10.0.0.2' }));
  s.open();
  assert.ok(!has(b, '10.1.0.0/16'), 'nothing crosses before the queue runs');
  await queue.settled();
  assert.ok(has(b, '10.1.0.0/16'));
  assert.ok(has(a, '1.2.3.0/24'));
  assert.equal(s.view(0).routesReceived, 1);
  assert.equal(s.view(0).state, 'Established');
});

test('a cut link is noticed after BFD detection (300 ms × 3), then routes are flushed', async () => {
  const { clock, queue, a, b, s } = pair({ holdTime: 180, keepaliveTime: 60, bfd: { intervalMs: 300, multiplier: 3 } });
  b.originate(parsePrefix('1.2.3.0/24')!, internAttrs({ origin: 2, asPath: [], nextHop: '10.0.0.2' }));
  s.open();
  await queue.settled();
  s.cut();
  clock.advance(899);
  assert.ok(has(a, '1.2.3.0/24'), 'still held before detection');
  clock.advance(1);
  assert.ok(!has(a, '1.2.3.0/24'), 'flushed at 900 ms');
  assert.equal(s.state, 'Idle');
  // Nothing sent while cut or down reaches the other side.
  b.originate(parsePrefix('5.5.5.0/24')!, internAttrs({ origin: 2, asPath: [], nextHop: '10.0.0.2' }));
  await queue.settled();
  assert.ok(!has(a, '5.5.5.0/24'));
  s.open();
  await queue.settled();
  assert.ok(has(a, '5.5.5.0/24') && has(a, '1.2.3.0/24'), 'restored: full re-advertisement');
});

test('without BFD a cut waits for the hold timer (180 s)', async () => {
  const { clock, queue, a, b, s } = pair({ holdTime: 180, keepaliveTime: 60 });
  b.originate(parsePrefix('1.2.3.0/24')!, internAttrs({ origin: 2, asPath: [], nextHop: '10.0.0.2' }));
  s.open();
  await queue.settled();
  s.cut();
  clock.advance(179_999);
  assert.ok(has(a, '1.2.3.0/24'));
  clock.advance(1);
  assert.ok(!has(a, '1.2.3.0/24'));
});

test('close (with NOTIFICATION) flushes both sides at once', async () => {
  const { queue, a, b, s } = pair({ holdTime: 180, keepaliveTime: 60 });
  a.originate(parsePrefix('10.1.0.0/16')!, internAttrs({ origin: 0, asPath: [], nextHop: '10.0.0.1' }));
  s.open();
  await queue.settled();
  s.close('test', true);
  assert.ok(!has(b, '10.1.0.0/16'));
  assert.equal(s.state, 'AdminDown');
});

test('a prefix limit closes the session; it comes back at the first look after the sender is within it (R-ER-8)', async () => {
  const { clock, queue, a, b, s } = pair({ holdTime: 180, keepaliveTime: 60 }, 2);
  for (const p of ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'])
    a.originate(parsePrefix(p)!, internAttrs({ origin: 0, asPath: [], nextHop: '10.0.0.1' }));
  s.open();
  await queue.settled();
  assert.equal(s.state, 'Idle');
  assert.ok(!has(b, '10.1.0.0/16'));
  clock.advance(60_000);
  await queue.settled();
  assert.equal(s.state, 'Idle', 'still over the limit: no retry, no flap');
  a.withdrawLocal(parsePrefix('10.3.0.0/16')!);
  clock.advance(PREFIX_LIMIT_RECHECK_SECONDS * 1000);
  await queue.settled();
  assert.equal(s.state, 'Established');
  assert.ok(has(b, '10.1.0.0/16') && has(b, '10.2.0.0/16'));
});

test('a delivery loop that never ends still lets timers run (the queue yields after its budget), in posting order', async () => {
  const queue = new DeliveryQueue(1000);
  const order: number[] = [];
  let n = 0;
  let looping = true;
  const loop = () => {
    order.push(n++);
    if (looping) queue.post(loop);
  };
  queue.post(loop);
  await new Promise<void>((resolve) => setTimeout(resolve, 20)); // never fires if the drain does not yield
  looping = false;
  await queue.settled();
  assert.ok(n > 1000, `the loop ran across turns (${n} deliveries)`);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
});
