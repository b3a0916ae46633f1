import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTEXT_4OCTET, nlriRoom, parsePrefix, type Prefix } from '../bgp/wire/index.js';
import { internAttrs, internedCount } from './attrs.js';
import { newRouteSource } from './path.js';
import { Speaker, type OutboundBatch, type SpeakerPolicy } from './speaker.js';
import { attrsToWire } from './wire.js';
import { formatPrefix } from '../bgp/wire/index.js';

const P = (t: string): Prefix => parsePrefix(t)!;

const ecmpPolicy: SpeakerPolicy = {
  bestPath: { steps: ['as-path-length', 'neighbor-address'], multipathThrough: 'as-path-length', maxPaths: 8 },
  import: () => ({ accept: true }),
  export: (_to, path) => path.attrs,
};

function neighbor(name: string, address: string, asn: number, sent: OutboundBatch[] = [], maxPrefixes?: number) {
  return {
    source: newRouteSource({ name, address, asn, kind: 'ebgp' as const, routerId: 0 }),
    send: (b: OutboundBatch) => void sent.push(b),
    ...(maxPrefixes !== undefined ? { maxPrefixes } : {}),
  };
}

const attrs = (asns: number[], nextHop: string) =>
  internAttrs({ origin: 0, asPath: asns.length ? [{ type: 2, asns }] : [], nextHop });

test('equal AS-path length from two neighbours is ECMP; a prepended one loses', () => {
  const s = new Speaker('t', 65515, 1, ecmpPolicy);
  const a = neighbor('a', '10.0.0.1', 65001);
  const b = neighbor('b', '10.0.0.2', 65002);
  const c = neighbor('c', '10.0.0.3', 65003);
  for (const n of [a, b, c]) {
    s.addNeighbor(n);
    s.neighborUp(n.source.id);
  }
  s.receive(a.source.id, [], { attrs: attrs([65001], '10.0.0.1'), prefixes: [P('10.9.0.0/16')] });
  s.receive(b.source.id, [], { attrs: attrs([65002], '10.0.0.2'), prefixes: [P('10.9.0.0/16')] });
  s.receive(c.source.id, [], { attrs: attrs([65003, 65003], '10.0.0.3'), prefixes: [P('10.9.0.0/16')] });
  const best = [...s.locRib()][0]!.best.map((p) => p.attrs.nextHop);
  assert.deepEqual(best, ['10.0.0.1', '10.0.0.2']);
  assert.equal(s.candidates(P('10.9.0.0/16')).length, 3);
});

test('withdrawing the best moves to the next path and tells the neighbours', () => {
  const out: OutboundBatch[] = [];
  const s = new Speaker('t', 65515, 1, ecmpPolicy);
  const a = neighbor('a', '10.0.0.1', 65001);
  const b = neighbor('b', '10.0.0.2', 65002);
  const watcher = neighbor('w', '10.0.0.9', 65009, out);
  for (const n of [a, b, watcher]) {
    s.addNeighbor(n);
    s.neighborUp(n.source.id);
  }
  s.receive(a.source.id, [], { attrs: attrs([65001], '10.0.0.1'), prefixes: [P('10.9.0.0/16')] });
  s.receive(b.source.id, [], { attrs: attrs([65002, 65002], '10.0.0.2'), prefixes: [P('10.9.0.0/16')] });
  assert.equal(out.at(-1)!.announced[0]!.attrs.nextHop, '10.0.0.1');
  s.receive(a.source.id, [P('10.9.0.0/16')]);
  assert.equal(out.at(-1)!.announced[0]!.attrs.nextHop, '10.0.0.2');
  s.receive(b.source.id, [P('10.9.0.0/16')]);
  assert.deepEqual(out.at(-1)!.withdrawn.map(formatPrefix), ['10.9.0.0/16']);
  assert.equal(s.prefixCount, 0);
});

test('split horizon: a route is not sent back to the neighbour it came from', () => {
  const outA: OutboundBatch[] = [];
  const s = new Speaker('t', 65515, 1, ecmpPolicy);
  const a = neighbor('a', '10.0.0.1', 65001, outA);
  s.addNeighbor(a);
  s.neighborUp(a.source.id);
  s.receive(a.source.id, [], { attrs: attrs([65001], '10.0.0.1'), prefixes: [P('10.9.0.0/16')] });
  assert.equal([...s.adjRibOut(a.source.id)].length, 0);
  assert.equal(outA.length, 0);
});

test('maxPrefixes counts held routes plus the UPDATE (R-ARS-5) and installs nothing past it', () => {
  const s = new Speaker('t', 65515, 1, ecmpPolicy);
  const a = neighbor('a', '10.0.0.1', 65001, [], 3);
  s.addNeighbor(a);
  s.neighborUp(a.source.id);
  const r1 = s.receive(a.source.id, [], {
    attrs: attrs([65001], '10.0.0.1'),
    prefixes: [P('10.1.0.0/16'), P('10.2.0.0/16')],
  });
  assert.equal(r1.limitExceeded, undefined);
  // Re-advertising the same two plus nothing new still counts 2 + 2 = 4 > 3.
  const r2 = s.receive(a.source.id, [], {
    attrs: attrs([65001], '10.0.0.1'),
    prefixes: [P('10.1.0.0/16'), P('10.2.0.0/16')],
  });
  assert.deepEqual(r2.limitExceeded, { limit: 3, count: 4 });
  assert.equal(s.heldFrom(a.source.id), 2);
});

