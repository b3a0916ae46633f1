// Speaker.receive with the NLRI in wire form (Ipv4Nlri, what the transport hands over) against
// the same UPDATEs as Prefix objects: the same Loc-RIB in the same order, the same Adj-RIB-In
// (rejected paths kept), the same Adj-RIB-Out diffs sent to the other neighbours, the same
// best-path changes, the same R-ARS-5 verdicts, over random sequences of announcements,
// re-announcements and withdrawals from several neighbours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatPrefix, v4Prefix, type Prefix } from '../bgp/wire/index.js';
import { Ipv4Nlri, writePrefixes } from '../bgp/wire/nlri.js';
import { ByteWriter } from '../bgp/wire/writer.js';
import { internAttrs } from './attrs.js';
import { newRouteSource } from './path.js';
import { Speaker, type BestChange, type OutboundBatch, type SpeakerPolicy } from './speaker.js';

function wire(prefixes: readonly Prefix[]): Ipv4Nlri {
  const w = new ByteWriter(64);
  w.u8(0xee); // the field need not start at 0
  const start = w.pos;
  writePrefixes(w, prefixes);
  const b = w.finish();
  return new Ipv4Nlri(b, start, b.length, prefixes.length);
}

/** A route-server-like policy: a per-prefix import rule (/30 and longer refused), AS 0 refused, ECMP. */
const policy: SpeakerPolicy = {
  bestPath: { steps: ['as-path-length', 'neighbor-address'], multipathThrough: 'as-path-length', maxPaths: 4 },
  import: (_n, a) =>
    a.asPath.some((s) => s.asns.includes(0))
      ? { accept: false, rule: 'R-ARS-6', reason: 'AS 0' }
      : { accept: true, weight: 0 },
  importPrefix: (_n, p) => (p.len >= 30 ? { rule: 'R-TEST', reason: 'too specific' } : undefined),
  export: (_to, path) => path.attrs,
};

const attrSets = [
  internAttrs({ origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: '10.0.0.1' }),
  internAttrs({ origin: 0, asPath: [{ type: 2, asns: [65002] }], nextHop: '10.0.0.2' }),
  internAttrs({ origin: 0, asPath: [{ type: 2, asns: [65003, 65003] }], nextHop: '10.0.0.3' }),
  internAttrs({ origin: 0, asPath: [{ type: 2, asns: [0] }], nextHop: '10.0.0.4' }),
];

function build(log: string[]) {
  const s = new Speaker('t', 65515, 1, policy);
  const ns = ['a', 'b', 'c', 'w'].map((name, i) => {
    const n = {
      source: newRouteSource({
        name,
        address: `10.0.0.${i + 1}`,
        asn: 65001 + i,
        kind: 'ebgp' as const,
        routerId: i + 1,
      }),
      maxPrefixes: 40,
      send: (b: OutboundBatch) =>
        log.push(
          `${name} <- W[${b.withdrawn.map(formatPrefix).join(' ')}] A[${b.announced.map((g) => `${g.attrs.nextHop}:${g.prefixes.map(formatPrefix).join(' ')}`).join(' | ')}]`,
        ),
    };
    s.addNeighbor(n);
    return n;
  });
  s.maxReceivedTotal = 90;
  s.onBestChange = (c: BestChange) =>
    log.push(
      `best ${formatPrefix(c.prefix)} [${c.oldBest.map((p) => p.attrs.nextHop)}] -> [${c.newBest.map((p) => p.attrs.nextHop)}]`,
    );
  return { s, ns };
}

function state(s: Speaker, ns: { source: { id: number } }[]): unknown {
  return {
    loc: [...s.locRib()].map((e) => `${formatPrefix(e.prefix)} ${e.best.map((p) => p.attrs.nextHop).join(',')}`),
    ribIn: ns.map((n) =>
      [...s.adjRibIn(n.source.id)].map(
        (e) =>
          `${formatPrefix(e.prefix)} ${e.path.attrs.nextHop}${e.path.rejected ? ` rejected ${e.path.rejected.rule}` : ''}`,
      ),
    ),
    ribOut: ns.map((n) => [...s.adjRibOut(n.source.id)].map((e) => `${formatPrefix(e.prefix)} ${e.attrs.nextHop}`)),
    held: ns.map((n) => s.heldFrom(n.source.id)),
    count: s.prefixCount,
  };
}

