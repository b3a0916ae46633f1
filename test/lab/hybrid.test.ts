/**
 * The hybrid machinery end to end, in one lab: a hub with a route server (branch-to-branch
 * on), an NVA (built-in speaker), an ExpressRoute gateway on a circuit to an on-premises
 * router, a spoke using the hub's gateways, a second circuit and a second hub on the first
 * circuit. Each rule is asserted where it shows: R-ARS-9/11/12, R-ER-2/3/4/5, R-NIC-2.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPrefix } from '../../src/bgp/wire/index.js';
import { DEFAULT_SUBSCRIPTION, vmId, type AzureModel } from '../../src/azure/index.js';
import { formatAsPathAzure, formatCommunity, pathAsns } from '../../src/rib/index.js';
import { Lab } from '../../src/lab/lab.js';
import { DEFAULT_LAB_SETTINGS, type LabSpec } from '../../src/lab/spec.js';
import type { SpeakerNode } from '../../src/lab/kinds/speaker.js';
import { buildModel } from '../helpers/model.js';
import { SEED001_ONPREM_ROUTERS } from '../helpers/hybridRouters.js';
import { waitFor } from '../helpers/waitFor.js';

const N = 41;
function model(b2b: boolean): AzureModel {
  return buildModel({
    vnets: [
      {
        name: 'hub1',
        prefixes: [`10.${N}.0.0/20`],
        subnets: [
          { name: 'RouteServerSubnet', prefix: `10.${N}.0.0/26` },
          { name: 'nva', prefix: `10.${N}.1.0/24` },
          { name: 'default', prefix: `10.${N}.2.0/24` },
          { name: 'GatewaySubnet', prefix: `10.${N}.3.0/24` },
        ],
        peerings: [{ name: 'to-spoke', remote: 'spoke', allowGatewayTransit: true }],
      },
      {
        name: 'spoke',
        prefixes: [`10.${N}.16.0/24`],
        subnets: [{ name: 'default', prefix: `10.${N}.16.0/24` }],
        peerings: [{ name: 'to-hub', remote: 'hub1', useRemoteGateways: true }],
      },
      {
        name: 'hub2',
        prefixes: [`10.${N + 1}.0.0/20`],
        subnets: [
          { name: 'RouteServerSubnet', prefix: `10.${N + 1}.0.0/26` },
          { name: 'default', prefix: `10.${N + 1}.2.0/24` },
          { name: 'GatewaySubnet', prefix: `10.${N + 1}.3.0/24` },
        ],
      },
    ],
    vms: [
      { name: 'nva1', vnet: 'hub1', subnet: 'nva', ip: `10.${N}.1.4` },
      { name: 'client', vnet: 'hub1', subnet: 'default', ip: `10.${N}.2.10` },
      { name: 'spokevm', vnet: 'spoke', subnet: 'default', ip: `10.${N}.16.4` },
      { name: 'hub2vm', vnet: 'hub2', subnet: 'default', ip: `10.${N + 1}.2.10` },
    ],
    routeServers: [
      {
        name: 'hub1rs',
        vnet: 'hub1',
        allowBranchToBranchTraffic: b2b,
        peerings: [{ name: 'hub1nva', peerIp: `10.${N}.1.4`, peerAsn: 65001 }],
      },
      { name: 'hub2rs', vnet: 'hub2', allowBranchToBranchTraffic: true, peerings: [] },
    ],
    gateways: [
      { name: 'er1', vnet: 'hub1', type: 'ExpressRoute', instances: [`10.${N}.3.12`, `10.${N}.3.13`] },
      { name: 'er2', vnet: 'hub2', type: 'ExpressRoute', instances: [`10.${N + 1}.3.12`, `10.${N + 1}.3.13`] },
    ],
    circuits: [
      {
        name: 'c1',
        location: 'Amsterdam',
        peerASN: 133937,
        primary: '169.254.1.88/30',
        secondary: '169.254.1.92/30',
        msee: ['10.2.146.35', '10.2.146.36'],
      },
      {
        name: 'c2',
        location: 'Amsterdam',
        peerASN: 65151,
        primary: '169.254.2.0/30',
        secondary: '169.254.2.4/30',
        msee: ['10.3.1.1', '10.3.1.2'],
      },
    ],
    connections: [
      { name: 'er1-c1', gateway: 'er1', circuit: 'c1', routingWeight: 10, msee: [`10.${N}.3.4`, `10.${N}.3.5`] },
      { name: 'er1-c2', gateway: 'er1', circuit: 'c2', msee: [`10.${N}.3.6`, `10.${N}.3.7`] },
      { name: 'er2-c1', gateway: 'er2', circuit: 'c1', msee: [`10.${N + 1}.3.4`, `10.${N + 1}.3.5`] },
    ],
  });
}

const routers = [...SEED001_ONPREM_ROUTERS];

let dir = '';
let lab: Lab;

before(
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'arslab-hybrid-'));
    const m = model(true);
    const spec: LabSpec = {
      name: 'hybrid',
      file: join(dir, 'lab.yml'),
      settings: { ...DEFAULT_LAB_SETTINGS, connectRetryTime: 1 },
      model: m,
      nodes: [
        {
          kind: 'speaker',
          name: 'nva1',
          vm: vmId(DEFAULT_SUBSCRIPTION, 'rg', 'nva1'),
          address: `10.${N}.1.4`,
          asn: 65001,
          holdTime: 30,
          peerWith: 'both',
          routes: [
            { prefix: '10.99.0.0/16', nextHop: `10.${N}.1.4` },
            { prefix: '10.40.0.0/14', nextHop: `10.${N}.1.4`, communities: ['no-advertise'] },
          ],
        },
      ],
      routers,
      warnings: [],
    };
    lab = await Lab.start(spec, { stateDir: join(dir, 'state') });
    const rs = lab.routeServer(m.routeServers[0]!)!;
    await waitFor(
      'the NVA sessions',
      () => rs.instances.every((i) => [...i.peerings.values()].every((p) => p.session.peer.isEstablished)),
      20_000,
    );
    await waitFor('the NVA routes at the ER gateway', async () => {
      await lab.settled();
      return [...er(0).locRib()].some((e) => formatPrefix(e.prefix) === '10.99.0.0/16');
    });
  },
  { timeout: 60_000 },
);

after(
  async () => {
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 30_000 },
);

const er = (i: 0 | 1, name = 'er1') =>
  lab.hybrid!.gateways.get([...lab.hybrid!.gateways.keys()].find((k) => k.endsWith(`/${name}`))!)!.instances[i]!;
/** Every path an ER gateway instance holds, as "prefix origin-class sourcePeer aspath weight nexthop". */
function erRows(i: 0 | 1, name = 'er1'): string[] {
  const sp = er(i, name);
  const out: string[] = [];
  for (const { prefix } of [...sp.locRib()]) {
    for (const p of sp.candidates(prefix)) {
      if (p.rejected) continue;
      const origin = p.source.kind === 'local' ? 'Network' : p.source.kind === 'ibgp' ? 'IBgp' : 'EBgp';
      out.push(
        `${formatPrefix(prefix)} ${origin} ${p.source.address || '-'} ${formatAsPathAzure(p.attrs.asPath) || '-'} ${p.weight} ${p.source.kind === 'local' ? '-' : p.attrs.nextHop}`,
      );
    }
  }
  return out;
}

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

test('R-ER-1: cutting the link that carries 1.2.3.0/24 withdraws it after BFD detection (~0.9 s)', async () => {
  const s = lab.hybrid!.sessions.get('onprem1<->c1/secondary')!;
  s.cut();
  await new Promise((r) => setTimeout(r, 500));
  await lab.settled();
  assert.ok(nicRows('clientVMNic').includes('1.2.3.0/24 10.2.146.35'), 'still there before detection');
  await waitFor(
    'the withdrawal after BFD',
    async () => {
      await lab.settled();
      return !nicRows('clientVMNic').some((r) => r.startsWith('1.2.3.0/24'));
    },
    3000,
  );
  s.open();
  await waitFor(
    'back after the link is restored',
    async () => {
      await lab.settled();
      return nicRows('clientVMNic').includes('1.2.3.0/24 10.2.146.35');
    },
    3000,
  );
});
