import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProbeLine, formatSummary, ProbeTally, probeSourcePort, summarize, type ProbeResult } from './probe.js';

const r = (seq: number, result: ProbeResult['result'], vm = 'ws1', rttMs = 1): ProbeResult => ({
  seq,
  t: seq * 100,
  labT: 5000 + seq * 100,
  sourcePort: probeSourcePort(seq),
  prefix: '100.64.0.1/32',
  nextHopType: 'VirtualNetworkGateway',
  nextHopIp: vm === 'ws1' ? '10.10.0.4' : '10.10.0.5',
  vm,
  result,
  ...(result === 'ok' ? { status: 200, body: vm, rttMs } : { detail: 'connection refused' }),
});

test('summary: loss, rtt, and the longest gap between replies (the failover), with the probes it lost', () => {
  const results = [
    r(0, 'ok', 'ws1', 2),
    r(1, 'ok', 'ws1', 1),
    r(2, 'unreachable'),
    r(3, 'timeout'),
    r(4, 'ok', 'ws2', 3),
    r(5, 'ok', 'ws2', 2),
  ];
  const s = summarize(results);
  assert.deepEqual(s, {
    sent: 6,
    received: 4,
    lost: 2,
    lossPercent: 33.3,
    rttMs: { min: 1, avg: 2, max: 3 },
    longestGapMs: 300,
    longestGap: { fromSeq: 1, toSeq: 4, lost: 2 },
    reached: { ws1: 2, ws2: 2 },
    died: { unreachable: 1, timeout: 1 },
  });
  assert.equal(
    formatSummary({ to: '100.64.0.1', port: 80, from: 'lt1' }, s),
    [
      '--- 100.64.0.1:80 probe statistics (from lt1) ---',
      '6 probes sent, 4 received, 33.3% lost',
      'round-trip min/avg/max = 1.000/2.000/3.000 ms',
      'longest gap between replies = 300.0 ms (seq 1 -> 4, 2 lost)',
      'replies from: ws1 2, ws2 2',
      'lost at: unreachable 1, timeout 1',
      '',
    ].join('\n'),
  );
});

test('gaps as the chart shades them: opened by a lost probe, extended by the next, closed by a reply; one before any reply starts at its first lost probe', () => {
  const tally = new ProbeTally();
  // Probes every 100 ms (r(): t = seq × 100). seq 0 times out before any reply: a gap from
  // itself; seq 1 answers and closes it. Then 2 replies, 3 and 4 lost, 5 answers: one gap from
  // the last reply (seq 2, t 200) to the first after (seq 5, t 500), 2 lost — the summary's
  // longest gap between replies, 300 ms. Then 6 lost with no reply after: still open.
  const gaps = [
    r(0, 'timeout'),
    r(1, 'ok'),
    r(2, 'ok'),
    r(3, 'unreachable'),
    r(4, 'timeout'),
    r(5, 'ok', 'ws2'),
    r(6, 'no route'),
  ].map((p) => tally.add(p));
  assert.deepEqual(gaps, [
    { fromSeq: 0, fromT: 0, toSeq: 0, toT: 0, lost: 1, open: true },
    { fromSeq: 0, fromT: 0, toSeq: 1, toT: 100, lost: 1, open: false },
    undefined,
    { fromSeq: 2, fromT: 200, toSeq: 3, toT: 300, lost: 1, open: true },
    { fromSeq: 2, fromT: 200, toSeq: 4, toT: 400, lost: 2, open: true },
    { fromSeq: 2, fromT: 200, toSeq: 5, toT: 500, lost: 2, open: false },
    { fromSeq: 5, fromT: 500, toSeq: 6, toT: 600, lost: 1, open: true },
  ]);
  const s = tally.summary();
  assert.deepEqual([s.longestGapMs, s.longestGap], [300, { fromSeq: 2, toSeq: 5, lost: 2 }]);
});

test('summary: a run that ends without replies says since when; none at all has no gap', () => {
  const s = summarize([r(0, 'ok'), r(1, 'ok'), r(2, 'no route'), r(3, 'no route')]);
  assert.equal(s.failingSinceSeq, 2);
  assert.equal(s.longestGapMs, 100);
  const none = summarize([r(0, 'timeout')]);
  assert.deepEqual(
    [none.received, none.lossPercent, none.rttMs, none.longestGapMs, none.failingSinceSeq],
    [0, 100, null, null, 0],
  );
  assert.deepEqual(summarize([]), {
    sent: 0,
    received: 0,
    lost: 0,
    lossPercent: 0,
    rttMs: null,
    longestGapMs: null,
    reached: {},
  });
});

test('probe lines: seq, time, source port, the route, the VM reached, the result', () => {
  assert.equal(
    formatProbeLine(r(3, 'ok', 'ws2', 0.5)),
    'seq=3 t=0.300s sport=40003 100.64.0.1/32 VirtualNetworkGateway 10.10.0.5 -> ws2: 200 "ws2" rtt=0.500 ms\n',
  );
  assert.equal(
    formatProbeLine(r(4, 'unreachable')),
    'seq=4 t=0.400s sport=40004 100.64.0.1/32 VirtualNetworkGateway 10.10.0.4 -> ws1: unreachable (connection refused)\n',
  );
  assert.equal(
    formatProbeLine({
      seq: 5,
      t: 500,
      labT: 0,
      sourcePort: 40005,
      prefix: '100.64.0.0/10',
      nextHopType: 'None',
      result: 'no route',
      detail: '100.64.0.0/10 has next hop type None: dropped',
    }),
    'seq=5 t=0.500s sport=40005 100.64.0.0/10 None: no route (100.64.0.0/10 has next hop type None: dropped)\n',
  );
});

test('source ports: 40000 + seq, wrapping inside 1024-65535; or one fixed port', () => {
  assert.deepEqual(
    [probeSourcePort(0), probeSourcePort(1), probeSourcePort(25535), probeSourcePort(25536), probeSourcePort(7, 1234)],
    [40000, 40001, 65535, 1024, 1234],
  );
});
