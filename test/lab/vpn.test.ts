/**
 * VPN gateways end to end (R-VPN-1, R-VPN-2), in in-process labs built in code as
 * test/lab/hybrid.test.ts does. Four labs, each with its own addresses (10.140–10.149,
 * loopback 127.140–127.149 where a route server listens):
 * - `aa` (10.140): an active-active VPN gateway with two BGP sites (built-in routers on
 *   local network gateways); a virtual clock steps through the 180 s hold time;
 * - `as` (10.141): the same gateway active-standby;
 * - `limit` (10.143): a site that advertises up to and past the 4,000-prefix limit;
 * - `b2b` (10.142): an ExpressRoute and a VPN gateway in one VNet with a route server whose
 *   branch-to-branch setting is switched off and on.
 * Each test names the rule it fails without.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, parsePrefix } from '../../src/bgp/wire/index.js';
import { formatAsPathAzure, internAttrs, pathAsns } from '../../src/rib/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import type { RouterNodeSpec } from '../../src/lab/spec.js';
import { buildModel, type ModelInit } from '../helpers/model.js';
import { gatewayPathRows, labGateway, startSpecLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';

/** Every test of this file is bounded (the labs are in process: milliseconds each). */
const T = { timeout: 30_000 };

/** One of this file's labs, settled. */
async function start(name: string, init: ModelInit, routers: RouterNodeSpec[], clock?: VirtualClock): Promise<TestLab> {
  const t = await startSpecLab(`vpn-${name}`, { model: buildModel(init), routers }, clock ? { clock } : {});
  try {
    await t.lab.settled();
  } catch (e) {
    await t.stop();
    throw e;
  }
  return t;
}

/** A built-in router's Loc-RIB: "prefix asn asn …" of its best path per prefix. */
const routerRows = (lab: Lab, name: string) =>
  [...lab.hybrid!.routers.get(name)!.speaker.locRib()].map((e) =>
    `${formatPrefix(e.prefix)} ${pathAsns(e.best[0]!.attrs).join(' ')}`.trim(),
  );

