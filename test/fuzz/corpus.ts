/**
 * The fuzz suite's corpus (GoBGP keeps its bad inputs under testdata/ and replays them): every
 * input that once broke the lab, as the octets sent and the outcome the RFCs ask for, one JSON
 * file each under test/fixtures/fuzz/corpus, replayed by test/fuzz/fuzz.test.ts against the
 * reference lab (./lab.ts). Findings of a long run (bench/fuzz.ts) land in ../found first:
 * they name the addresses of the lab that found them, and join the corpus once rewritten for
 * the reference lab.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from './driver.js';
import {
  endsSession,
  mutateOther,
  mutateUpdate,
  type Expect,
  type FuzzContext,
  type FuzzInput,
  type Route,
  type V4,
} from './messages.js';

/** test/fixtures/fuzz, from dist/test/fuzz/ or test/fuzz/. */
export function fixturesDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const root = here.includes('/dist/') ? join(here, '../../..') : join(here, '../..');
  return join(root, 'test', 'fixtures', 'fuzz');
}

interface SerialInput {
  readonly message: FuzzInput['message'];
  readonly mutation: string;
  readonly hex: string;
  readonly expect: Expect;
}

export interface CorpusEntry {
  readonly name: string;
  /** What it broke, or which rule it pins. */
  readonly why: string;
  readonly inputs: readonly SerialInput[];
}

const serial = (i: FuzzInput): SerialInput => ({
  message: i.message,
  mutation: i.mutation,
  hex: Buffer.from(i.octets).toString('hex'),
  expect: i.expect,
});
export const deserial = (s: SerialInput): FuzzInput => ({
  message: s.message,
  mutation: s.mutation,
  octets: Uint8Array.from(Buffer.from(s.hex, 'hex')),
  expect: s.expect,
});

export function loadCorpus(dir = join(fixturesDir(), 'corpus')): CorpusEntry[] {
  mkdirSync(dir, { recursive: true });
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CorpusEntry);
}

