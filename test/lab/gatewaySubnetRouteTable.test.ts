/**
 * R-VPN-2, last part: a route table on GatewaySubnet that sends the GatewaySubnet and
 * RouteServerSubnet ranges to an NVA breaks the gateways' iBGP mesh, and every gateway- and
 * route-server-learned route disappears from all NICs; more specific VnetLocal routes for
 * those ranges restore it. One in-process lab (10.150–10.154, the route server on
 * 127.150.0.4/.5, the NVA on 127.150.1.4): a hub with a route server (branch-to-branch on),
 * an ER gateway on a circuit to an on-premises router, an NVA peering, a spoke using the hub's
 * gateways. A virtual clock steps through the mesh's 180 s hold time. A second lab (hub
 * 10.155, route server on 127.155.0.4/.5) starts with the table in place; a third (hub
 * 10.155 again, ExpressRoute and VPN gateways, no route server, no sockets) breaks and
 * restores the ER ↔ VPN sessions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SUBSCRIPTION, resourceId, type AzureModel, type Route } from '../../src/azure/index.js';
import { allLines, renderExplain } from '../../src/azure/explain.js';
import { ApiServer } from '../../src/api/server.js';
import { ApiClient } from '../../src/cli/client.js';
import { explainNic } from '../../src/lab/explain.js';
import type { Lab } from '../../src/lab/lab.js';
import { VirtualClock } from '../../src/lab/clock/virtual.js';
import type { RouterNodeSpec } from '../../src/lab/spec.js';
import { buildModel } from '../helpers/model.js';
import { nvaSpeaker, startSpecLab, type TestLab } from '../helpers/lab.js';
import { runCli } from '../helpers/inProcessCli.js';
import { waitFor } from '../helpers/waitFor.js';

const T = { timeout: 30_000 };
const ON_PREM = '10.153.0.0/16';
const NVA_ROUTE = '10.154.0.0/16';

/** The lab's model; `h` the hub's second octet (the second lab of this file uses 155). */
function model(h = 150): AzureModel {
  return buildModel({
    vnets: [
      {
        name: 'hub',
        prefixes: [`10.${h}.0.0/16`],
        subnets: [
          { name: 'RouteServerSubnet', prefix: `10.${h}.0.0/26` },
          { name: 'nva', prefix: `10.${h}.1.0/24` },
          { name: 'default', prefix: `10.${h}.2.0/24` },
          { name: 'GatewaySubnet', prefix: `10.${h}.3.0/24` },
        ],
        peerings: [{ name: 'to-spoke', remote: 'spoke', allowGatewayTransit: true }],
      },
      {
        name: 'spoke',
        prefixes: ['10.151.0.0/16'],
        subnets: [{ name: 'default', prefix: '10.151.0.0/24' }],
        peerings: [{ name: 'to-hub', remote: 'hub', useRemoteGateways: true }],
      },
    ],
    vms: [
      { name: 'nva1', vnet: 'hub', subnet: 'nva', ip: `10.${h}.1.4` },
      { name: 'client', vnet: 'hub', subnet: 'default', ip: `10.${h}.2.10` },
      { name: 'spokevm', vnet: 'spoke', subnet: 'default', ip: '10.151.0.4' },
    ],
    routeServers: [
      {
        name: 'hubrs',
        vnet: 'hub',
        allowBranchToBranchTraffic: true,
        peerings: [{ name: 'nva1', peerIp: `10.${h}.1.4`, peerAsn: 65001 }],
      },
    ],
    gateways: [{ name: 'er1', vnet: 'hub', type: 'ExpressRoute', instances: [`10.${h}.3.12`, `10.${h}.3.13`] }],
    circuits: [
      {
        name: 'c1',
        location: 'Amsterdam',
        peerASN: 65150,
        primary: '169.254.150.0/30',
        secondary: '169.254.150.4/30',
        msee: ['10.152.146.35', '10.152.146.36'],
      },
    ],
    connections: [{ name: 'er1-c1', gateway: 'er1', circuit: 'c1', msee: [`10.${h}.3.4`, `10.${h}.3.5`] }],
  });
}

const routers: RouterNodeSpec[] = [
  {
    kind: 'router',
    name: 'onprem',
    asn: 65150,
    routerId: '169.254.150.1',
    attach: [
      { kind: 'expressRoute', circuit: 'c1', link: 'primary' },
      { kind: 'expressRoute', circuit: 'c1', link: 'secondary' },
    ],
    routes: [{ prefix: ON_PREM, origin: 'igp' }],
  },
];

