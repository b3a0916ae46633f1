// Bounded fuzzing of decodeMessage: random octets, random bodies behind a valid header, and
// valid messages with bytes flipped, cut, inserted, deleted or length fields edited. For
// every input: no exception escapes; a refusal names a NOTIFICATION we know and an action;
// a message that decodes re-encodes, and (4-octet AS) decodes again to the same value.
// Inputs that throw are saved to test/fixtures/wire/crashers/<sha256 prefix> and replayed
// by the last test forever (gobgp testdata/bad-len). Four runs of 0.7 s each by default;
// ARSLAB_FUZZ_MS=60000 fuzzes longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeMessage, encodeMessage } from './messages/message.js';
import { isKnownNotification, type BgpWireError, type ErrorAction } from './errors.js';
import { CONTEXT_2OCTET, CONTEXT_4OCTET, type BgpMessage, type CodecContext, type ReceivedMessage } from './types.js';
import { bgpMessage } from './arbitraries.js';
import { MARKER, bytes, hex, plain, repoRoot, show, u16 } from './testkit.js';

const CRASHERS = join(repoRoot(), 'test', 'fixtures', 'wire', 'crashers');
const ACTIONS: readonly ErrorAction[] = ['attribute-discard', 'treat-as-withdraw', 'afisafi-disable', 'session-reset'];
const FIXED_SEED = 0x5eed;
/** Per run; set ARSLAB_FUZZ_MS for a longer local session. */
const TIME_PER_RUN_MS = Number(process.env['ARSLAB_FUZZ_MS'] ?? 700);

function saveCrasher(input: Uint8Array): string {
  mkdirSync(CRASHERS, { recursive: true });
  const name = createHash('sha256').update(input).digest('hex').slice(0, 16);
  writeFileSync(join(CRASHERS, name), input);
  return name;
}

function checkError(e: BgpWireError): void {
  assert.ok(isKnownNotification(e.code, e.subcode), `unknown NOTIFICATION ${e.code}/${e.subcode}: ${e.message}`);
  assert.ok(ACTIONS.includes(e.action), `unknown action ${e.action}`);
  assert.ok(e.data instanceof Uint8Array);
  if (e.action === 'afisafi-disable')
    assert.ok(e.afi !== undefined && e.safi !== undefined, 'afisafi-disable names its family');
}

/** Unknown attributes are kept in received order but written in type order: compare sorted. */
function normalized(m: ReceivedMessage): BgpMessage {
  const p = plain(m);
  if (p.type !== 'UPDATE' || p.attributes.unknown === undefined) return p;
  return { ...p, attributes: { ...p.attributes, unknown: [...p.attributes.unknown].sort((a, b) => a.type - b.type) } };
}

/** The invariant every input must keep; any exception is saved as a crasher and rethrown. */
function check(input: Uint8Array, ctx: CodecContext): void {
  let d;
  try {
    d = decodeMessage(input, ctx);
  } catch (err) {
    throw new Error(`decodeMessage threw on ${hex(input)} (saved as crasher ${saveCrasher(input)}): ${String(err)}`);
  }
  if (!d.ok) {
    checkError(d.error);
    return;
  }
  if (d.value.type === 'UPDATE') d.value.problems.forEach(checkError);
  let again: Uint8Array;
  try {
    again = encodeMessage(d.value, ctx);
  } catch (err) {
    // The one documented exception (messages/message.ts): AS4_PATH growth toward a 2-octet peer.
    if (err instanceof RangeError && !ctx.fourOctetAs && d.value.type === 'UPDATE' && /exceeds 4096/.test(err.message))
      return;
    throw new Error(
      `encodeMessage threw on the decoding of ${hex(input)} (saved as crasher ${saveCrasher(input)}): ${String(err)}`,
    );
  }
  const d2 = decodeMessage(again, ctx);
  assert.ok(d2.ok, `re-encoded message refused: ${d2.ok ? '' : d2.error.message}`);
  // Toward a 2-octet peer, AS_TRANS and AS4_PATH are lossy for odd paths (confederation
  // segments after the first, 4-octet confederation members): compare with 4-octet AS only.
  if (ctx.fourOctetAs || d.value.type !== 'UPDATE') {
    assert.deepEqual(
      normalized(d2.value),
      normalized(d.value),
      `not stable: ${hex(input)}\nfirst ${show(plain(d.value))}\nthen ${show(plain(d2.value))}`,
    );
  }
}

