import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix } from '../bgp/wire/index.js';
import { buildModel, seed000Model } from '../../test/helpers/model.js';
import { effectiveRoutes, nextHop, type GatewayRoutesOf } from './effectiveRoutes.js';
import { hubOf, servedByHub, type GatewayRoute } from './gatewayRoutes.js';
import type { AzureModel } from './model.js';

/** Route-server routes for the VNet's hub, as the lab would compute them. */
const gw =
  (m: AzureModel, routes: Record<string, string[]>): GatewayRoutesOf =>
  (vnet) => {
    const hub = hubOf(m, vnet);
    if (!hub) return { routes: [], servedPrefixes: [], dropped: [] };
    return {
      routes: Object.entries(routes).map(
        ([p, nh]): GatewayRoute => ({
          prefix: parsePrefix(p)!,
          nextHops: nh,
          paths: [],
          origin: 'route-server',
          asPathLength: 1,
        }),
      ),
      servedPrefixes: servedByHub(m, hub).flatMap((v) => v.prefixes),
      dropped: [],
    };
  };

const nic = (m: AzureModel, name: string) => m.networkInterfaces.find((n) => n.name === name)!;
const rows = (
  v: { source: string; state: string; addressPrefix: string[]; nextHopType: string; nextHopIpAddress: string[] }[],
) =>
  v.map((r) => [r.source, r.state, r.addressPrefix.join(' '), r.nextHopType, r.nextHopIpAddress.join(' ')].join(' '));

test('seed 000: lt1 sees the VIP through the announced next hop, in Azure row order', () => {
  const m = seed000Model();
  const r = effectiveRoutes(m, nic(m, 'lt1VMNic'), gw(m, { '100.64.0.1/32': ['10.10.0.4'] }));
  const got = rows(r.value);
  assert.equal(got[0], 'Default Active 10.10.0.0/16 VnetLocal ');
  assert.equal(got[1], 'VirtualNetworkGateway Active 100.64.0.1/32 VirtualNetworkGateway 10.10.0.4');
  assert.equal(got[2], 'Default Active 0.0.0.0/0 Internet ');
  assert.ok(got.includes('Default Active 100.64.0.0/10 None '), 'the VIP /32 is more specific than the None range');
  assert.equal(r.value[1]!.name, null);
  assert.equal(r.value[1]!.disableBgpRoutePropagation, false);
});

test('R-NIC-5: ECMP gives one row per next hop', () => {
  const m = seed000Model();
  const r = effectiveRoutes(m, nic(m, 'lt1VMNic'), gw(m, { '100.64.0.1/32': ['10.10.0.4', '10.10.0.5'] }));
  const vip = rows(r.value).filter((x) => x.includes('100.64.0.1/32'));
  assert.deepEqual(vip, [
    'VirtualNetworkGateway Active 100.64.0.1/32 VirtualNetworkGateway 10.10.0.4',
    'VirtualNetworkGateway Active 100.64.0.1/32 VirtualNetworkGateway 10.10.0.5',
  ]);
});

test('R-ARS-8: prefixes inside the VNet address space are not programmed', () => {
  const m = seed000Model();
  const r = effectiveRoutes(
    m,
    nic(m, 'lt1VMNic'),
    gw(m, { '10.10.0.0/24': ['10.10.0.7'], '10.10.0.0/16': ['10.10.0.7'] }),
  );
  assert.ok(!rows(r.value).some((x) => x.startsWith('VirtualNetworkGateway')));
  assert.ok(r.details.some((d) => d.hidden && d.note?.rule === 'R-ARS-8'));
});

test('R-ARS-8: a route table that disables BGP propagation keeps gateway routes out', () => {
  const m = buildModel({
    vnets: [
      {
        name: 'v',
        prefixes: ['10.10.0.0/16'],
        subnets: [
          { name: 'default', prefix: '10.10.0.0/24', routeTable: 'rt' },
          { name: 'RouteServerSubnet', prefix: '10.10.1.0/24' },
        ],
      },
    ],
    routeTables: [{ name: 'rt', disableBgpRoutePropagation: true }],
    vms: [{ name: 'lt1', vnet: 'v', subnet: 'default', ip: '10.10.0.6' }],
    routeServers: [{ name: 'rs', vnet: 'v', peerings: [] }],
  });
  const r = effectiveRoutes(m, nic(m, 'lt1VMNic'), gw(m, { '100.64.0.1/32': ['10.10.0.4'] }));
  assert.ok(!rows(r.value).some((x) => x.includes('100.64.0.1/32')));
});