const TABLE_ID = resourceId(DEFAULT_SUBSCRIPTION, 'rg', 'routeTables', 'gwrt');
const toNva: Route = {
  name: 'to-nva',
  addressPrefix: '10.150.0.0/16',
  nextHopType: 'VirtualAppliance',
  nextHopIpAddress: '10.150.1.4',
};

/** The model with GatewaySubnet associated to route table gwrt holding `routes` (none: no table). */
function withTable(m: AzureModel, routes: Route[] | undefined): AzureModel {
  const table = {
    id: TABLE_ID,
    name: 'gwrt',
    resourceGroup: 'rg',
    location: 'westeurope',
    disableBgpRoutePropagation: false,
    routes: routes ?? [],
  };
  return {
    ...m,
    routeTables: routes ? [table] : [],
    virtualNetworks: m.virtualNetworks.map((v) => ({
      ...v,
      subnets: v.subnets.map((s) => {
        if (s.name !== 'GatewaySubnet') return s;
        const { routeTable: _r, ...rest } = s;
        return routes ? { ...rest, routeTable: TABLE_ID } : rest;
      }),
    })),
  };
}

let t: TestLab;
let lab: Lab;
let api: ApiServer | undefined;
let client: ApiClient;
const clock = new VirtualClock();

before(
  async () => {
    t = await startSpecLab(
      'gwrt',
      {
        model: model(),
        // No hold timer on the NVA's TCP sessions: the virtual clock jumps 180 s at once.
        nodes: [nvaSpeaker('nva1', '10.150.1.4', 65001, [{ prefix: NVA_ROUTE, nextHop: '10.150.1.4' }], 0)],
        routers,
      },
      { clock },
    );
    lab = t.lab;
    await waitFor('the NVA route and the on-premises route in the NICs', async () => {
      await lab.settled();
      const rows = gatewayRows('clientVMNic');
      return rows.some((r) => r.startsWith(NVA_ROUTE)) && rows.some((r) => r.startsWith(ON_PREM));
    });
  },
  { timeout: 60_000 },
);

after(async () => {
  await api?.close();
  await t?.stop();
}, T);

