import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatPrefix, parsePrefix } from '../../bgp/wire/index.js';
import { internAttrs, type RouteAttrs } from '../../rib/index.js';
import { ReceivedRoutes } from './speaker.js';

const PREFIXES = ['11.0.0.0/24', '11.0.1.0/24', '11.0.2.0/24', '12.0.0.0/16', '0.0.0.0/0', '10.198.0.0/16'];
const ATTRS: RouteAttrs[] = [
  internAttrs({ origin: 0, asPath: [{ type: 2, asns: [65515, 65001] }], nextHop: '10.198.0.4' }),
  internAttrs({ origin: 0, asPath: [{ type: 2, asns: [65515, 65001] }], nextHop: '10.198.0.5' }),
  internAttrs({ origin: 2, asPath: [{ type: 2, asns: [65515, 65002, 65002] }], nextHop: '10.198.0.4' }),
];

test('ReceivedRoutes holds per session what a map per session would, in arrival order', () => {
  // The reference: one Map (prefix → attributes per slot) with Map's order; an entry goes
  // when no session holds the prefix any more, and comes back at the end.
  const op = fc.record({
    slot: fc.integer({ min: 0, max: 1 }),
    prefix: fc.constantFrom(...PREFIXES),
    attrs: fc.option(fc.constantFrom(...ATTRS), { nil: undefined }),
  });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const store = new ReceivedRoutes(2);
      const ref = new Map<string, (RouteAttrs | undefined)[]>();
      for (const o of ops) {
        store.set(o.slot, parsePrefix(o.prefix)!, o.attrs);
        const cur = ref.get(o.prefix) ?? [undefined, undefined];
        const next = cur.map((a, i) => (i === o.slot ? o.attrs : a));
        if (next.every((a) => a === undefined)) ref.delete(o.prefix);
        else if (ref.has(o.prefix)) ref.set(o.prefix, next);
        else ref.set(o.prefix, next);
      }
      for (const slot of [0, 1]) {
        const got = [...store.of(slot)].map((x) => [formatPrefix(x.prefix), x.attrs]);
        const want = [...ref].filter(([, a]) => a[slot] !== undefined).map(([p, a]) => [p, a[slot]]);
        assert.deepEqual(got, want);
        assert.equal(store.heldBy(slot), want.length);
      }
      assert.equal(store.size, ref.size);
    }),
    { numRuns: 500 },
  );
});

test('ReceivedRoutes keeps no object per route: prefixes with the same attributes per session share one entry value', () => {
  const store = new ReceivedRoutes(2);
  const prefixes = Array.from({ length: 1000 }, (_, i) => parsePrefix(`11.${i >> 8}.${i & 255}.0/24`)!);
  for (const p of prefixes) store.set(0, p, ATTRS[0]);
  for (const p of prefixes) store.set(1, p, ATTRS[1]);
  const values = new Set(prefixes.map((p) => store.get(p)));
  assert.equal(values.size, 1);
  assert.deepEqual([...values][0], [ATTRS[0], ATTRS[1]]);
  // A session going down leaves the other's routes.
  store.clear(0);
  assert.deepEqual(
    [...store.of(1)].map((x) => x.attrs),
    prefixes.map(() => ATTRS[1]),
  );
  assert.equal([...store.of(0)].length, 0);
});