test('neighbour down flushes its routes and the Adj-RIB-Out of the others follows', () => {
  const out: OutboundBatch[] = [];
  const s = new Speaker('t', 65515, 1, ecmpPolicy);
  const a = neighbor('a', '10.0.0.1', 65001);
  const w = neighbor('w', '10.0.0.9', 65009, out);
  for (const n of [a, w]) {
    s.addNeighbor(n);
    s.neighborUp(n.source.id);
  }
  s.receive(a.source.id, [], { attrs: attrs([65001], '10.0.0.1'), prefixes: [P('10.1.0.0/16'), P('10.2.0.0/16')] });
  assert.equal([...s.adjRibOut(w.source.id)].length, 2);
  s.neighborDown(a.source.id);
  assert.equal([...s.adjRibOut(w.source.id)].length, 0);
  assert.deepEqual(out.at(-1)!.withdrawn.map(formatPrefix).sort(), ['10.1.0.0/16', '10.2.0.0/16']);
});

test('a neighbour coming up gets the whole Loc-RIB, packed by attribute set', () => {
  const out: OutboundBatch[] = [];
  const s = new Speaker('t', 65515, 1, ecmpPolicy);
  const a = neighbor('a', '10.0.0.1', 65001);
  const w = neighbor('w', '10.0.0.9', 65009, out);
  s.addNeighbor(a);
  s.addNeighbor(w);
  s.neighborUp(a.source.id);
  const many = Array.from({ length: 100 }, (_, i) => P(`10.${i}.0.0/16`));
  s.receive(a.source.id, [], { attrs: attrs([65001], '10.0.0.1'), prefixes: many });
  s.neighborUp(w.source.id);
  assert.equal(out.length, 1);
  assert.equal(out[0]!.announced.length, 1);
  assert.equal(out[0]!.announced[0]!.prefixes.length, 100);
});

test('attribute sets are interned: equal sets are one object', () => {
  const before = internedCount();
  const x = attrs([65001, 65002], '10.0.0.1');
  const y = attrs([65001, 65002], '10.0.0.1');
  assert.equal(x, y);
  assert.ok(Object.isFrozen(x));
  assert.ok(internedCount() >= before);
  assert.notEqual(attrs([65001], '10.0.0.1'), x);
});

test('rejected paths stay in the Adj-RIB-In but are never best', () => {
  const policy: SpeakerPolicy = {
    ...ecmpPolicy,
    import: (_f, a) => (a.asPathLength > 2 ? { accept: false, rule: 'T-1', reason: 'too long' } : { accept: true }),
  };
  const s = new Speaker('t', 65515, 1, policy);
  const a = neighbor('a', '10.0.0.1', 65001);
  s.addNeighbor(a);
  s.neighborUp(a.source.id);
  s.receive(a.source.id, [], { attrs: attrs([1, 2, 3], '10.0.0.1'), prefixes: [P('10.9.0.0/16')] });
  assert.equal([...s.locRib()].length, 0);
  const inRib = [...s.adjRibIn(a.source.id)];
  assert.equal(inRib.length, 1);
  assert.equal(inRib[0]!.path.rejected!.rule, 'T-1');
});

test('maxReceivedTotal bounds the routes held from all neighbours together (R-ARS-5)', () => {
  const s = new Speaker('t', 65515, 1, ecmpPolicy);
  s.maxReceivedTotal = 3;
  const a = neighbor('a', '10.0.0.1', 65001);
  const b = neighbor('b', '10.0.0.2', 65002);
  for (const n of [a, b]) {
    s.addNeighbor(n);
    s.neighborUp(n.source.id);
  }
  assert.equal(
    s.receive(a.source.id, [], { attrs: attrs([65001], '10.0.0.1'), prefixes: [P('10.1.0.0/16'), P('10.2.0.0/16')] })
      .limitExceeded,
    undefined,
  );
  const r = s.receive(b.source.id, [], {
    attrs: attrs([65002], '10.0.0.2'),
    prefixes: [P('10.3.0.0/16'), P('10.4.0.0/16')],
  });
  assert.deepEqual(r.limitExceeded, { limit: 3, count: 4, total: true });
  s.neighborDown(a.source.id);
  assert.equal(
    s.receive(b.source.id, [], { attrs: attrs([65002], '10.0.0.2'), prefixes: [P('10.3.0.0/16'), P('10.4.0.0/16')] })
      .limitExceeded,
    undefined,
  );
});

/** A neighbour that measures UPDATEs as the real codec writes them (4-octet AS session). */
function measured(name: string, address: string, asn: number, sent: OutboundBatch[]) {
  return {
    ...neighbor(name, address, asn, sent),
    nlriRoom: (a: Parameters<typeof attrsToWire>[0], afi: number) =>
      nlriRoom(attrsToWire(a).attributes, afi, CONTEXT_4OCTET),
  };
}

