import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatPrefix, parsePrefix, prefixContains, v4Prefix } from '../bgp/wire/index.js';
import { PrefixTrie } from './trie.js';
import { PrefixTable } from './prefixTable.js';

test('longest match picks the most specific covering prefix', () => {
  const t = new PrefixTrie<string>();
  t.set(parsePrefix('0.0.0.0/0')!, 'default');
  t.set(parsePrefix('10.0.0.0/8')!, 'ten');
  t.set(parsePrefix('10.10.0.0/16')!, 'vnet');
  t.set(parsePrefix('100.64.0.1/32')!, 'vip');
  assert.equal(t.longestMatch(parsePrefix('10.10.0.6/32')!)!.value, 'vnet');
  assert.equal(t.longestMatch(parsePrefix('10.11.0.6/32')!)!.value, 'ten');
  assert.equal(t.longestMatch(parsePrefix('100.64.0.1/32')!)!.value, 'vip');
  assert.equal(t.longestMatch(parsePrefix('8.8.8.8/32')!)!.value, 'default');
  assert.deepEqual(
    t.covering(parsePrefix('10.10.0.6/32')!).map((e) => e.value),
    ['default', 'ten', 'vnet'],
  );
});

test('trie agrees with a linear scan (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })), { maxLength: 40 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      (entries, dst) => {
        const t = new PrefixTrie<string>();
        const list = entries.map(([a, l]) => v4Prefix(a, l));
        for (const p of list) t.set(p, formatPrefix(p));
        const d = v4Prefix(dst, 32);
        const linear = list.filter((p) => prefixContains(p, d)).sort((a, b) => b.len - a.len)[0];
        assert.equal(t.longestMatch(d)?.value, linear ? formatPrefix(linear) : undefined);
      },
    ),
  );
});

test('PrefixTable keeps arrival order across lengths and families', () => {
  const t = new PrefixTable<number>();
  const order = ['10.2.0.0/16', '10.1.0.0/16', '1.2.3.0/24', '2001:db8::/32', '0.0.0.0/0'];
  order.forEach((p, i) => t.set(parsePrefix(p)!, i));
  t.set(parsePrefix('10.2.0.0/16')!, 9); // update keeps position
  assert.deepEqual(
    [...t.entries()].map(([p]) => formatPrefix(p)),
    ['10.2.0.0/16', '10.1.0.0/16', '1.2.3.0/24', '0.0.0.0/0', '2001:db8::/32'],
  );
  assert.equal(t.get(parsePrefix('10.2.0.0/16')!), 9);
  assert.ok(t.delete(parsePrefix('1.2.3.0/24')!));
  assert.equal(t.size, 4);
});

test('PrefixTable IPv4 keys are unique and round-trip for every length (property)', async () => {
  const { v4Key, prefixFromV4Key } = await import('./prefixTable.js');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (a, l) => {
      const p = v4Prefix(a, l);
      const back = prefixFromV4Key(v4Key(p.addr, p.len));
      assert.deepEqual(back, p);
    }),
    { numRuns: 5000 },
  );
  // Neighbours in key space are distinct prefixes.
  assert.notEqual(v4Key(0, 1), v4Key(0x80000000, 1));
  assert.notEqual(v4Key(0, 0), v4Key(0, 1));
  assert.equal(v4Key(0xffffffff, 32), 2 ** 33 - 2);
  assert.ok(Number.isSafeInteger(v4Key(0xffffffff, 32)));
});