type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; octets: Uint8Array }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'length'; at: number; delta: number; wide: boolean };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    octets: fc.uint8Array({ minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    kind: fc.constant('length' as const),
    at: fc.nat(),
    delta: fc.integer({ min: -3, max: 3 }).filter((x) => x !== 0),
    wide: fc.boolean(),
  }),
);

/** Applies mutations at positions in the body (the header is fixed up afterwards when `fixLength`). */
function mutate(wire: Uint8Array, mutations: readonly Mutation[], fixLength: boolean): Uint8Array {
  let b = Array.from(wire);
  for (const m of mutations) {
    const span = Math.max(1, b.length - 19);
    const at = 19 + (m.at % span);
    switch (m.kind) {
      case 'flip':
        if (at < b.length) b[at] = b[at]! ^ m.xor;
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'insert':
        b.splice(at, 0, ...m.octets);
        break;
      case 'delete':
        b.splice(at, m.n);
        break;
      case 'length':
        if (m.wide && at + 1 < b.length) {
          const v = (((b[at]! << 8) | b[at + 1]!) + m.delta) & 0xffff;
          b[at] = v >>> 8;
          b[at + 1] = v & 0xff;
        } else if (at < b.length) {
          b[at] = (b[at]! + m.delta) & 0xff;
        }
        break;
    }
  }
  if (fixLength && b.length >= 18) {
    b[16] = (b.length >>> 8) & 0xff;
    b[17] = b.length & 0xff;
  }
  return Uint8Array.from(b);
}

const input: fc.Arbitrary<Uint8Array> = fc.oneof(
  // random octets
  fc.uint8Array({ maxLength: 64 }),
  // a valid header, then random octets
  fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 300 }))
    .map(([type, body]) => bytes(MARKER, u16(19 + body.length), type, body)),
  // valid messages, mutated (the usual case: it reaches the deep decoders)
  {
    weight: 4,
    arbitrary: fc
      .tuple(bgpMessage, fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean())
      .map(([m, muts, fixLength, two]) =>
        mutate(encodeMessage(m, two ? CONTEXT_2OCTET : CONTEXT_4OCTET), muts, fixLength),
      ),
  },
);

const randomSeed = (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;

for (const ctx of [CONTEXT_4OCTET, CONTEXT_2OCTET]) {
  for (const [label, seed] of [
    ['fixed', FIXED_SEED],
    ['random', randomSeed],
  ] as const) {
    test(`fuzz: decodeMessage never throws, refuses with known NOTIFICATIONs, re-encodes (${ctx.fourOctetAs ? 4 : 2}-octet AS, ${label} seed ${seed})`, (t) => {
      const details = fc.check(
        fc.property(input, (b) => check(b, ctx)),
        {
          seed,
          numRuns: 1_000_000,
          interruptAfterTimeLimit: TIME_PER_RUN_MS,
          markInterruptAsFailure: false,
        },
      );
      t.diagnostic(`${details.numRuns} inputs in ${TIME_PER_RUN_MS} ms, seed ${seed}`);
      if (details.failed) {
        assert.fail(
          `fuzz failed; replay with seed ${seed}, path "${details.counterexamplePath ?? ''}":\n${String(details.errorInstance)}`,
        );
      }
    });
  }
}

test('fuzz: every saved crasher decodes without throwing, under both contexts', () => {
  mkdirSync(CRASHERS, { recursive: true });
  const files = readdirSync(CRASHERS).filter((f) => /^[0-9a-f]{16,64}$/.test(f));
  for (const f of files) {
    const b = new Uint8Array(readFileSync(join(CRASHERS, f)));
    for (const ctx of [CONTEXT_4OCTET, CONTEXT_2OCTET]) check(b, ctx);
  }
});