test('R-NIC-4: a user route beats the gateway route of the same prefix, which shows Invalid; user rows come last', () => {
  const m = buildModel({
    vnets: [
      {
        name: 'v',
        prefixes: ['10.10.0.0/16'],
        subnets: [
          { name: 'default', prefix: '10.10.0.0/24', routeTable: 'rt' },
          { name: 'RouteServerSubnet', prefix: '10.10.1.0/24' },
        ],
      },
    ],
    routeTables: [
      {
        name: 'rt',
        routes: [
          {
            name: 'vip',
            addressPrefix: '100.64.0.1/32',
            nextHopType: 'VirtualAppliance',
            nextHopIpAddress: '10.10.0.9',
          },
        ],
      },
    ],
    vms: [{ name: 'lt1', vnet: 'v', subnet: 'default', ip: '10.10.0.6' }],
    routeServers: [{ name: 'rs', vnet: 'v', peerings: [] }],
  });
  const r = effectiveRoutes(m, nic(m, 'lt1VMNic'), gw(m, { '100.64.0.1/32': ['10.10.0.4'] }));
  const got = rows(r.value);
  assert.ok(got.includes('VirtualNetworkGateway Invalid 100.64.0.1/32 VirtualNetworkGateway 10.10.0.4'));
  assert.equal(got.at(-1), 'User Active 100.64.0.1/32 VirtualAppliance 10.10.0.9');
  assert.equal(r.value.at(-1)!.name, 'vip');
  const nh = nextHop(m, nic(m, 'lt1VMNic'), parsePrefix('100.64.0.1/32')!, gw(m, { '100.64.0.1/32': ['10.10.0.4'] }));
  assert.equal(nh.nextHopType, 'VirtualAppliance');
  assert.equal(nh.nextHopIpAddress, '10.10.0.9');
  assert.match(nh.routeTableId, /routeTables\/rt$/);
});