/** A NIC's active VirtualNetworkGateway rows, "prefix nextHop", one per next hop. */
const nicRows = (lab: Lab, nicName: string) =>
  lab
    .effectiveRoutes(lab.model.networkInterfaces.find((n) => n.name === nicName)!)
    .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active')
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress.join(',')}`);

/** Every path a gateway instance holds (rejected ones left out), as "prefix origin-class sourcePeer aspath weight". */
const gatewayRows = (lab: Lab, name: string, i: 0 | 1): string[] =>
  gatewayPathRows(labGateway(lab, name).instances[i]!);

// ---------------------------------------------------------------------------
// R-VPN-1: active-active, two BGP sites.

/** A hub with a VPN gateway and two sites; `n` picks the addresses (10.n.0.0/20). */
function vpnHub(n: number, activeActive: boolean, sites: { lng: string; asn: number; bgp: string }[]): ModelInit {
  return {
    vnets: [
      {
        name: 'hub',
        prefixes: [`10.${n}.0.0/20`],
        subnets: [
          { name: 'default', prefix: `10.${n}.2.0/24` },
          { name: 'GatewaySubnet', prefix: `10.${n}.3.0/24` },
        ],
      },
    ],
    vms: [{ name: 'client', vnet: 'hub', subnet: 'default', ip: `10.${n}.2.10` }],
    gateways: [
      {
        name: 'vpn1',
        vnet: 'hub',
        type: 'Vpn',
        instances: [`10.${n}.3.4`, `10.${n}.3.5`],
        activeActive,
        publicIps: activeActive ? [`198.51.100.${n - 100}`, `198.51.100.${n - 80}`] : [`198.51.100.${n - 100}`],
        apipa: activeActive ? ['169.254.21.1', '169.254.22.1'] : ['169.254.21.1'],
      },
    ],
    localNetworkGateways: sites.map((s, i) => ({
      name: s.lng,
      ip: `203.0.113.${n - 100 + i}`,
      prefixes: [],
      asn: s.asn,
      bgp: s.bgp,
    })),
    connections: sites.map((s) => ({ name: `vpn1-${s.lng}`, gateway: 'vpn1', lng: s.lng })),
  };
}

// site2 has the lower BGP address (it would win the neighbour-address tie) and prepends
// 10.146.0.0/16: only the AS-path length makes site1's path the best one.
const AA_SITES = [
  { lng: 'lng1', asn: 65010, bgp: '169.254.21.6' },
  { lng: 'lng2', asn: 65020, bgp: '169.254.21.2' },
];
const aaRouters: RouterNodeSpec[] = [
  {
    kind: 'router',
    name: 'site1',
    asn: 65010,
    routerId: '169.254.21.6',
    attach: [{ kind: 'vpn', localNetworkGateway: 'lng1' }],
    routes: [
      { prefix: '10.145.0.0/16', origin: 'igp' },
      { prefix: '10.146.0.0/16', origin: 'igp' },
      { prefix: '0.0.0.0/0', origin: 'igp' },
      // Covers the hub's 10.140.0.0/20.
      { prefix: '10.140.0.0/16', origin: 'igp' },
      // Inside the hub's range.
      { prefix: '10.140.8.0/24', origin: 'igp' },
    ],
  },
  {
    kind: 'router',
    name: 'site2',
    asn: 65020,
    routerId: '169.254.21.2',
    attach: [{ kind: 'vpn', localNetworkGateway: 'lng2' }],
    routes: [
      { prefix: '10.146.0.0/16', origin: 'igp', asPath: [65020, 65020] },
      { prefix: '10.147.0.0/16', origin: 'igp' },
    ],
  },
];

describe('R-VPN-1: active-active VPN gateway with two BGP sites', () => {
  const clock = new VirtualClock();
  let r: TestLab | undefined;
  const lab = () => r!.lab;
  before(async () => {
    r = await start('aa', vpnHub(140, true, AA_SITES), aaRouters, clock);
  }, T);
  after(async () => {
    await r?.stop();
  }, T);

  test('BGP over the tunnels: each site peers with both instances (from their APIPA addresses)', T, () => {
    const labels = [...lab().hybrid!.sessions.keys()].sort();
    assert.deepEqual(labels, ['site1<->vpn1/0', 'site1<->vpn1/1', 'site2<->vpn1/0', 'site2<->vpn1/1']);
    for (const s of lab().hybrid!.sessions.values()) assert.equal(s.state, 'Established', s.label);
    const gw = lab().hybrid!.sessions.get('site1<->vpn1/1')!;
    assert.equal(gw.end(0).peer.address, '169.254.22.1', 'the site sees instance 1 at its APIPA address');
    assert.ok(
      gatewayRows(lab(), 'vpn1', 1).includes('10.145.0.0/16 EBgp 169.254.21.6 65010 32768'),
      gatewayRows(lab(), 'vpn1', 1).join('\n'),
    );
  });

  test("effective routes: on-premises prefixes toward each instance's private IP (ECMP, two rows)", T, () => {
    const rows = nicRows(lab(), 'clientVMNic');
    assert.deepEqual(
      rows.filter((x) => x.startsWith('10.145.0.0/16')),
      ['10.145.0.0/16 10.140.3.4', '10.145.0.0/16 10.140.3.5'],
      rows.join('\n'),
    );
    assert.deepEqual(
      rows.filter((x) => x.startsWith('10.147.0.0/16')),
      ['10.147.0.0/16 10.140.3.4', '10.147.0.0/16 10.140.3.5'],
    );
  });

  test(
    "never a default route nor a prefix overlapping the VNet toward on-premises; VNet ranges and other sites' routes do go",
    T,
    () => {
      const rows = routerRows(lab(), 'site2');
      // Positive controls: the gateway holds what site1 sent, and passes site1's other routes and the VNet range.
      const held = gatewayRows(lab(), 'vpn1', 0).map((x) => x.split(' ')[0]);
      for (const p of ['0.0.0.0/0', '10.140.0.0/16', '10.140.8.0/24'])
        assert.ok(held.includes(p), `the gateway learned ${p}`);
      assert.ok(rows.includes('10.140.0.0/20 65515'), rows.join('\n'));
      assert.ok(rows.includes('10.145.0.0/16 65515 65010'), rows.join('\n'));
      assert.ok(!rows.some((x) => x.startsWith('0.0.0.0/0')), `no default route: ${rows.join(', ')}`);
      assert.ok(!rows.some((x) => x.startsWith('10.140.0.0/16 ')), `no supernet of the VNet: ${rows.join(', ')}`);
      assert.ok(!rows.some((x) => x.startsWith('10.140.8.0/24')), `no subnet of the VNet: ${rows.join(', ')}`);
    },
  );

  test(
    'AS-path prepend from on-premises is honoured: of two sites announcing a prefix, the prepended path loses',
    T,
    () => {
      for (const i of [0, 1] as const) {
        const sp = labGateway(lab(), 'vpn1').instances[i]!;
        const e = [...sp.locRib()].find((x) => formatPrefix(x.prefix) === '10.146.0.0/16')!;
        assert.deepEqual(
          e.best.map((p) => `${p.source.name} ${formatAsPathAzure(p.attrs.asPath)}`),
          ['lng1 65010'],
          `instance ${i}: one best path, site1's`,
        );
        assert.ok(
          sp.candidates(e.prefix).some((p) => formatAsPathAzure(p.attrs.asPath) === '65020-65020-65020'),
          "site2's prepended path is there, and loses",
        );
      }
      // NICs: the prefix once, toward both instances.
      const nic = nicRows(lab(), 'clientVMNic').filter((x) => x.startsWith('10.146.0.0/16'));
      assert.deepEqual(nic, ['10.146.0.0/16 10.140.3.4', '10.146.0.0/16 10.140.3.5']);
    },
  );

  test('timers 60/180 and no BFD: a cut tunnel keeps its routes for the 180 s hold time, then they go', T, async () => {
    const sessions = ['site2<->vpn1/0', 'site2<->vpn1/1'].map((l) => lab().hybrid!.sessions.get(l)!);
    for (const s of sessions) assert.deepEqual(s.timers, { holdTime: 180, keepaliveTime: 60 });
    const has147 = () => nicRows(lab(), 'clientVMNic').some((x) => x.startsWith('10.147.0.0/16'));
    assert.ok(has147());
    for (const s of sessions) s.cut();
    clock.advance(179_000);
    await lab().settled();
    assert.ok(has147(), 'still there 179 s after the cut (no BFD)');
    clock.advance(1_000);
    await lab().settled();
    assert.ok(!has147(), 'gone when the hold timer expires at 180 s');
    for (const s of sessions) s.open();
    await lab().settled();
    assert.ok(has147(), 'back once the tunnels are up');
  });
});

