/**
 * The hybrid machinery end to end, in one lab: a hub with a route server (branch-to-branch
 * on), an NVA (built-in speaker), an ExpressRoute gateway on a circuit to an on-premises
 * router, a spoke using the hub's gateways, a second circuit and a second hub on the first
 * circuit. Each rule is asserted where it shows: R-ARS-9/11/12, R-ER-2/3/4/5, R-NIC-2.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix } from '../../src/bgp/wire/index.js';
import { formatCommunity, pathAsns } from '../../src/rib/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import type { SpeakerNode } from '../../src/lab/kinds/speaker.js';
import {
  gatewayPathRows,
  labGateway,
  nvaSessionsEstablished,
  nvaSpeaker,
  startSpecLab,
  type TestLab,
} from '../helpers/lab.js';
import { ONPREM2, seed001Model, seed001Onprem1 } from '../fixtures/seed001Lab.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 41;

let t: TestLab;
let lab: Lab;
/** Detection times (BFD, hold timers) pass only when a test says so. */
const clock = new VirtualClock();

before(
  async () => {
    t = await startSpecLab(
      'hybrid',
      {
        model: seed001Model({ n: N, hub2: { branchToBranch: true, nva: false }, secondCircuit: true }),
        nodes: [
          nvaSpeaker('nva1', `10.${N}.1.4`, 65001, [
            { prefix: '10.99.0.0/16', nextHop: `10.${N}.1.4` },
            { prefix: '10.40.0.0/14', nextHop: `10.${N}.1.4`, communities: ['no-advertise'] },
          ]),
        ],
        routers: [seed001Onprem1(), ONPREM2],
      },
      { clock },
    );
    lab = t.lab;
    await nvaSessionsEstablished(lab);
    await waitFor('the NVA routes at the ER gateway', async () => {
      await lab.settled();
      return [...er(0).locRib()].some((e) => formatPrefix(e.prefix) === '10.99.0.0/16');
    });
  },
  { timeout: 60_000 },
);

after(
  async () => {
    await t?.stop();
  },
  { timeout: 30_000 },
);

const er = (i: 0 | 1, name = 'er1') => labGateway(lab, name).instances[i]!;
/** Every path an ER gateway instance holds, as "prefix origin-class sourcePeer aspath weight nexthop". */
const erRows = (i: 0 | 1, name = 'er1'): string[] => gatewayPathRows(er(i, name), true);

