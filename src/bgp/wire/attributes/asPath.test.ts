// AS path reconstruction from a 2-octet peer (RFC 6793 §4.2.3) and path length counting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathLength, reconstructAsPath } from './asPath.js';
import type { AsPathSegment } from '../types.js';

const T = 23456; // AS_TRANS
const seq = (...asns: number[]): AsPathSegment => ({ type: 2, asns });
const set = (...asns: number[]): AsPathSegment => ({ type: 1, asns });
const cseq = (...asns: number[]): AsPathSegment => ({ type: 3, asns });

const cases: { name: string; asPath: AsPathSegment[]; as4Path: AsPathSegment[]; expect: AsPathSegment[] }[] = [
  {
    name: 'AS_PATH shorter than AS4_PATH: AS4_PATH ignored',
    asPath: [seq(1, T)],
    as4Path: [seq(5, 70000, 80000)],
    expect: [seq(1, T)],
  },
  {
    name: 'same length: AS4_PATH is the path',
    asPath: [seq(T, T)],
    as4Path: [seq(70000, 80000)],
    expect: [seq(70000, 80000)],
  },
  {
    name: 'an OLD speaker prepended: its ASNs lead, the sequence is joined',
    asPath: [seq(1, 2, T, T)],
    as4Path: [seq(70000, 80000)],
    expect: [seq(1, 2, 70000, 80000)],
  },
  {
    name: 'whole leading segments taken stay separate',
    asPath: [seq(1, 2), seq(T)],
    as4Path: [seq(70000)],
    expect: [seq(1, 2), seq(70000)],
  },
  {
    name: 'a leading confederation segment is kept',
    asPath: [cseq(64512), seq(1, T)],
    as4Path: [seq(70000)],
    expect: [cseq(64512), seq(1, 70000)],
  },
  {
    name: 'a leading confederation segment is kept even with nothing to take',
    asPath: [cseq(64512, 64513), seq(T)],
    as4Path: [seq(70000)],
    expect: [cseq(64512, 64513), seq(70000)],
  },
  {
    name: 'an AS_SET counts as one',
    asPath: [seq(1), set(T, 5)],
    as4Path: [set(70000, 5)],
    expect: [seq(1), set(70000, 5)],
  },
  {
    name: 'a leading AS_SET is taken whole',
    asPath: [set(1, 2, 3), seq(T)],
    as4Path: [seq(70000)],
    expect: [set(1, 2, 3), seq(70000)],
  },
  {
    name: 'AS4_PATH holding only a set still replaces AS_TRANS',
    asPath: [seq(7, T)],
    as4Path: [set(70000)],
    expect: [seq(7), set(70000)],
  },
];

for (const c of cases) {
  test(`reconstructAsPath: ${c.name}`, () => {
    assert.deepEqual(reconstructAsPath(c.asPath, c.as4Path), c.expect);
  });
}

test('pathLength: sequences count their ASNs, sets one, confederation segments none', () => {
  assert.equal(pathLength([cseq(1, 2), seq(3, 4, 5), set(6, 7)]), 4);
  assert.equal(pathLength([]), 0);
});