describe('R-VPN-1: active-standby VPN gateway', () => {
  let r: TestLab | undefined;
  before(async () => {
    r = await start('as', vpnHub(141, false, [{ lng: 'lng1', asn: 65011, bgp: '169.254.21.2' }]), [
      {
        kind: 'router',
        name: 'site1',
        asn: 65011,
        routerId: '169.254.21.2',
        attach: [{ kind: 'vpn', localNetworkGateway: 'lng1' }],
        routes: [{ prefix: '10.145.0.0/16', origin: 'igp' }],
      },
    ]);
  }, T);
  after(async () => {
    await r?.stop();
  }, T);

  test("one instance, one BGP session; NICs get one row, toward the gateway's public IP", T, () => {
    const lab = r!.lab;
    assert.equal(labGateway(lab, 'vpn1').instances.length, 1);
    assert.deepEqual([...lab.hybrid!.sessions.keys()], ['site1<->vpn1/0']);
    assert.deepEqual(
      nicRows(lab, 'clientVMNic').filter((x) => x.startsWith('10.145.0.0/16')),
      ['10.145.0.0/16 198.51.100.41'],
    );
  });
});

describe('R-VPN-1: 4,000 prefixes per peer; past it the session drops', () => {
  const clock = new VirtualClock();
  let r: TestLab | undefined;
  const prefixes = Array.from({ length: 4001 }, (_, k) => `10.148.${k >> 4}.${(k & 15) << 4}/28`);
  before(async () => {
    r = await start(
      'limit',
      vpnHub(143, true, [{ lng: 'lng1', asn: 65013, bgp: '169.254.21.2' }]),
      [
        {
          kind: 'router',
          name: 'big',
          asn: 65013,
          routerId: '169.254.21.2',
          attach: [{ kind: 'vpn', localNetworkGateway: 'lng1' }],
          routes: prefixes.slice(0, 4000).map((prefix) => ({ prefix, origin: 'igp' as const })),
        },
      ],
      clock,
    );
  }, T);
  after(async () => {
    await r?.stop();
  }, T);

  test(
    '4,000 routes are taken; the 4,001st drops both sessions and every route of the site; below the limit again, the retry brings them back',
    T,
    async () => {
      const lab = r!.lab;
      const sessions = ['big<->vpn1/0', 'big<->vpn1/1'].map((l) => lab.hybrid!.sessions.get(l)!);
      const count = () => nicRows(lab, 'clientVMNic').filter((x) => x.startsWith('10.148.')).length;
      for (const s of sessions) assert.equal(s.state, 'Established');
      assert.equal(count(), 8000, '4,000 prefixes, two next hops each');
      const router = lab.hybrid!.routers.get('big')!;
      const extra = parsePrefix(prefixes[4000]!)!;
      router.speaker.originate(extra, internAttrs({ origin: 0, asPath: [], nextHop: '169.254.21.2' }));
      await lab.settled();
      for (const s of sessions) assert.equal(s.state, 'Idle', `${s.label} dropped`);
      assert.equal(count(), 0, 'every route of the site withdrawn');
      assert.ok(lab.events.since().some((e) => /prefix limit exceeded at vpn1\/0: 4001 > 4000/.test(e.message)));
      router.speaker.withdrawLocal(extra);
      clock.advance(30_000);
      await lab.settled();
      for (const s of sessions) assert.equal(s.state, 'Established', `${s.label} back after the retry`);
      assert.equal(count(), 8000);
    },
  );
});