test('a route no UPDATE to a neighbour can carry: left out of its Adj-RIB-Out, withdrawn there, reported once; sent again once it fits', () => {
  const s = new Speaker('t', 65515, 1, ecmpPolicy);
  const outW: OutboundBatch[] = [];
  const outV: OutboundBatch[] = [];
  const a = neighbor('a', '10.0.0.1', 65001);
  const w = measured('w', '10.0.0.2', 65002, outW);
  const v = neighbor('v', '10.0.0.3', 65003, outV); // takes routes as data: no size limit
  for (const n of [a, w, v]) {
    s.addNeighbor(n);
    s.neighborUp(n.source.id);
  }
  const p = P('10.9.0.0/16');
  const small = attrs([65001], '10.0.0.1');
  // 1,015 communities: 19 + 4 + ORIGIN 4 + AS_PATH 9 + NEXT_HOP 7 + (4 + 4,060) + NLRI 3 = 4,110
  // octets (RFC 4271 §4.1, §4.3), over 4,096.
  const big = internAttrs({ ...small, communities: Array.from({ length: 1015 }, (_, i) => (65001 << 16) + i) });
  s.receive(a.source.id, [], { attrs: small, prefixes: [p] });
  assert.equal(outW.at(-1)!.announced[0]!.attrs, small);

  s.receive(a.source.id, [], { attrs: big, prefixes: [p] });
  const last = outW.at(-1)!;
  assert.deepEqual(last.withdrawn.map(formatPrefix), ['10.9.0.0/16'], 'the version w held is withdrawn');
  assert.deepEqual(last.announced, []);
  assert.equal(last.notSent?.length, 1);
  assert.deepEqual(last.notSent![0]!.prefixes.map(formatPrefix), ['10.9.0.0/16']);
  assert.match(last.notSent![0]!.reason, /4,110 octets, over the 4,096/);
  assert.deepEqual([...s.adjRibOut(w.source.id)], [], 'not listed as advertised');
  assert.deepEqual(
    [...s.notSentTo(w.source.id)].map((u) => formatPrefix(u.prefix)),
    ['10.9.0.0/16'],
  );
  assert.equal((s.explainExport(w.source.id, p) as { rule?: string }).rule, 'RFC4271-4.1');
  assert.equal(outV.at(-1)!.announced[0]!.attrs, big, 'a neighbour without a limit gets it');

  // Reported once: a refresh and unrelated changes say nothing more about it.
  const n = outW.length;
  s.refresh(w.source.id);
  s.receive(a.source.id, [], { attrs: small, prefixes: [P('10.8.0.0/16')] });
  assert.ok(outW.slice(n).every((b) => b.notSent === undefined));

  s.receive(a.source.id, [], { attrs: small, prefixes: [p] });
  assert.deepEqual(
    outW.at(-1)!.announced.flatMap((g) => g.prefixes.map(formatPrefix)),
    ['10.9.0.0/16'],
  );
  assert.deepEqual([...s.notSentTo(w.source.id)], []);
});

test('a neighbour whose send throws is told, and the other neighbours still get their routes', () => {
  const s = new Speaker('t', 65515, 1, ecmpPolicy);
  const failures: unknown[] = [];
  const outB: OutboundBatch[] = [];
  const a = neighbor('a', '10.0.0.1', 65001);
  const bad = {
    ...neighbor('bad', '10.0.0.2', 65002),
    send: () => {
      throw new Error('boom');
    },
    sendFailed: (e: unknown) => void failures.push(e),
  };
  const b = neighbor('b', '10.0.0.3', 65003, outB);
  for (const x of [a, bad, b]) {
    s.addNeighbor(x);
    s.neighborUp(x.source.id);
  }
  s.receive(a.source.id, [], { attrs: attrs([65001], '10.0.0.1'), prefixes: [P('10.9.0.0/16')] });
  assert.equal(failures.length, 1);
  assert.equal(outB.at(-1)!.announced[0]!.prefixes.map(formatPrefix).join(), '10.9.0.0/16');

  // Without sendFailed the error still surfaces, after the other neighbours were served.
  const s2 = new Speaker('t2', 65515, 1, ecmpPolicy);
  const outC: OutboundBatch[] = [];
  const a2 = neighbor('a', '10.0.0.1', 65001);
  const bad2 = {
    ...bad,
    sendFailed: undefined,
    source: newRouteSource({ name: 'bad2', address: '10.0.0.4', asn: 65004, kind: 'ebgp', routerId: 0 }),
  };
  const c = neighbor('c', '10.0.0.5', 65005, outC);
  for (const x of [a2, bad2, c]) {
    s2.addNeighbor(x);
    s2.neighborUp(x.source.id);
  }
  assert.throws(
    () => s2.receive(a2.source.id, [], { attrs: attrs([65001], '10.0.0.1'), prefixes: [P('10.9.0.0/16')] }),
    /boom/,
  );
  assert.equal(outC.length, 1);
});
