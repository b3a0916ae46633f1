/**
 * Benchmark (a): wire codec throughput, in prefixes per second.
 * Run by hand: `node dist/bench/codec.js` (after `scripts/setup`). Not part of CI.
 *
 * Encodes 300,000 /24s with one attribute set into UPDATEs (packUpdates), then decodes
 * them back, several rounds; prints the median rate of each.
 */
import { CONTEXT_4OCTET, decodeMessage, packUpdates, v4Prefix, type Prefix } from '../src/bgp/wire/index.js';

const N = Number(process.env['BENCH_PREFIXES'] ?? 300_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);

function prefixes(n: number): Prefix[] {
  const out: Prefix[] = [];
  for (let i = 0; i < n; i++) out.push(v4Prefix(((11 << 24) + i * 256) >>> 0, 24));
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const nlri = prefixes(N);
  const attributes = {
    origin: 0 as const,
    asPath: [{ type: 2 as const, asns: [65001] }],
    nextHop: (10 << 24) | (1 << 16) | (1 << 8) | 4,
    communities: [0xfde90064],
    largeCommunities: [{ globalAdmin: 65001, localData1: 0, localData2: 1 }],
  };
  const enc: number[] = [];
  const dec: number[] = [];
  let frames: Uint8Array[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t = process.hrtime.bigint();
    frames = packUpdates({ withdrawn: [], announce: { attributes, nlri } }, CONTEXT_4OCTET);
    enc.push(N / (Number(process.hrtime.bigint() - t) / 1e9));
    t = process.hrtime.bigint();
    let seen = 0;
    for (const f of frames) {
      const d = decodeMessage(f, CONTEXT_4OCTET);
      if (!d.ok || d.value.type !== 'UPDATE') throw new Error('decode failed');
      seen += d.value.nlri.length;
    }
    dec.push(seen / (Number(process.hrtime.bigint() - t) / 1e9));
    if (seen !== N) throw new Error(`decoded ${seen} of ${N}`);
  }
  const bytes = frames.reduce((n, f) => n + f.length, 0);
  console.log(`codec: ${N} /24 prefixes, one attribute set, ${frames.length} UPDATEs, ${bytes} bytes`);
  console.log(`  encode (packUpdates): ${(median(enc) / 1e6).toFixed(2)} M prefixes/s (median of ${ROUNDS})`);
  console.log(`  decode (decodeMessage): ${(median(dec) / 1e6).toFixed(2)} M prefixes/s (median of ${ROUNDS})`);
}

main();