// ---------------------------------------------------------------------------
// R-VPN-2: ER and VPN gateways in one VNet, with a route server.

const B = 142;
function b2bModel(): ModelInit {
  return {
    vnets: [
      {
        name: 'hub',
        prefixes: [`10.${B}.0.0/20`],
        subnets: [
          { name: 'RouteServerSubnet', prefix: `10.${B}.0.0/26` },
          { name: 'default', prefix: `10.${B}.2.0/24` },
          { name: 'GatewaySubnet', prefix: `10.${B}.3.0/24` },
        ],
      },
    ],
    vms: [{ name: 'client', vnet: 'hub', subnet: 'default', ip: `10.${B}.2.10` }],
    routeServers: [{ name: 'hubrs', vnet: 'hub', allowBranchToBranchTraffic: false, peerings: [] }],
    gateways: [
      { name: 'er1', vnet: 'hub', type: 'ExpressRoute', instances: [`10.${B}.3.12`, `10.${B}.3.13`] },
      {
        name: 'vpn1',
        vnet: 'hub',
        type: 'Vpn',
        instances: [`10.${B}.3.14`, `10.${B}.3.15`],
        activeActive: true,
        publicIps: ['198.51.100.142', '198.51.100.143'],
        apipa: ['169.254.21.1', '169.254.22.1'],
      },
    ],
    circuits: [
      {
        name: 'c1',
        location: 'Amsterdam',
        peerASN: 65030,
        primary: '169.254.142.0/30',
        secondary: '169.254.142.4/30',
        msee: ['10.144.146.35', '10.144.146.36'],
      },
    ],
    connections: [
      { name: 'er1-c1', gateway: 'er1', circuit: 'c1', msee: [`10.${B}.3.4`, `10.${B}.3.5`] },
      { name: 'vpn1-site', gateway: 'vpn1', lng: 'site' },
    ],
    localNetworkGateways: [{ name: 'site', ip: '203.0.113.142', prefixes: [], asn: 65040, bgp: '169.254.21.2' }],
  };
}
const b2bRouters: RouterNodeSpec[] = [
  {
    kind: 'router',
    name: 'onprem-er',
    asn: 65030,
    routerId: '169.254.142.1',
    attach: [
      { kind: 'expressRoute', circuit: 'c1', link: 'primary' },
      { kind: 'expressRoute', circuit: 'c1', link: 'secondary' },
    ],
    routes: [{ prefix: '10.148.0.0/16', origin: 'igp' }],
  },
  {
    kind: 'router',
    name: 'vpnsite',
    asn: 65040,
    routerId: '169.254.21.2',
    attach: [{ kind: 'vpn', localNetworkGateway: 'site' }],
    routes: [{ prefix: '10.149.0.0/16', origin: 'igp' }],
  },
];