const nicRows = (nicName: string) =>
  lab
    .effectiveRoutes(lab.model.networkInterfaces.find((n) => n.name === nicName)!)
    .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active')
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress[0]}`);

test("R-ER-3: the gateway holds its VNet ranges (Network, 32768), the route server's (IBgp, 32768) and the MSEEs' (EBgp, 32769 + routingWeight)", () => {
  const rows = erRows(1);
  assert.ok(rows.includes(`10.${N}.0.0/20 Network - - 32768 -`));
  assert.ok(
    rows.includes(`10.${N}.16.0/24 Network - - 32768 -`),
    "the spoke using remote gateways is the gateway's too",
  );
  assert.ok(rows.includes(`10.${N}.0.0/20 IBgp 10.${N}.0.4 - 32768 10.${N}.0.4`));
  assert.ok(
    rows.includes(`10.99.0.0/16 IBgp 10.${N}.0.4 65001 32768 10.${N}.1.4`),
    'NVA route: AS path and next hop unchanged (R-ARS-11)',
  );
  assert.ok(
    rows.includes(`169.254.1.88/30 EBgp 10.${N}.3.4 12076-133937 32779 10.${N}.3.4`),
    'MSEE route: weight 32769 + routingWeight 10',
  );
  assert.ok(rows.includes(`1.2.3.0/24 EBgp 10.${N}.3.5 12076-133937 32779 10.${N}.3.5`));
  assert.ok(
    !rows.some((r) => r.startsWith(`1.2.3.0/24 EBgp 10.${N}.3.4`)),
    'onprem1 advertises 1.2.3.0/24 on the secondary link only',
  );
});

test('R-ER-1: each link is its own eBGP session with AS 12076, the customer edge on the first host of the /30, the MSEE on the second', () => {
  const rows = lab
    .hybrid!.routers.get('onprem1')!
    .table()
    .filter((r) => r.prefix === `10.${N}.0.0/20`);
  assert.deepEqual(rows.map((r) => `${r.peer} ${r.nextHop} ${r.asPath.join(' ')}`).sort(), [
    '169.254.1.90 169.254.1.90 12076',
    '169.254.1.94 169.254.1.94 12076',
  ]);
  for (const [link, ce] of [
    ['primary', '169.254.1.89'],
    ['secondary', '169.254.1.93'],
  ] as const) {
    const s = lab.hybrid!.sessions.get(`onprem1<->c1/${link}`)!;
    assert.equal(s.end(1).peer.address, ce, `the ${link} MSEE sees the customer edge on the first host`);
    assert.equal(s.end(0).peer.asn, 12076);
  }
});

test("R-ER-2: the MSEE reflects the other gateway instance's VNet ranges with 65515 overridden (12076-12076), next hop kept", () => {
  const one = erRows(1).filter((r) => r.includes('12076-12076'));
  const zero = erRows(0).filter((r) => r.includes('12076-12076'));
  assert.ok(one.includes(`10.${N}.0.0/20 EBgp 10.${N}.3.4 12076-12076 32779 10.${N}.3.12`), one.join('\n'));
  assert.ok(zero.includes(`10.${N}.0.0/20 EBgp 10.${N}.3.5 12076-12076 32779 10.${N}.3.13`), zero.join('\n'));
});

test('R-ARS-9: a NO_ADVERTISE route is not advertised to the ExpressRoute gateway', () => {
  assert.ok(!erRows(0).some((r) => r.startsWith('10.40.0.0/14')));
});

test('R-ARS-11: on-premises routes reach the NVA through the route server with 65517:65517, the MSEE /30s do not', async () => {
  const got = await (lab.node('nva1') as SpeakerNode).receivedRoutes();
  const r = got.find((x) => x.prefix === '1.2.3.0/24');
  assert.ok(r, JSON.stringify(got));
  assert.deepEqual(r.asPath, [65515, 12076, 133937]);
  assert.equal(r.origin, 'INCOMPLETE');
  assert.ok(r.communities.includes('65517:65517'));
  assert.ok(!got.some((x) => x.prefix.startsWith('169.254.')), 'R-ER-4: transit /30s are not passed to NVAs');
});

test('R-ER-2: on-premises sees VNet and NVA routes as 12076 only (private ASNs removed)', () => {
  const sp = lab.hybrid!.routers.get('onprem1')!.speaker;
  const rows = [...sp.locRib()].map((e) => `${formatPrefix(e.prefix)} ${pathAsns(e.best[0]!.attrs).join(' ')}`);
  assert.ok(rows.includes(`10.${N}.0.0/20 12076`), rows.join('\n'));
  assert.ok(rows.includes('10.99.0.0/16 12076'), 'NVA path 65001 (and 65515) removed');
  assert.ok(!rows.some((r) => r.startsWith('10.40.0.0/14')));
  const nva = [...sp.locRib()].find((e) => formatPrefix(e.prefix) === '10.99.0.0/16')!;
  assert.deepEqual((nva.best[0]!.attrs.communities ?? []).map(formatCommunity), ['65517:65517']);
});

test("R-ER-5: no transit between circuits: onprem1 never learns onprem2's routes", () => {
  const r1 = [...lab.hybrid!.routers.get('onprem1')!.speaker.locRib()].map((e) => formatPrefix(e.prefix));
  assert.ok(!r1.includes('10.100.20.0/24'), r1.join(' '));
  assert.ok(
    erRows(0).some((r) => r.startsWith('10.100.20.0/24 EBgp')),
    'positive control: the gateway has it',
  );
  // Nor does the gateway advertise it toward c1 (its list-advertised-routes): without R-ER-5 the
  // MSEE's own loop check on 12076 would still keep it from onprem1, so look at the gateway.
  for (const i of [0, 1] as const) {
    for (const [circuit, other] of [
      ['c1', '10.100.20.0/24'],
      ['c2', '1.2.3.0/24'],
    ] as const) {
      const s = lab.hybrid!.sessions.get(`er1/${i}<->${circuit}/primary`)!;
      const adv = [...er(i).adjRibOut(s.neighborId(0))].map((e) => formatPrefix(e.prefix));
      assert.ok(adv.includes(`10.${N}.0.0/20`), `positive control: er1/${i} advertises its VNet to ${circuit}`);
      assert.ok(!adv.includes(other), `er1/${i} toward ${circuit}: ${adv.join(' ')}`);
    }
  }
});

test("R-ARS-12: the second hub's gateway (beside a route server) drops hub1's NVA routes marked 65517:65517", () => {
  const sp = er(0, 'er2');
  const cands = [...sp.locRib()].map((e) => formatPrefix(e.prefix));
  assert.ok(!cands.includes('10.99.0.0/16'), cands.join(' '));
  // It is still there, rejected by R-ARS-12 (explain can say why).
  const sess = lab.hybrid!.sessions.get('er2/0<->c1/primary')!;
  const dropped = [...sp.adjRibIn(sess.neighborId(0))].find((e) => formatPrefix(e.prefix) === '10.99.0.0/16');
  assert.equal(dropped?.path.rejected?.rule, 'R-ARS-12');
  assert.ok(cands.includes(`10.${N}.0.0/20`), "hub1's VNet range still arrives (12076-12076)");
  assert.ok(cands.includes('1.2.3.0/24'));
});

test('R-ER-4 / R-NIC-2: NICs of the hub and of the spoke get on-premises routes toward the MSEE (one next hop beside a route server), NVA routes toward the NVA', () => {
  for (const nic of ['clientVMNic', 'spokevmVMNic']) {
    const rows = nicRows(nic);
    assert.ok(rows.includes('1.2.3.0/24 10.2.146.35'), `${nic}: ${rows.join(', ')}`);
    assert.ok(rows.includes(`10.99.0.0/16 10.${N}.1.4`));
    assert.ok(rows.includes(`10.40.0.0/14 10.${N}.1.4`), 'NO_ADVERTISE routes are still programmed');
    assert.ok(!rows.some((r) => r.startsWith('169.254.')), 'MSEE /30s are not programmed');
    assert.equal(rows.filter((r) => r.startsWith('1.2.3.0/24')).length, 1);
  }
});

test('R-ARS-11: with branch-to-branch off the gateway and the route server exchange nothing; NICs still get both', async () => {
  lab.applyModel(
    {
      ...lab.model,
      routeServers: lab.model.routeServers.map((r) =>
        r.name === 'hub1rs' ? { ...r, allowBranchToBranchTraffic: false } : r,
      ),
    },
    'test: b2b off',
  );
  await lab.settled();
  assert.ok(!erRows(0).some((r) => r.startsWith('10.99.0.0/16')), 'the gateway forgot the NVA routes');
  await waitFor(
    'the NVA to lose 1.2.3.0/24',
    async () => !(await (lab.node('nva1') as SpeakerNode).receivedRoutes()).some((x) => x.prefix === '1.2.3.0/24'),
  );
  const rows = nicRows('clientVMNic');
  assert.ok(rows.includes('1.2.3.0/24 10.2.146.35'));
  assert.ok(rows.includes(`10.99.0.0/16 10.${N}.1.4`));
  lab.applyModel(
    {
      ...lab.model,
      routeServers: lab.model.routeServers.map((r) =>
        r.name === 'hub1rs' ? { ...r, allowBranchToBranchTraffic: true } : r,
      ),
    },
    'test: b2b on',
  );
  await lab.settled();
  assert.ok(erRows(0).some((r) => r.startsWith('10.99.0.0/16')));
});

test('R-ER-1: cutting the link that carries 1.2.3.0/24 withdraws it at BFD detection (300 ms × 3 = 0.9 s)', async () => {
  // The lab runs on the virtual clock: the cut is noticed exactly when BFD declares the link
  // down, 3 intervals of 300 ms after it (R-ER-1), not a moment before.
  const s = lab.hybrid!.sessions.get('onprem1<->c1/secondary')!;
  s.cut();
  clock.advance(899);
  await lab.settled();
  assert.ok(nicRows('clientVMNic').includes('1.2.3.0/24 10.2.146.35'), 'still there 899 ms after the cut');
  clock.advance(1);
  await lab.settled();
  assert.ok(!nicRows('clientVMNic').some((r) => r.startsWith('1.2.3.0/24')), 'withdrawn at 900 ms');
  s.open();
  await lab.settled();
  assert.ok(nicRows('clientVMNic').includes('1.2.3.0/24 10.2.146.35'), 'back once the link is restored');
});
