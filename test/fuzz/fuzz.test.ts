/**
 * End-to-end BGP fuzzing, bounded for CI (issue 8): structure-aware mutations of OPEN, UPDATE,
 * NOTIFICATION, ROUTE-REFRESH and KEEPALIVE (./messages.ts) sent over TCP from configured NVA
 * addresses to both instances of a running route server, each outcome checked against the
 * RFC oracle (NOTIFICATION code/subcode and close, treat-as-withdraw, attribute-discard,
 * session kept, what the observer NVA is re-advertised); then every corpus entry replayed.
 *
 * A few seconds per seed by default; ARSLAB_FUZZ_MS sets it. `bench/fuzz.ts` runs the same
 * inputs for a million messages and more, with crash, hang, RSS and fd watching. Addresses:
 * the reference lab, 10.163.x (127.163.x).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { Fuzzer, Observer, seededRandom, Tally } from './driver.js';
import { asBatch, fuzzFoundCorpus, issue8Corpus, loadCorpus } from './corpus.js';
import { fuzzerOf, fuzzLabYaml, instanceOf, observerOf, REFERENCE_OCTET, vnetPrefixOf } from './lab.js';

const HUB = { octet: REFERENCE_OCTET, fuzzers: 1 };
const TIME_MS = Number(process.env['ARSLAB_FUZZ_MS'] ?? 2500);
const FIXED_SEED = 0x8f1a;

let t: TestLab;
const observers: Observer[] = [];

before(async () => {
  t = await startTestLab('fuzz', fuzzLabYaml('fuzz', [HUB]));
  for (const i of [0, 1] as const) {
    const o = new Observer(instanceOf(HUB, i, t.lab.port), observerOf(HUB), vnetPrefixOf(HUB));
    await o.open();
    observers.push(o);
  }
});

after(async () => {
  for (const o of observers) o.close();
  await t?.stop();
});

function fuzzers(tally: Tally): Fuzzer[] {
  return ([0, 1] as const).map(
    (i) =>
      new Fuzzer({
        target: instanceOf(HUB, i, t.lab.port),
        peer: fuzzerOf(HUB, 0),
        observer: observers[i]!,
        vnetPrefix: vnetPrefixOf(HUB),
        index: i,
        tally,
        alive: () => !t.lab.isStopped,
        batchSize: 16,
        openShare: 0.03,
        endShare: 0.2,
      }),
  );
}

function report(tally: Tally): string {
  const classes = [...tally.byClass].sort().map(([k, n]) => `${k} ${n}`);
  return `${tally.messages} messages in ${tally.batches} batches; ${classes.join(', ')}`;
}

function findings(tally: Tally): string {
  return tally.findings
    .slice(0, 5)
    .map(
      (f) =>
        `${f.why}\n  ${f.inputs.map((i) => `${i.message} ${i.mutation} ${Buffer.from(i.octets).toString('hex')}`).join('\n  ')}`,
    )
    .join('\n');
}

for (const [label, seed] of [
  ['fixed', FIXED_SEED],
  ['random', (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0],
] as const) {
  test(`fuzz over TCP: every outcome is the one the RFCs give, no crash, no hang (${label} seed ${seed})`, async (ctx) => {
    const tally = new Tally();
    const fs = fuzzers(tally);
    const end = Date.now() + TIME_MS;
    await Promise.all(
      fs.map(async (f, k) => {
        const rng = seededRandom(seed + k);
        while (Date.now() < end) if (!(await f.batch(rng))) break;
      }),
    );
    for (const f of fs) f.close();
    ctx.diagnostic(report(tally));
    assert.equal(tally.crashes, 0);
    assert.equal(tally.hangs, 0);
    assert.deepEqual(tally.findings.length, 0, `seed ${seed}:\n${findings(tally)}`);
    assert.ok(tally.messages > 50, `only ${tally.messages} messages`);
  });
}

test('fuzz corpus: every input that once broke the lab is replayed and gets the outcome the RFCs give', async (ctx) => {
  const tally = new Tally();
  const [f] = fuzzers(tally);
  const corpus = loadCorpus();
  assert.ok(corpus.length >= 9, 'the issue 8 regression cases and the fuzz findings are in the corpus');
  // The committed issue 8 cases are what the builders make today (the octets did not drift).
  const built = [...issue8Corpus(f!.ctx), ...fuzzFoundCorpus(f!.ctx)];
  for (const b of built) {
    const saved = corpus.find((c) => c.name === b.name);
    assert.deepEqual(saved?.inputs, JSON.parse(JSON.stringify(b.inputs)), `${b.name} as committed`);
  }
  for (const entry of corpus) {
    const { inputs, last } = asBatch(entry);
    const before = tally.findings.length;
    await f!.run(inputs, last);
    assert.equal(tally.findings.length, before, `${entry.name} (${entry.why}):\n${findings(tally)}`);
  }
  f!.close();
  ctx.diagnostic(`${corpus.length} entries: ${report(tally)}`);
  assert.equal(tally.crashes + tally.hangs, 0);
});
