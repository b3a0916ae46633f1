/**
 * Issue 10 item 8: the `azure` timing profile delays what NICs get (effective routes, the
 * data path) but not what the route server and gateways list (R-TIME-1, R-TIME-2). On a
 * virtual clock, so that the 30-s dampening window is stepped through exactly.
 *
 * Lab (10.80.x; the route-server instances listen on 127.80.0.4/.5): hub with route server
 * hubrs (branch-to-branch on, R-ARS-11), ExpressRoute gateway er1 on circuit c1; onprem1
 * (AS 65100) is c1's customer edge on both links; a client VM whose NIC we read.
 *
 * Expected times come from the rules: a change reaches NICs 0.9–5.4 s after it happens
 * (R-TIME-1); a prefix is programmed at most once per 30 s, so an announce that follows a
 * withdraw reaches NICs 30 s after the withdraw did (R-TIME-2). Listings change at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix } from '../../src/bgp/wire/index.js';
import type { ApiClient } from '../../src/cli/client.js';
import type { Lab } from '../../src/lab/lab.js';
import { hubErLab, hubErMsee } from '../fixtures/hubErLab.js';
import { runCli } from '../helpers/inProcessCli.js';
import { startVirtualClockLab, type VirtualClockLab } from '../helpers/virtualClockLab.js';

const N = 80;
const ONPREM = `10.${N + 1}.0.0/16`;
const MSEE_NH = hubErMsee(N);
const T = { timeout: 30_000 };
/** R-TIME-1's band and R-TIME-2's window, from the published figures (docs/rules.md). */
const MIN_DELAY = 900;
const MAX_DELAY = 5400;
const WINDOW = 30_000;
/** R-ER-3: the gateway learns the prefix over eBGP from both MSEE links. */
const LEARNED = [`EBgp 10.${N}.3.4`, `EBgp 10.${N}.3.5`];

let v: VirtualClockLab;
let lab: Lab;
let client: ApiClient;

before(async () => {
  const { model, routers } = hubErLab({ n: N, onpremRoutes: [] });
  v = await startVirtualClockLab('timing', model, routers, { timing: { profile: 'azure', seed: 80 } });
  ({ lab, client } = v);
  // Everything the start programmed is in the NICs before the tests begin.
  await advance(WINDOW + MAX_DELAY);
});

after(async () => {
  await v?.stop();
});

const arslab = (...argv: string[]) => runCli(client, argv);

const advance = (ms: number) => v.advance(ms);

/** The client NIC's Active gateway rows for the on-premises prefix, "prefix nextHop". */
const nicRows = () =>
  lab
    .effectiveRoutes(lab.model.networkInterfaces.find((n) => n.name === 'clientVMNic')!)
    .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active' && r.addressPrefix[0] === ONPREM)
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress.join(',')}`);

/** What er1 lists for the on-premises prefix: one row per MSEE link it learned it from (R-ER-3). */
async function erLearned(): Promise<string[]> {
  const rows = JSON.parse(
    await arslab('network', 'vnet-gateway', 'list-learned-routes', '-g', 'rg', '-n', 'er1', '-o', 'json'),
  ) as { value: { network: string; origin: string; sourcePeer: string }[] };
  return rows.value
    .filter((r) => r.network === ONPREM)
    .map((r) => `${r.origin} ${r.sourcePeer}`)
    .sort();
}

/** The fabric's programming events for the prefix since `seq`, with their lab times. */
const programmed = (seq: number) =>
  lab.events.since(seq).filter((e) => e.source === 'fabric/hub' && e.data?.prefix === ONPREM);

test('azure timing: a new route is listed by the gateway at once and reaches the NIC 0.9–5.4 s later', T, async () => {
  assert.deepEqual(nicRows(), []);
  const seq = lab.events.since().at(-1)!.seq;
  const t0 = v.clock.now();
  await arslab('node', 'cmd', 'onprem1', 'announce', 'route', ONPREM);
  // R-TIME-1: listings are the control plane: at once (no virtual time has passed).
  assert.deepEqual(await erLearned(), LEARNED);
  assert.deepEqual(nicRows(), [], 'the NIC has not been programmed yet');
  await advance(MIN_DELAY - 1);
  assert.deepEqual(nicRows(), [], 'not before 0.9 s');
  await advance(MAX_DELAY - MIN_DELAY + 1);
  // R-ER-4: toward the MSEE; beside a route server ExpressRoute ECMP collapses to one next hop.
  assert.deepEqual(nicRows(), [`${ONPREM} ${MSEE_NH[0]}`], 'by 5.4 s');
  const ev = programmed(seq);
  assert.equal(ev.length, 1);
  const delay = ev[0]!.data!.delayMs as number;
  assert.ok(delay >= MIN_DELAY && delay <= MAX_DELAY, `delay ${delay} ms`);
  assert.equal(v.clock.now() - t0, MAX_DELAY);
  // Network Watcher's next hop and the data path follow the NIC, not the listing.
  const nic = lab.model.networkInterfaces.find((n) => n.name === 'clientVMNic')!;
  assert.equal(lab.nextHop(nic, parsePrefix(`10.${N + 1}.0.1/32`)!).nextHopIpAddress, MSEE_NH[0]);
});

test(
  'azure timing: withdraw then announce — the announce reaches the NIC 30 s after the withdraw did (dampening)',
  T,
  async () => {
    await advance(WINDOW); // well clear of the previous programming
    const seq = lab.events.since().at(-1)!.seq;
    await arslab('node', 'cmd', 'onprem1', 'withdraw', 'route', ONPREM);
    assert.deepEqual(await erLearned(), [], 'the gateway stops listing it at once');
    assert.equal(nicRows().length, 1, 'the NIC still has it');
    await advance(MAX_DELAY);
    assert.deepEqual(nicRows(), [], 'removed within 5.4 s');
    const withdrawn = programmed(seq);
    assert.equal(withdrawn.length, 1);
    const withdrawnAt = withdrawn[0]!.t;
    // The daemon comes back 1 s later with the route (a restart with a new configuration).
    await advance(1000);
    await arslab('node', 'cmd', 'onprem1', 'announce', 'route', ONPREM);
    assert.deepEqual(await erLearned(), LEARNED, 'listed again at once');
    // R-TIME-2: not programmed until 30 s after the withdraw was.
    // Event times count from the lab's start, which is the virtual clock's 0.
    await advance(withdrawnAt + WINDOW - v.clock.now() - 1);
    assert.deepEqual(nicRows(), [], '1 ms before the window ends, still no route');
    await advance(1);
    assert.deepEqual(nicRows(), [`${ONPREM} ${MSEE_NH[0]}`]);
    const back = programmed(seq).at(-1)!;
    assert.equal(back.t - withdrawnAt, WINDOW);
    assert.equal(back.data!.dampened, true);
  },
);