const nic = (name: string) => lab.model.networkInterfaces.find((n) => n.name === name)!;
/** Active VirtualNetworkGateway rows, "prefix nextHop". */
const gatewayRows = (nicName: string) =>
  lab
    .effectiveRoutes(nic(nicName))
    .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.state === 'Active')
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress[0]}`);
/** The route-server ↔ gateway sessions (R-ARS-11), "label state". */
const meshStates = () =>
  [...lab.hybrid!.sessions.values()].filter((s) => s.label.startsWith('hubrs/')).map((s) => s.state);

/** The lab's timeline as "source: message" lines. */
const timeline = (l: Lab) =>
  l.events
    .since(0)
    .map((e) => `${e.source}: ${e.message}`)
    .join('\n');

async function apply(routes: Route[] | undefined, why: string): Promise<void> {
  lab.applyModel(withTable(lab.model, routes), why);
  await lab.settled();
}

test(
  '(a) no route table on GatewaySubnet: the mesh is up, the NICs of hub and spoke have the on-premises and the NVA routes',
  T,
  () => {
    assert.deepEqual(meshStates(), ['Established', 'Established', 'Established', 'Established']);
    for (const n of ['clientVMNic', 'spokevmVMNic']) {
      const rows = gatewayRows(n);
      assert.ok(rows.includes(`${ON_PREM} 10.152.146.35`), `${n}: ${rows.join(', ')}`);
      assert.ok(rows.includes(`${NVA_ROUTE} 10.150.1.4`), `${n}: ${rows.join(', ')}`);
    }
  },
);

test(
  '(b) GatewaySubnet 10.150.0.0/16 → VirtualAppliance: sessions cut, down at hold expiry, every gateway and route-server route gone from NICs, explain names R-VPN-2',
  T,
  async () => {
    await apply([toNva], 'test: GatewaySubnet route table to the NVA');
    // The NVA drops the packets silently: the sessions are cut, nobody notices before the hold time.
    assert.deepEqual(meshStates(), ['Cut', 'Cut', 'Cut', 'Cut']);
    assert.ok(gatewayRows('clientVMNic').includes(`${NVA_ROUTE} 10.150.1.4`), 'routes stay until the loss is detected');
    clock.advance(179_000);
    await lab.settled();
    assert.deepEqual(meshStates(), ['Cut', 'Cut', 'Cut', 'Cut']);
    clock.advance(1_000);
    await lab.settled();
    assert.deepEqual(meshStates(), ['Idle', 'Idle', 'Idle', 'Idle']);
    for (const n of ['clientVMNic', 'spokevmVMNic'])
      assert.deepEqual(gatewayRows(n), [], `${n}: every gateway- and route-server-learned route disappears`);
    // The timeline says why.
    const text = timeline(lab);
    assert.match(
      text,
      /path broken \(R-VPN-2\): route table gwrt, route to-nva \(10\.150\.0\.0\/16 → VirtualAppliance 10\.150\.1\.4\) on GatewaySubnet/,
    );
    assert.match(text, /hold timer expired/);
    // explain names R-VPN-2 and the route for the NVA's and the on-premises prefix.
    for (const prefix of [NVA_ROUTE, ON_PREM]) {
      const r = explainNic(lab, 'rg', 'spokevmVMNic', prefix);
      const lines = allLines(r).map((x) => x.line);
      if (process.env.SHOW) console.log(renderExplain(r));
      const dropped = lines.filter((l) => l.status === 'dropped' && l.rule === 'R-VPN-2');
      assert.ok(dropped.length > 0, renderExplain(r));
      assert.match(dropped[0]!.text, /route table gwrt, route to-nva/, renderExplain(r));
      assert.ok(
        lines.some((l) => l.status === 'info' && l.rule === 'R-VPN-2' && /iBGP mesh of hub is down/.test(l.text)),
        renderExplain(r),
      );
    }
  },
);

test(
  '(c) more specific VnetLocal routes for GatewaySubnet and RouteServerSubnet: the mesh comes back, and with it every route',
  T,
  async () => {
    await apply(
      [
        toNva,
        { name: 'gw-local', addressPrefix: '10.150.3.0/24', nextHopType: 'VnetLocal' },
        { name: 'rs-local', addressPrefix: '10.150.0.0/26', nextHopType: 'VnetLocal' },
      ],
      'test: VnetLocal routes for the gateway ranges',
    );
    assert.deepEqual(meshStates(), ['Established', 'Established', 'Established', 'Established']);
    await waitFor(
      'routes back',
      async () => {
        await lab.settled();
        const rows = gatewayRows('spokevmVMNic');
        return rows.includes(`${ON_PREM} 10.152.146.35`) && rows.includes(`${NVA_ROUTE} 10.150.1.4`);
      },
      10_000,
    );
    assert.match(timeline(lab), /path restored \(R-VPN-2\)/);
  },
);

test(
  "(b') a lab (10.155) that starts with the table in place never brings the mesh up (no NIC route from the gateways)",
  T,
  async () => {
    const t2 = await startSpecLab(
      'gwrt2',
      {
        model: withTable(model(155), [{ ...toNva, addressPrefix: '10.155.0.0/16', nextHopIpAddress: '10.155.1.4' }]),
        routers,
      },
      { clock: new VirtualClock() },
    );
    const second = t2.lab;
    try {
      await second.settled();
      const states = [...second.hybrid!.sessions.values()]
        .filter((s) => s.label.startsWith('hubrs/'))
        .map((s) => s.state);
      assert.ok(
        states.every((s) => s === 'Idle'),
        states.join(),
      );
      const rows = second
        .effectiveRoutes(second.model.networkInterfaces.find((n) => n.name === 'clientVMNic')!)
        .value.filter((r) => r.source === 'VirtualNetworkGateway');
      assert.deepEqual(rows, []);
      assert.match(timeline(second), /not established \(R-VPN-2\)/);
    } finally {
      await t2.stop();
    }
  },
);

/** `arslab ARGV…` in process: the command's parsing and run, the API over HTTP, az's formatting; its stdout. */
async function arslab(...argv: string[]): Promise<string> {
  if (!api) {
    api = new ApiServer(lab);
    const addr = await api.listen('127.0.0.1', 0);
    client = new ApiClient('127.0.0.1', addr.port, DEFAULT_SUBSCRIPTION, { token: api.token });
  }
  return runCli(client, argv);
}

test(
  "(d) arslab network route-table route delete|create|list: the lab follows GatewaySubnet's table at run time",
  T,
  async () => {
    const rt = ['network', 'route-table', 'route'];
    const listed = JSON.parse(await arslab(...rt, 'list', '-g', 'rg', '--route-table-name', 'gwrt', '-o', 'json')) as {
      name: string;
      addressPrefix: string;
      nextHopType: string;
      nextHopIpAddress?: string;
      resourceGroup: string;
      type: string;
    }[];
    assert.deepEqual(
      listed.map((r) => `${r.name} ${r.addressPrefix} ${r.nextHopType} ${r.nextHopIpAddress ?? '-'}`),
      [
        'to-nva 10.150.0.0/16 VirtualAppliance 10.150.1.4',
        'gw-local 10.150.3.0/24 VnetLocal -',
        'rs-local 10.150.0.0/26 VnetLocal -',
      ],
    );
    assert.equal(listed[0]!.resourceGroup, 'rg');
    assert.equal(listed[0]!.type, 'Microsoft.Network/routeTables/routes');
    // Deleting the RouteServerSubnet route breaks the route-server ↔ gateway sessions again.
    await arslab(...rt, 'delete', '-g', 'rg', '--route-table-name', 'gwrt', '-n', 'rs-local');
    await lab.settled();
    assert.deepEqual(meshStates(), ['Cut', 'Cut', 'Cut', 'Cut']);
    clock.advance(180_000);
    await lab.settled();
    assert.deepEqual(gatewayRows('clientVMNic'), []);
    // Created again, az-shaped answer; the mesh and the routes come back.
    const created = JSON.parse(
      await arslab(
        ...rt,
        'create',
        '-g',
        'rg',
        '--route-table-name',
        'gwrt',
        '-n',
        'rs-local',
        '--address-prefix',
        '10.150.0.0/26',
        '--next-hop-type',
        'VnetLocal',
        '-o',
        'json',
      ),
    ) as Record<string, unknown>;
    assert.equal(created['name'], 'rs-local');
    assert.equal(created['nextHopType'], 'VnetLocal');
    assert.equal(created['provisioningState'], 'Succeeded');
    assert.deepEqual(meshStates(), ['Established', 'Established', 'Established', 'Established']);
    await waitFor(
      'routes back',
      async () => {
        await lab.settled();
        return gatewayRows('clientVMNic').includes(`${NVA_ROUTE} 10.150.1.4`);
      },
      10_000,
    );
    // Azure's checks: VirtualAppliance needs an address; two routes with one prefix conflict (R-NIC-3).
    await assert.rejects(
      arslab(
        ...rt,
        'create',
        '-g',
        'rg',
        '--route-table-name',
        'gwrt',
        '-n',
        'x',
        '--address-prefix',
        '10.150.9.0/24',
        '--next-hop-type',
        'VirtualAppliance',
      ),
      /VirtualAppliance needs nextHopIpAddress/,
    );
    await assert.rejects(
      arslab(
        ...rt,
        'create',
        '-g',
        'rg',
        '--route-table-name',
        'gwrt',
        '-n',
        'y',
        '--address-prefix',
        '10.150.0.0/26',
        '--next-hop-type',
        'None',
      ),
      (e: { code?: string }) => e.code === 'RouteConflict',
    );
    await assert.rejects(
      arslab(...rt, 'list', '-g', 'rg', '--route-table-name', 'nope'),
      (e: { code?: string }) => e.code === 'ResourceNotFound',
    );
    // ARM deletes idempotently: a route that is not there is 204, and az exits 0.
    await arslab(...rt, 'delete', '-g', 'rg', '--route-table-name', 'gwrt', '-n', 'never-there');
    assert.equal(lab.model.routeTables[0]!.routes.length, 3, 'refused changes leave the table as it was');
  },
);

test(
  '(e) branch-to-branch off takes the route-server sessions out of the mesh: a broken GatewaySubnet table then breaks nothing here (one gateway); on again, they stay down',
  T,
  async () => {
    const setB2b = async (on: boolean) => {
      lab.applyModel(
        { ...lab.model, routeServers: lab.model.routeServers.map((x) => ({ ...x, allowBranchToBranchTraffic: on })) },
        `test: b2b ${on ? 'on' : 'off'}`,
      );
      await lab.settled();
    };
    await apply([toNva], 'test: GatewaySubnet route table to the NVA again');
    clock.advance(180_000);
    await lab.settled();
    assert.deepEqual(gatewayRows('clientVMNic'), []);
    const seq = lab.events.since(0).at(-1)!.seq;
    await setB2b(false);
    assert.deepEqual(meshStates(), ['AdminDown', 'AdminDown', 'AdminDown', 'AdminDown']);
    const rows = gatewayRows('clientVMNic');
    assert.ok(rows.includes(`${ON_PREM} 10.152.146.35`) && rows.includes(`${NVA_ROUTE} 10.150.1.4`), rows.join(', '));
    // Out of the mesh is not "restored": nothing on the timeline says so.
    assert.doesNotMatch(
      lab.events
        .since(seq)
        .map((e) => e.message)
        .join('\n'),
      /path restored/,
    );
    await setB2b(true);
    assert.deepEqual(meshStates(), ['AdminDown', 'AdminDown', 'AdminDown', 'AdminDown']);
    assert.deepEqual(gatewayRows('clientVMNic'), []);
  },
);

test(
  "(f) ExpressRoute and VPN gateways without a route server (10.155, no sockets): the table breaks the ER ↔ VPN sessions and both gateways' routes leave the NICs; VnetLocal for GatewaySubnet restores them",
  T,
  async () => {
    const m = buildModel({
      vnets: [
        {
          name: 'hub',
          prefixes: ['10.155.0.0/16'],
          subnets: [
            { name: 'default', prefix: '10.155.2.0/24' },
            { name: 'GatewaySubnet', prefix: '10.155.3.0/24' },
          ],
        },
      ],
      vms: [{ name: 'client', vnet: 'hub', subnet: 'default', ip: '10.155.2.10' }],
      gateways: [
        { name: 'er1', vnet: 'hub', type: 'ExpressRoute', instances: ['10.155.3.12', '10.155.3.13'] },
        {
          name: 'vpn1',
          vnet: 'hub',
          type: 'Vpn',
          instances: ['10.155.3.14', '10.155.3.15'],
          activeActive: true,
          publicIps: ['198.51.100.155', '198.51.100.156'],
          apipa: ['169.254.21.1', '169.254.22.1'],
        },
      ],
      circuits: [
        {
          name: 'c1',
          location: 'Amsterdam',
          peerASN: 65150,
          primary: '169.254.150.0/30',
          secondary: '169.254.150.4/30',
          msee: ['10.152.146.35', '10.152.146.36'],
        },
      ],
      connections: [
        { name: 'er1-c1', gateway: 'er1', circuit: 'c1', msee: ['10.155.3.4', '10.155.3.5'] },
        { name: 'vpn1-site', gateway: 'vpn1', lng: 'site' },
      ],
      localNetworkGateways: [{ name: 'site', ip: '203.0.113.155', prefixes: [], asn: 65155, bgp: '169.254.21.2' }],
    });
    const broken = withTable(m, [
      {
        name: 'to-nva',
        addressPrefix: '10.155.0.0/16',
        nextHopType: 'VirtualAppliance',
        nextHopIpAddress: '10.155.2.4',
      },
    ]);
    const site: RouterNodeSpec = {
      kind: 'router',
      name: 'site',
      asn: 65155,
      routerId: '169.254.21.2',
      attach: [{ kind: 'vpn', localNetworkGateway: 'site' }],
      routes: [{ prefix: NVA_ROUTE, origin: 'igp' }],
    };
    const t3 = await startSpecLab(
      'gwrt3',
      { model: broken, routers: [...routers, site] },
      { clock: new VirtualClock() },
    );
    const third = t3.lab;
    try {
      await third.settled();
      const erVpn = () =>
        [...third.hybrid!.sessions.values()].filter((s) => /^er1\/\d<->vpn1\/\d$/.test(s.label)).map((s) => s.state);
      const rows = () =>
        third
          .effectiveRoutes(third.model.networkInterfaces[0]!)
          .value.filter((r) => r.source === 'VirtualNetworkGateway')
          .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress[0]}`);
      assert.deepEqual(erVpn(), ['Idle', 'Idle', 'Idle', 'Idle']);
      assert.deepEqual(rows(), []);
      third.applyModel(
        withTable(third.model, [
          {
            name: 'to-nva',
            addressPrefix: '10.155.0.0/16',
            nextHopType: 'VirtualAppliance',
            nextHopIpAddress: '10.155.2.4',
          },
          { name: 'gw-local', addressPrefix: '10.155.3.0/24', nextHopType: 'VnetLocal' },
        ]),
        'test: VnetLocal for GatewaySubnet',
      );
      await third.settled();
      assert.deepEqual(erVpn(), ['Established', 'Established', 'Established', 'Established']);
      const back = rows();
      assert.ok(back.includes(`${ON_PREM} 10.152.146.35`), back.join(', '));
      assert.ok(
        back.some((r) => r.startsWith(`${NVA_ROUTE} `)),
        `the VPN site's route: ${back.join(', ')}`,
      );
    } finally {
      await t3.stop();
    }
  },
);
