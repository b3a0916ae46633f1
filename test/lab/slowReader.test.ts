/**
 * Issue 8, finding 3: an NVA that stays Established (it sends its KEEPALIVEs) but stops reading,
 * while another NVA churns 4,000 routes (announce, withdraw, attribute changes). Real TCP peers
 * on a running lab (RawPeer: sockets the test controls). What the route server queues for the
 * slow peer stays bounded (ADR 0014), a third NVA that reads normally gets every change as
 * before, and once the slow peer reads again it ends with exactly the current routes.
 *
 * Expected routes come from R-ARS-9, not from the lab: toward an NVA each instance advertises
 * its VNet's address space with AS path 65515, and the other NVAs' routes with 65515 prepended,
 * next hop the instance, communities unchanged (docs/azure-differences.md).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTEXT_4OCTET,
  encodeMessage,
  formatIpv4,
  formatPrefix,
  v4Prefix,
  type PathAttributes,
  type Prefix,
} from '../../src/bgp/index.js';
import { RawPeer } from '../../src/bgp/transport/testkit.js';
import { SEND_QUEUE_LIMIT } from '../../src/bgp/transport/peer.js';
import { defaultBgpPort, type Lab } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';

const N = 171;
const ROUTES = 4000; // R-ARS-5: 4,000 per peer; about a seventh is withdrawn at any time
const ROUNDS = 40;
// The 'hub' layout: instances at 10.N.0.4/.5, the three NVAs at 10.N.1.4–6.
const yaml = routeServerLabYaml({
  name: 'slow-reader',
  n: N,
  peers: [
    { name: 'churner', host: 4, asn: 65001 },
    { name: 'slow', host: 5, asn: 65002 },
    { name: 'watcher', host: 6, asn: 65003 },
  ],
});

const INSTANCE = `10.${N}.0.4`;
const CHURNER_NH = ((10 << 24) | (N << 16) | (1 << 8) | 4) >>> 0;

const prefixOf = (i: number): Prefix => v4Prefix(((100 << 24) | (64 << 16) | (i << 8)) >>> 0, 24);
const withdrawnIn = (i: number, round: number): boolean => (i + round) % 7 === 0;
const pathOf = (i: number, round: number): number[] => new Array<number>(1 + ((i + round) % 3)).fill(65001);
const communityOf = (i: number, round: number): number => ((65001 << 16) | ((round * 7 + i) & 0xffff)) >>> 0;

/** One round of churn: one UPDATE per prefix (each has its own community). */
function round(r: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < ROUTES; i++) {
    const p = prefixOf(i);
    const m = withdrawnIn(i, r)
      ? { type: 'UPDATE' as const, withdrawn: [p], attributes: {}, nlri: [] }
      : {
          type: 'UPDATE' as const,
          withdrawn: [],
          attributes: {
            origin: 0 as const,
            asPath: [{ type: 2 as const, asns: pathOf(i, r) }],
            nextHop: CHURNER_NH,
            communities: [communityOf(i, r)],
          },
          nlri: [p],
        };
    out.push(encodeMessage(m, CONTEXT_4OCTET));
  }
  return out;
}

const show = (a: PathAttributes): string =>
  `${(a.asPath ?? []).flatMap((s) => s.asns).join(' ')} | ${a.nextHop === undefined ? '' : formatIpv4(a.nextHop)} | ${(a.communities ?? []).join(',')}`;

/** R-ARS-9: what an NVA other than the churner must hold after round `last`. */
function expected(last: number): Map<string, string> {
  const m = new Map<string, string>();
  m.set(`10.${N}.0.0/16`, `65515 | ${INSTANCE} | `);
  for (let i = 0; i < ROUTES; i++) {
    if (withdrawnIn(i, last)) continue;
    m.set(
      formatPrefix(prefixOf(i)),
      `${[65515, ...pathOf(i, last)].join(' ')} | ${INSTANCE} | ${communityOf(i, last)}`,
    );
  }
  return m;
}

function differences(got: Map<string, PathAttributes>, want: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, w] of want) {
    const g = got.get(p);
    if (!g) out.push(`${p}: missing`);
    else if (show(g) !== w) out.push(`${p}: ${show(g)} instead of ${w}`);
  }
  for (const p of got.keys()) if (!want.has(p)) out.push(`${p}: not expected`);
  return out;
}

/** The largest single-prefix UPDATE the route server sends here: 65515 + three 65001, one community. */
const largestUpdate = encodeMessage(
  {
    type: 'UPDATE',
    withdrawn: [],
    attributes: {
      origin: 0,
      asPath: [{ type: 2, asns: [65515, 65001, 65001, 65001] }],
      nextHop: 1,
      communities: [1],
    },
    nlri: [prefixOf(0)],
  },
  CONTEXT_4OCTET,
).length;

let t: TestLab;
let lab: Lab;
const port = defaultBgpPort();
const open = (host: number, asn: number) =>
  RawPeer.open({
    remote: { address: `127.${N}.0.4`, port },
    localAddress: `127.${N}.1.${host}`,
    asn,
    routerId: ((10 << 24) | (N << 16) | host) >>> 0,
    holdTime: 90,
  });

before(async () => {
  t = await startTestLab('slow-reader', yaml);
  lab = t.lab;
});

after(async () => {
  await t?.stop();
});

test('a peer that stops reading while another churns 4,000 routes: bounded queue, others unaffected, exact routes once it reads again', async (tc) => {
  const rs = lab.routeServer(lab.model.routeServers[0]!)!;
  const slowSession = () => rs.instances[0].peerings.get('slow')!.session.peer;
  const churner = await open(4, 65001);
  const slow = await open(5, 65002);
  const watcher = await open(6, 65003);
  try {
    await waitFor('the three sessions Established on IN_0', () =>
      ['churner', 'slow', 'watcher'].every((p) => rs.instances[0].peerings.get(p)!.session.peer.isEstablished),
    );
    slow.stopReading();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, slowSession().sendQueueBytes)), 10);
    try {
      for (let r = 0; r < ROUNDS; r++) await churner.send(round(r));
      const want = expected(ROUNDS - 1);
      // The peer that reads is not held back by the one that does not.
      await waitFor(
        'the watcher holds the current routes',
        () => differences(watcher.routes, want).length === 0,
        60_000,
      );
      const bound = SEND_QUEUE_LIMIT + (ROUTES + 1) * largestUpdate;
      peak = Math.max(peak, slowSession().counters.sendQueuePeak);
      assert.ok(
        peak <= bound,
        `bytes queued for the slow peer peaked at ${peak}, over the bound ${bound} (limit + one full-table flush)`,
      );
      tc.diagnostic(
        `bytes queued for the slow peer: peak ${peak}, bound ${bound}; ${slowSession().counters.sendBlocks} blocks`,
      );
      assert.ok(slowSession().isEstablished, 'the slow peer is still Established (it keeps sending KEEPALIVEs)');

      // It reads again: it gets the latest state of every prefix, nothing stale, nothing missing.
      slow.readAgain();
      await waitFor(
        'the slow peer holds the current routes',
        () => differences(slow.routes, want).length === 0,
        60_000,
      );
      assert.deepEqual(differences(slow.routes, want), []);
      assert.equal(slowSession().counters.establishedTransitions, 1, 'never dropped');
      // The route server learned exactly what the churner last sent (its Adj-RIB-In).
      const learned = rs.learnedRoutes('churner')['RouteServiceRole_IN_0']!;
      assert.equal(learned.length, want.size - 1);
    } finally {
      clearInterval(sampler);
    }
  } finally {
    churner.close();
    slow.close();
    watcher.close();
  }
});