const pfx = fc
  .tuple(fc.integer({ min: 0, max: 11 }), fc.constantFrom(8, 16, 24, 30, 32))
  .map(([i, l]) => v4Prefix(((10 << 24) | (i << 16) | (i << 8) | i) >>> 0, l));
const step = fc.record({
  from: fc.integer({ min: 0, max: 3 }),
  withdrawn: fc.array(pfx, { maxLength: 3 }),
  attrs: fc.integer({ min: 0, max: 3 }),
  announced: fc.array(pfx, { maxLength: 12 }),
  upDown: fc.integer({ min: 0, max: 30 }),
});

test('receive() with wire-form NLRI equals receive() with Prefix objects (property)', () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
      const logA: string[] = [];
      const logB: string[] = [];
      const A = build(logA);
      const B = build(logB);
      for (const x of [A, B]) for (const n of x.ns) x.s.neighborUp(n.source.id);
      for (const st of steps) {
        const ann = st.announced.length ? { attrs: attrSets[st.attrs]!, prefixes: st.announced } : undefined;
        const ra = A.s.receive(A.ns[st.from]!.source.id, st.withdrawn, ann);
        const rb = B.s.receive(
          B.ns[st.from]!.source.id,
          st.withdrawn,
          ann ? { attrs: ann.attrs, prefixes: wire(ann.prefixes) } : undefined,
        );
        assert.deepEqual(rb, ra);
        if (st.upDown === 0) {
          // A session flap now and then: everything from that neighbour leaves, then it comes back.
          for (const x of [A, B]) {
            x.s.neighborDown(x.ns[st.from]!.source.id);
            x.s.neighborUp(x.ns[st.from]!.source.id);
          }
        }
        assert.deepEqual(logB, logA);
        assert.deepEqual(state(B.s, B.ns), state(A.s, A.ns));
      }
    }),
    { numRuns: 250 },
  );
});

test('a full table in wire form: arrival order, one best-change per prefix, held counts', () => {
  const sp = new Speaker('full', 65515, 1, { ...policy, importPrefix: undefined });
  const seen: BestChange[] = [];
  sp.onBestChange = (c) => seen.push(c);
  const n = {
    source: newRouteSource({ name: 'nva', address: '10.0.0.9', asn: 65009, kind: 'ebgp', routerId: 9 }),
    send: () => {},
  };
  sp.addNeighbor(n);
  sp.neighborUp(n.source.id);
  const all: Prefix[] = [];
  for (let i = 0; i < 5000; i++) all.push(v4Prefix((0x0b000000 + i * 256) >>> 0, 24));
  for (let i = 0; i < all.length; i += 256)
    sp.receive(n.source.id, [], { attrs: attrSets[0]!, prefixes: wire(all.slice(i, i + 256)) });
  assert.equal(sp.prefixCount, 5000);
  assert.equal(sp.heldFrom(n.source.id), 5000);
  assert.deepEqual(
    [...sp.locRib()].map((e) => formatPrefix(e.prefix)),
    all.map(formatPrefix),
  );
  assert.equal(seen.length, 5000);
  assert.deepEqual(
    seen.map((c) => formatPrefix(c.prefix)),
    all.map(formatPrefix),
  );
  assert.ok(seen.every((c) => c.oldBest.length === 0 && c.newBest.length === 1));
  assert.equal(seen[7]!.prefix, seen[7]!.prefix, 'a change gives the same Prefix object each time it is read');
  // The session goes down: every route leaves, the table is empty again.
  sp.neighborDown(n.source.id);
  assert.equal(sp.prefixCount, 0);
  assert.equal(sp.heldFrom(n.source.id), 0);
});