describe('R-VPN-2: ExpressRoute and VPN gateways in one VNet', () => {
  let r: TestLab | undefined;
  const lab = () => r!.lab;
  const setB2b = async (on: boolean) => {
    lab().applyModel(
      { ...lab().model, routeServers: lab().model.routeServers.map((x) => ({ ...x, allowBranchToBranchTraffic: on })) },
      `test: b2b ${on ? 'on' : 'off'}`,
    );
    await lab().settled();
  };
  before(async () => {
    // The route server's instances listen on 127.142.0.4 and 127.142.0.5 (loopback mode).
    r = await start('b2b', b2bModel(), b2bRouters);
  }, T);
  after(async () => {
    await r?.stop();
  }, T);

  test(
    "the gateways exchange routes over iBGP: the VPN site's prefix is an IBgp row at the ER gateway, the circuit's at the VPN gateway",
    T,
    () => {
      for (const i of [0, 1] as const) {
        const er = gatewayRows(lab(), 'er1', i);
        assert.ok(er.includes(`10.149.0.0/16 IBgp 10.${B}.3.14 65040 32768`), `er1/${i}:\n${er.join('\n')}`);
        assert.ok(er.includes(`10.149.0.0/16 IBgp 10.${B}.3.15 65040 32768`));
        const vpn = gatewayRows(lab(), 'vpn1', i);
        assert.ok(vpn.includes(`10.148.0.0/16 IBgp 10.${B}.3.12 12076-65030 32768`), `vpn1/${i}:\n${vpn.join('\n')}`);
      }
    },
  );

  test(
    "branch-to-branch off: no ER↔VPN transit — the circuit's site never learns the VPN site's prefix, nor the other way round",
    T,
    async () => {
      await setB2b(false);
      const er = routerRows(lab(), 'onprem-er');
      const vpn = routerRows(lab(), 'vpnsite');
      assert.ok(er.includes(`10.${B}.0.0/20 12076`), `positive control: ${er.join(', ')}`);
      assert.ok(vpn.includes(`10.${B}.0.0/20 65515`), `positive control: ${vpn.join(', ')}`);
      assert.ok(!er.some((x) => x.startsWith('10.149.0.0/16')), `onprem-er: ${er.join(', ')}`);
      assert.ok(!vpn.some((x) => x.startsWith('10.148.0.0/16')), `vpnsite: ${vpn.join(', ')}`);
      // NICs get both anyway.
      const nic = nicRows(lab(), 'clientVMNic');
      assert.ok(nic.includes('10.148.0.0/16 10.144.146.35'), nic.join('\n'));
      assert.ok(nic.includes(`10.149.0.0/16 10.${B}.3.14`), nic.join('\n'));
    },
  );

  test('branch-to-branch on: the route server carries ER↔VPN transit, both ways; off again, it stops', T, async () => {
    await setB2b(true);
    await waitFor(
      'transit through the route server',
      async () => {
        await lab().settled();
        return (
          routerRows(lab(), 'onprem-er').some((x) => x.startsWith('10.149.0.0/16')) &&
          routerRows(lab(), 'vpnsite').some((x) => x.startsWith('10.148.0.0/16'))
        );
      },
      10_000,
    );
    assert.ok(
      routerRows(lab(), 'onprem-er').includes('10.149.0.0/16 12076'),
      'private ASNs removed by the MSEE (R-ER-2)',
    );
    const vpn = routerRows(lab(), 'vpnsite').find((x) => x.startsWith('10.148.0.0/16'))!;
    assert.equal(vpn, '10.148.0.0/16 65515 12076 65030');
    await setB2b(false);
    await waitFor(
      'transit gone',
      async () => {
        await lab().settled();
        return (
          !routerRows(lab(), 'onprem-er').some((x) => x.startsWith('10.149.0.0/16')) &&
          !routerRows(lab(), 'vpnsite').some((x) => x.startsWith('10.148.0.0/16'))
        );
      },
      10_000,
    );
  });
});