test('R-NIC-4: a user 0.0.0.0/0 to an appliance invalidates Internet and removes the None ranges', () => {
  const m = buildModel({
    vnets: [
      {
        name: 'v',
        prefixes: ['10.10.0.0/16'],
        subnets: [{ name: 'default', prefix: '10.10.0.0/24', routeTable: 'rt' }],
      },
    ],
    routeTables: [
      {
        name: 'rt',
        routes: [
          { name: 'all', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.10.0.9' },
        ],
      },
    ],
    vms: [{ name: 'lt1', vnet: 'v', subnet: 'default', ip: '10.10.0.6' }],
  });
  const got = rows(effectiveRoutes(m, nic(m, 'lt1VMNic'), gw(m, {})).value);
  assert.deepEqual(got, [
    'Default Active 10.10.0.0/16 VnetLocal ',
    'Default Invalid 0.0.0.0/0 Internet ',
    'User Active 0.0.0.0/0 VirtualAppliance 10.10.0.9',
  ]);
});

test('R-NIC-4: a BGP 0.0.0.0/0 removes the default Internet route and the None ranges', () => {
  const m = seed000Model();
  const got = rows(effectiveRoutes(m, nic(m, 'lt1VMNic'), gw(m, { '0.0.0.0/0': ['10.10.0.7'] })).value);
  assert.deepEqual(got, [
    'Default Active 10.10.0.0/16 VnetLocal ',
    'VirtualNetworkGateway Active 0.0.0.0/0 VirtualNetworkGateway 10.10.0.7',
  ]);
});

test("R-NIC-1: the seed-2021 profile prints the seeds' None ranges, in their order", () => {
  const m = { ...seed000Model(), systemRouteProfile: 'seed-2021' as const };
  const got = rows(effectiveRoutes(m, nic(m, 'lt1VMNic'), gw(m, {})).value).filter((x) => x.includes(' None'));
  assert.deepEqual(
    got.map((x) => x.split(' ')[2]),
    ['10.0.0.0/8', '100.64.0.0/10', '192.168.0.0/16', '25.33.80.0/20', '25.41.3.0/25'],
  );
  const cur = rows(effectiveRoutes(seed000Model(), nic(m, 'lt1VMNic'), gw(seed000Model(), {})).value);
  assert.ok(cur.some((x) => x.includes('172.16.0.0/12')));
});

test('R-NIC-1: peered VNets show as VNetPeering (VNetGlobalPeering across regions) once both sides peer', () => {
  const m = buildModel({
    vnets: [
      {
        name: 'hub',
        prefixes: ['10.1.0.0/20'],
        subnets: [{ name: 'default', prefix: '10.1.1.0/24' }],
        peerings: [
          { name: 'to-spoke', remote: 'spoke' },
          { name: 'to-far', remote: 'far' },
        ],
      },
      {
        name: 'spoke',
        prefixes: ['10.1.16.0/24'],
        subnets: [{ name: 'default', prefix: '10.1.16.0/24' }],
        peerings: [{ name: 'to-hub', remote: 'hub' }],
      },
      {
        name: 'far',
        location: 'eastus',
        prefixes: ['10.2.0.0/20'],
        subnets: [{ name: 'default', prefix: '10.2.1.0/24' }],
        peerings: [{ name: 'to-hub', remote: 'hub' }],
      },
      {
        name: 'half',
        prefixes: ['10.3.0.0/20'],
        subnets: [{ name: 'default', prefix: '10.3.1.0/24' }],
        peerings: [{ name: 'to-hub', remote: 'hub' }],
      },
    ],
    vms: [{ name: 'vm', vnet: 'hub', subnet: 'default', ip: '10.1.1.10' }],
  });
  const got = rows(effectiveRoutes(m, nic(m, 'vmVMNic'), gw(m, {})).value);
  assert.deepEqual(got.slice(0, 3), [
    'Default Active 10.1.0.0/20 VnetLocal ',
    'Default Active 10.1.16.0/24 VNetPeering ',
    'Default Active 10.2.0.0/20 VNetGlobalPeering ',
  ]);
  assert.ok(!got.some((x) => x.includes('10.3.0.0/20')), 'a one-sided peering is Initiated: no route');
});

test('R-ARS-8: a spoke gets the hub Route Server routes only with useRemoteGateways + allowGatewayTransit', () => {
  const mk = (use: boolean, transit: boolean) =>
    buildModel({
      vnets: [
        {
          name: 'hub',
          prefixes: ['10.1.0.0/20'],
          subnets: [{ name: 'RouteServerSubnet', prefix: '10.1.0.0/26' }],
          peerings: [{ name: 'to-spoke', remote: 'spoke', allowGatewayTransit: transit }],
        },
        {
          name: 'spoke',
          prefixes: ['10.1.16.0/24'],
          subnets: [{ name: 'default', prefix: '10.1.16.0/24' }],
          peerings: [{ name: 'to-hub', remote: 'hub', useRemoteGateways: use }],
        },
      ],
      vms: [{ name: 'vm', vnet: 'spoke', subnet: 'default', ip: '10.1.16.4' }],
      routeServers: [{ name: 'hub1rs', vnet: 'hub', peerings: [] }],
    });
  const prog = { '10.2.0.0/16': ['10.1.1.4'], '10.1.16.0/24': ['10.1.1.4'] };
  const yes = mk(true, true);
  const got = rows(effectiveRoutes(yes, nic(yes, 'vmVMNic'), gw(yes, prog)).value);
  assert.ok(got.includes('VirtualNetworkGateway Active 10.2.0.0/16 VirtualNetworkGateway 10.1.1.4'));
  assert.ok(
    !got.some((x) => x.includes('10.1.16.0/24 VirtualNetworkGateway')),
    'the spoke own space is not programmed',
  );
  const no = mk(false, true);
  assert.ok(
    !rows(effectiveRoutes(no, nic(no, 'vmVMNic'), gw(no, prog)).value).some((x) =>
      x.startsWith('VirtualNetworkGateway'),
    ),
  );
});
