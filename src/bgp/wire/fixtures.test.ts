// Messages recorded from real daemons (BIRD, FRR, GoBGP, ExaBGP) under
// test/fixtures/wire/daemons/**: hex files, one or more whole messages each, described by
// index.json files. Every message must decode without any problem, and
// decode(encode(decode(x))) must deep-equal decode(x).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { decodeMessage, encodeMessage } from './messages/message.js';
import { CONTEXT_2OCTET, CONTEXT_4OCTET, type CodecContext } from './types.js';
import { fromHex, hex, plain, repoRoot } from './testkit.js';

const DAEMONS = join(repoRoot(), 'test', 'fixtures', 'wire', 'daemons');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/**
 * Sessions without the 4-octet AS capability, named by any index.json: an entry that
 * names a .hex file and says `fourOctetAs: false` (or `asn4: false`, or `context: "2-octet"`).
 */
function twoOctetFiles(indexes: string[]): Set<string> {
  const two = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const files = Object.values(o).filter((x): x is string => typeof x === 'string' && x.endsWith('.hex'));
    const isTwo =
      o['fourOctetAs'] === false || o['asn4'] === false || o['context'] === '2-octet' || o['context'] === '2octet';
    if (isTwo) for (const f of files) two.add(basename(f));
    Object.values(o).forEach(visit);
  };
  for (const f of indexes) visit(JSON.parse(readFileSync(f, 'utf8')) as unknown);
  return two;
}

/** Splits a stream of whole messages by their Length fields. */
function split(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < b.length; ) {
    const len = p + 18 <= b.length ? (b[p + 16]! << 8) | b[p + 17]! : b.length - p;
    out.push(b.subarray(p, p + Math.max(len, 1)));
    p += Math.max(len, 1);
  }
  return out;
}

test('fixtures: messages recorded from real daemons decode cleanly and round-trip', (t) => {
  if (!existsSync(DAEMONS)) {
    t.diagnostic(`${relative(repoRoot(), DAEMONS)} does not exist yet: 0 recordings`);
    return;
  }
  const files = walk(DAEMONS);
  const two = twoOctetFiles(files.filter((f) => basename(f) === 'index.json'));
  const recordings = files.filter((f) => f.endsWith('.hex'));
  let messages = 0;
  for (const file of recordings) {
    const ctx: CodecContext = two.has(basename(file)) ? CONTEXT_2OCTET : CONTEXT_4OCTET;
    const text = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'))
      .join('');
    for (const [i, m] of split(fromHex(text)).entries()) {
      const where = `${relative(DAEMONS, file)} message ${i}`;
      const d = decodeMessage(m, ctx);
      assert.ok(d.ok, `${where}: ${d.ok ? '' : d.error.message} (${hex(m)})`);
      if (d.value.type === 'UPDATE')
        assert.deepEqual(d.value.problems, [], `${where}: ${d.value.problems.map((p) => p.message).join('; ')}`);
      const again = decodeMessage(encodeMessage(d.value, ctx), ctx);
      assert.ok(again.ok, `${where}: re-encoded message refused`);
      assert.deepEqual(plain(again.value), plain(d.value), where);
      messages++;
    }
  }
  t.diagnostic(`${recordings.length} recordings, ${messages} messages`);
  // The recordings must be there: an empty folder would make this test pass vacuously.
  assert.ok(recordings.length >= 40, `only ${recordings.length} recordings`);
  for (const d of ['bird-', 'frr-', 'gobgp-', 'exabgp-']) {
    assert.ok(
      readdirSync(DAEMONS).some((n) => n.startsWith(d)),
      `no recordings from ${d.slice(0, -1)}`,
    );
  }
});

test('fixtures: ExaBGP talking 2-octet AS with AS_TRANS + AS4_PATH decodes to the real 4-octet path (RFC 6793 §4.2.3)', () => {
  const dir = readdirSync(DAEMONS).find((n) => n.startsWith('exabgp-'));
  assert.ok(dir);
  const file = readdirSync(join(DAEMONS, dir)).find((n) => /as4-path/i.test(n));
  assert.ok(file, 'an AS_TRANS recording');
  const d = decodeMessage(fromHex(readFileSync(join(DAEMONS, dir, file), 'utf8').trim()), CONTEXT_2OCTET);
  assert.ok(d.ok && d.value.type === 'UPDATE');
  const asns = (d.value.attributes.asPath ?? []).flatMap((s) => s.asns);
  assert.ok(!asns.includes(23456), `AS_TRANS left in ${asns.join(' ')}`);
  assert.ok(
    asns.some((a) => a > 65535),
    `no 4-octet ASN in ${asns.join(' ')}`,
  );
});
