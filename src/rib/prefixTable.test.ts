// PrefixTable (ADR 0005, amended: typed arrays, pooled values) against a plain Map model:
// random insert/update/delete sequences, arrival order, size, re-insertion at the end,
// iterators that run while the table changes (growth and compaction included), and value
// references (shared objects, per-prefix arrays, primitives).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatPrefix, parsePrefix, v4Prefix, v6Prefix, type Prefix } from '../bgp/wire/index.js';
import { PrefixTable } from './prefixTable.js';

type Val = { readonly tag: string } | readonly number[] | number | null | true;

/** The model: Map keeps insertion order; IPv4 first, then IPv6, as PrefixTable documents. */
class Model {
  readonly v4 = new Map<string, [Prefix, Val]>();
  readonly v6 = new Map<string, [Prefix, Val]>();
  private m(p: Prefix) {
    return p.afi === 1 ? this.v4 : this.v6;
  }
  set(p: Prefix, v: Val) {
    this.m(p).set(formatPrefix(p), [p, v]);
  }
  delete(p: Prefix) {
    return this.m(p).delete(formatPrefix(p));
  }
  get(p: Prefix) {
    return this.m(p).get(formatPrefix(p))?.[1];
  }
  entries(): [string, Val][] {
    return [...this.v4.values(), ...this.v6.values()].map(([p, v]) => [formatPrefix(p), v]);
  }
  get size() {
    return this.v4.size + this.v6.size;
  }
}

const shared = [{ tag: 'a' }, { tag: 'b' }, { tag: 'c' }];
/** A small key space (so that keys collide, are deleted and come back), every length, both families. */
const key: fc.Arbitrary<Prefix> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 32 }))
      .map(([i, l]) => v4Prefix(((i * 0x10101011) ^ (l << 3)) >>> 0, l)),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 3 }).map((i) => v6Prefix((0x20010db8n << 96n) | (BigInt(i) << 64n), 64)),
  },
);
const value: fc.Arbitrary<Val> = fc.oneof(
  fc.constantFrom<Val>(...shared),
  fc.integer({ min: 0, max: 3 }).map((n): Val => [n, n + 1]), // a fresh array each time
  fc.constantFrom<Val>(1, 2, null, true),
);
type Op = { op: 'set' | 'add'; p: Prefix; v: Val } | { op: 'delete' | 'get'; p: Prefix } | { op: 'clear' };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 120, arbitrary: fc.record({ op: fc.constant('set' as const), p: key, v: value }) },
  { weight: 60, arbitrary: fc.record({ op: fc.constant('add' as const), p: key, v: value }) },
  { weight: 80, arbitrary: fc.record({ op: fc.constant('delete' as const), p: key }) },
  { weight: 40, arbitrary: fc.record({ op: fc.constant('get' as const), p: key }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

function apply(t: PrefixTable<Val>, m: Model, o: Op): void {
  switch (o.op) {
    case 'set':
      t.set(o.p, o.v);
      m.set(o.p, o.v);
      break;
    case 'add': {
      // addV4 / set-if-absent: one probe, true when added.
      const absent = m.get(o.p) === undefined && !(o.p.afi === 1 ? m.v4 : m.v6).has(formatPrefix(o.p));
      if (o.p.afi === 1) assert.equal(t.addV4(o.p.addr, o.p.len, o.v), absent);
      else if (absent) t.set(o.p, o.v);
      if (absent) m.set(o.p, o.v);
      break;
    }
    case 'delete':
      assert.equal(t.delete(o.p), m.delete(o.p));
      break;
    case 'get':
      assert.equal(t.get(o.p), m.get(o.p));
      assert.equal(t.has(o.p), (o.p.afi === 1 ? m.v4 : m.v6).has(formatPrefix(o.p)));
      break;
    case 'clear':
      t.clear();
      m.v4.clear();
      m.v6.clear();
      break;
  }
}

function same(t: PrefixTable<Val>, m: Model): void {
  assert.equal(t.size, m.size);
  assert.deepEqual(
    [...t.entries()].map(([p, v]) => [formatPrefix(p), v]),
    m.entries(),
  );
  const vals = [...t.values()];
  const want = m.entries().map(([, v]) => v);
  assert.equal(vals.length, want.length);
  vals.forEach((v, i) => assert.equal(v, want[i])); // the very objects, not copies
  for (const [k, v] of m.entries()) assert.equal(t.get(parsePrefix(k)!), v);
}

test('PrefixTable behaves as a Map: random set/add/delete/get/clear sequences (property)', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
      const t = new PrefixTable<Val>();
      const m = new Model();
      for (const o of ops) apply(t, m, o);
      same(t, m);
    }),
    { numRuns: 400 },
  );
});

