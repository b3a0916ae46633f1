/**
 * Best-path ranking against RFC 4271 §9.1.2.2's procedure, whatever the arrival order.
 * The expected winners are derived by hand from the RFC's steps, in each test's comment.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { internAttrs } from './attrs.js';
import { type BestPathConfig, rank } from './bestPath.js';
import { internPath, newRouteSource, type Path } from './path.js';

// The built-in routers' ladder (src/lab/hybrid.ts): MED between local-pref/origin and router id.
const CONFIG: BestPathConfig = {
  steps: ['local-pref', 'as-path-length', 'origin', 'med', 'router-id', 'neighbor-address'],
  maxPaths: 1,
};

function path(name: string, asn: number, med: number | undefined, routerId: number): Path {
  const source = newRouteSource({ kind: 'ebgp', name, address: `192.0.2.${routerId}`, asn, routerId });
  return internPath(
    source,
    internAttrs({
      origin: 0,
      asPath: [{ type: 2, asns: [asn] }],
      nextHop: `192.0.2.${routerId}`,
      ...(med !== undefined ? { med } : {}),
    }),
  );
}

const permutations = <T>(xs: readonly T[]): T[][] =>
  xs.length <= 1
    ? [xs.slice()]
    : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

test('§9.1.2.2 (c): MED compares only paths of one neighbouring AS, and the winner does not depend on arrival order', () => {
  // A and C come from AS 65001, B from AS 65002; all tie before MED. The MED step removes A
  // (10 > C's 5) and keeps B (no other path of AS 65002). Between B and C the next step is the
  // router id: B's 2 < C's 3, so B wins. Pairwise sorting could put A first (A < B on router
  // id, B and A not MED-comparable) or C first, depending on the order the paths arrived in.
  const a = path('a', 65001, 10, 1);
  const b = path('b', 65002, undefined, 2);
  const c = path('c', 65001, 5, 3);
  for (const order of permutations([a, b, c])) {
    const ranked = rank(order, CONFIG);
    assert.equal(ranked[0], b, `arrival order ${order.map((p) => p.source.name).join(',')}`);
    // Then among A and C: the MED step removes A (same neighbouring AS, higher MED).
    assert.deepEqual(
      ranked.map((p) => p.source.name),
      ['b', 'c', 'a'],
    );
  }
});

test('property: the ranking of any candidate set is the same whatever the arrival order', () => {
  const arb = fc.uniqueArray(
    fc.record({
      asn: fc.constantFrom(65001, 65002, 65003),
      med: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      routerId: fc.integer({ min: 1, max: 250 }),
    }),
    { minLength: 1, maxLength: 7, selector: (r) => r.routerId },
  );
  fc.assert(
    fc.property(arb, fc.infiniteStream(fc.nat()), (specs, seeds) => {
      const paths = specs.map((s, i) => path(`p${i}`, s.asn, s.med, s.routerId));
      const expected = rank(paths, CONFIG).map((p) => p.source.name);
      const shuffled = paths.slice();
      const it = seeds[Symbol.iterator]();
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = it.next().value! % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      assert.deepEqual(
        rank(shuffled, CONFIG).map((p) => p.source.name),
        expected,
      );
    }),
  );
});