export function writeEntry(dir: string, e: CorpusEntry): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${e.name}.json`);
  writeFileSync(file, `${JSON.stringify(e, null, 2)}\n`);
  return file;
}

/** A finding of a run, kept under found/ by the hash of its octets. */
export function saveFinding(f: Finding, lab: string): string {
  const h = createHash('sha256');
  for (const i of f.inputs) h.update(i.octets);
  const name = h.digest('hex').slice(0, 16);
  return writeEntry(join(fixturesDir(), 'found'), { name, why: `${f.why} (lab ${lab})`, inputs: f.inputs.map(serial) });
}

/** Splits an entry's inputs as a batch: those that keep the session, then at most one that ends it. */
export function asBatch(e: CorpusEntry): { inputs: FuzzInput[]; last?: FuzzInput } {
  const all = e.inputs.map(deserial);
  const last = all.at(-1);
  return last && endsSession(last.expect) ? { inputs: all.slice(0, -1), last } : { inputs: all };
}

/**
 * The regression cases of issue 8, built for the reference lab's fuzzer 0 on IN_0: the inputs
 * that crashed the lab or were mishandled before it was fixed.
 */
export function issue8Corpus(ctx: FuzzContext): CorpusEntry[] {
  // 100.65.K.0/24 and /32s: outside the fuzzers' pools (100.64.x.y) and markers.
  const pool = (k: number, len = 32): V4 => ({
    addr: ((100 << 24) | (65 << 16) | (k << 8) | (len === 32 ? 1 : 0)) >>> 0,
    len,
  });
  const base: Route = { origin: 0, asPath: [{ type: 2, asns: [ctx.peerAs] }], nextHop: 0xc6336401 }; // 198.51.100.1
  const comms = (n: number) => Array.from({ length: n }, (_, i) => ((ctx.peerAs << 16) | (i + 1)) >>> 0);
  const valid = (r: Route, p: V4) => mutateUpdate(r, [p], { kind: 'valid' }, ctx);
  return [
    {
      name: 'issue8-1-communities-1011',
      why: 'finding 1: a 4,095-octet UPDATE with 1,011 communities; 65515 in front makes 4,099 octets and packUpdates threw RangeError out of the socket handler, killing the lab. Accepted, not re-advertised (RFC 4271 §4.1).',
      inputs: [serial(valid({ ...base, communities: comms(1011) }, pool(0, 24)))],
    },
    {
      name: 'issue8-1-as-path-1011',
      why: 'finding 1: an AS_PATH of 1,011 4-octet ASNs (4,094 octets); with 65515, 4,100. Same crash.',
      inputs: [
        serial(
          valid(
            {
              ...base,
              asPath: [{ type: 2, asns: [ctx.peerAs, ...Array.from({ length: 1010 }, (_, i) => 4_200_000_001 + i)] }],
            },
            pool(1, 24),
          ),
        ),
      ],
    },
    {
      name: 'issue8-1-boundary-4096',
      why: 'finding 1, the limit itself: a re-advertisement of exactly 4,096 octets is sent, one of 4,097 is not.',
      inputs: [
        serial(valid({ ...base, communities: comms(1010) }, pool(2))),
        serial(valid({ ...base, communities: comms(1011) }, { addr: (100 << 24) >>> 0, len: 8 })),
      ],
    },
    {
      name: 'issue8-5-ipv4-ipv6-next-hop-16',
      why: 'finding 5: IPv4 NLRI with a 16-octet MP_REACH next hop, no Extended Next Hop capability: was programmed with next hop ::',
      inputs: [serial(mutateUpdate(base, [pool(4)], { kind: 'ipv4-mp-reach-ipv6-next-hop', length: 16 }, ctx))],
    },
    {
      name: 'issue8-5-ipv4-ipv6-next-hop-32',
      why: 'finding 5: the same with a 32-octet next hop (global + link-local)',
      inputs: [serial(mutateUpdate(base, [pool(5)], { kind: 'ipv4-mp-reach-ipv6-next-hop', length: 32 }, ctx))],
    },
    {
      name: 'issue8-5-own-next-hop',
      why: "finding 5: a NEXT_HOP that is the instance's own address (emulated, then mapped) was programmed; RFC 4271 §6.3 (a) says ignore",
      inputs: [
        serial(valid(base, pool(6))),
        serial(mutateUpdate(base, [pool(6)], { kind: 'next-hop-self', which: 0 }, ctx)),
        serial(mutateUpdate(base, [pool(7)], { kind: 'next-hop-self', which: 1 }, ctx)),
      ],
    },
    {
      name: 'issue8-8-route-refresh-reserved-subtype',
      why: 'finding 8: ROUTE-REFRESH with a reserved subtype and a wrong length got 1/2; RFC 7313 §5 says ignore',
      inputs: [
        serial(mutateOther({ kind: 'route-refresh-reserved-subtype', subtype: 3, extra: 1 })),
        serial(mutateOther({ kind: 'route-refresh-reserved-subtype', subtype: 255, extra: -1 })),
      ],
    },
  ];
}

/** Inputs the fuzz suite itself found mishandled (its first runs, December 2026). */
export function fuzzFoundCorpus(ctx: FuzzContext): CorpusEntry[] {
  const base: Route = { origin: 0, asPath: [{ type: 2, asns: [ctx.peerAs] }], nextHop: 0xc6336401 };
  const p = (k: number): V4 => ({ addr: ((100 << 24) | (65 << 16) | (100 << 8) | k) >>> 0, len: 32 });
  return [
    {
      name: 'fuzz-route-refresh-unnegotiated-family',
      why: 'found by the fuzz suite: a ROUTE-REFRESH for AFI 16388 or AFI 2 (SAFI 1) re-sent the IPv4 Adj-RIB-Out; RFC 2918 §4 says an <AFI, SAFI> not advertised at session establishment is ignored',
      inputs: [
        serial(mutateOther({ kind: 'route-refresh-other-family', afi: 16388, safi: 1 })),
        serial(mutateOther({ kind: 'route-refresh-other-family', afi: 2, safi: 1 })),
      ],
    },
    {
      name: 'fuzz-local-pref-external-malformed',
      why: 'found by the fuzz suite: a LOCAL_PREF of 3 or 5 octets from an external peer withdrew the route; RFC 7606 §7.5 says discard it (attribute discard) whatever it holds',
      inputs: [
        serial(mutateUpdate(base, [p(1)], { kind: 'local-pref-ebgp', length: 3 }, ctx)),
        serial(mutateUpdate(base, [p(2)], { kind: 'local-pref-ebgp', length: 5 }, ctx)),
        serial(mutateUpdate(base, [p(3)], { kind: 'local-pref-ebgp', length: 0 }, ctx)),
      ],
    },
  ];
}