test('PrefixTable: setting an existing prefix keeps its place; deleted and set again, it goes to the end', () => {
  const t = new PrefixTable<number>();
  const ps = ['10.0.0.0/8', '10.1.0.0/16', '1.2.3.4/32', '0.0.0.0/0', '10.1.2.0/24'].map((s) => parsePrefix(s)!);
  ps.forEach((p, i) => t.set(p, i));
  t.set(ps[1]!, 42);
  assert.ok(t.delete(ps[0]!));
  assert.ok(!t.delete(ps[0]!));
  t.set(ps[0]!, 7);
  assert.deepEqual(
    [...t].map(([p, v]) => `${formatPrefix(p)}=${v}`),
    ['10.1.0.0/16=42', '1.2.3.4/32=2', '0.0.0.0/0=3', '10.1.2.0/24=4', '10.0.0.0/8=7'],
  );
  assert.equal(t.size, 5);
  // /31 and /32 at the top of the address space (keys beyond 2^31) and /0.
  const top = [v4Prefix(0xffffffff, 32), v4Prefix(0xfffffffe, 31), v4Prefix(0x80000000, 1)];
  for (const p of top) t.set(p, 9);
  for (const p of top) assert.equal(t.get(p), 9);
  assert.equal(t.getV4(0xffffffff, 32), 9);
  assert.equal(t.getV4(0xffffffff | 0, 32), 9, 'int32 and uint32 spellings of an address are the same key');
});

test('PrefixTable at scale: 60,000 prefixes in, most out, in again, against a Map (growth, compaction, shrinking)', () => {
  const t = new PrefixTable<Val>();
  const m = new Model();
  let seed = 12345;
  const rnd = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const keys: Prefix[] = [];
  for (let i = 0; i < 60_000; i++) keys.push(v4Prefix((0x0b000000 + i * 256) >>> 0, 24));
  for (let i = 0; i < 2_000; i++) keys.push(v4Prefix((rnd(0xffffffff) * 7) >>> 0, rnd(33)));
  for (const p of keys) apply(t, m, { op: 'add', p, v: shared[rnd(3)]! });
  same(t, m);
  for (const p of keys) if (rnd(10) < 9) apply(t, m, { op: 'delete', p });
  same(t, m);
  for (let i = 0; i < keys.length; i += 3) apply(t, m, { op: 'set', p: keys[i]!, v: [i] });
  same(t, m);
  for (const p of keys) apply(t, m, { op: 'delete', p });
  same(t, m);
  assert.equal(t.size, 0);
});

test('PrefixTable iterators see what a Map iterator sees while the table changes (property)', () => {
  // Both iterators advance in step; after each step the same random change is made to both.
  // Map semantics: entries added later are visited, deleted ones are not, even across compaction.
  const v4key = fc
    .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 16, max: 32 }))
    .map(([i, l]) => v4Prefix((i << 20) >>> 0, l));
  const change = fc.oneof(
    fc.record({ op: fc.constant('set' as const), p: v4key, v: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ op: fc.constant('delete' as const), p: v4key }),
    fc.record({ op: fc.constant('burst' as const), n: fc.integer({ min: 1, max: 60 }) }),
  );
  fc.assert(
    fc.property(fc.array(v4key, { maxLength: 40 }), fc.array(change, { maxLength: 80 }), (initial, changes) => {
      const t = new PrefixTable<number>();
      const m = new Map<string, number>();
      initial.forEach((p, i) => {
        t.set(p, i);
        m.set(formatPrefix(p), i);
      });
      const it = t.entries();
      const im = m.entries();
      let burst = 0;
      for (let step = 0; ; step++) {
        const a = it.next();
        const b = im.next();
        assert.equal(a.done, b.done);
        if (a.done || b.done) break;
        assert.deepEqual([formatPrefix(a.value[0]), a.value[1]], b.value);
        const c = changes[step];
        if (!c) continue;
        if (c.op === 'set') {
          t.set(c.p, c.v);
          m.set(formatPrefix(c.p), c.v);
        } else if (c.op === 'delete') {
          assert.equal(t.delete(c.p), m.delete(formatPrefix(c.p)));
        } else {
          // Many adds and deletes of other prefixes: fills the entry arrays with holes and forces compaction.
          for (let i = 0; i < c.n; i++) {
            const p = v4Prefix((0xc0000000 + burst++ * 256) >>> 0, 24);
            t.set(p, -1);
            m.set(formatPrefix(p), -1);
            if (i % 4 !== 0) {
              t.delete(p);
              m.delete(formatPrefix(p));
            }
          }
        }
      }
      assert.deepEqual(
        [...t].map(([p, v]) => [formatPrefix(p), v]),
        [...m],
      );
    }),
    { numRuns: 300 },
  );
});

test('PrefixTable releases values it no longer holds (nothing kept alive by the pool)', async () => {
  const t = new PrefixTable<object>();
  let ref: WeakRef<object>;
  (() => {
    const v = { big: new Array(1000).fill(1) };
    ref = new WeakRef(v);
    for (let i = 0; i < 100; i++) t.set(v4Prefix(i << 8, 24), v);
    for (let i = 0; i < 100; i++) t.delete(v4Prefix(i << 8, 24));
  })();
  t.set(v4Prefix(0, 8), {}); // the last-value cache moves on too
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return; // run with --expose-gc to check collection; the bookkeeping is checked below anyway
  await new Promise((r) => setTimeout(r, 0));
  gc();
  assert.equal(ref!.deref(), undefined);
});
