/**
 * The gateway listings against seed 001: an ExpressRoute gateway instance fed the routes the
 * seed's gateway held, in the order they arrived there, lists them row for row as both
 * captures print them (the ordering rule of docs/azure-differences.md, "Gateway listings").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix, type Prefix } from '../bgp/wire/index.js';
import { internAttrs, newRouteSource, Speaker, type Neighbor } from '../rib/index.js';
import { erGatewayPolicy } from './expressRoute.js';
import {
  ArrivalOrder,
  bgpPeerStatus,
  circuitRouteSummary,
  circuitRouteTable,
  formatTimeSpan,
  formatUpDown,
  gatewayLearnedRoutes,
  type GatewayLearnedRoute,
} from './gatewayListings.js';
import type { VirtualNetworkGateway } from './model.js';
import { ER1_LEARNED_2, er1Learned1Restored, tableRows } from '../../test/fixtures/seed001.js';

const P = (t: string) => parsePrefix(t)!;

const er1: VirtualNetworkGateway = {
  id: '/subscriptions/s/resourceGroups/routeserver/providers/Microsoft.Network/virtualNetworkGateways/er1',
  name: 'er1',
  resourceGroup: 'routeserver',
  location: 'westeurope',
  gatewayType: 'ExpressRoute',
  sku: 'Standard',
  activeActive: false,
  virtualNetwork: '/subscriptions/s/resourceGroups/routeserver/providers/Microsoft.Network/virtualNetworks/hub1',
  subnet:
    '/subscriptions/s/resourceGroups/routeserver/providers/Microsoft.Network/virtualNetworks/hub1/subnets/GatewaySubnet',
  enableBgp: true,
  asn: 65515,
  instanceAddresses: ['10.1.3.12', '10.1.3.13'],
  publicIpAddresses: [],
  customBgpIpAddresses: [],
};

const VNET = ['10.1.0.0/20', '10.1.16.0/24', '10.1.17.0/24'];

/** One instance of seed 001's er1, its four neighbours (two MSEEs, two route-server instances), and the arrival bookkeeping. */
function instance(i: 0 | 1) {
  const sp = new Speaker(
    `er1/${i}`,
    65515,
    0,
    erGatewayPolicy({ gateway: er1, instance: i, vnetHasRouteServer: true }),
  );
  const order = new ArrivalOrder();
  const self = er1.instanceAddresses[i];
  for (const p of VNET) sp.originate(P(p), internAttrs({ origin: 0, asPath: [], nextHop: self }), 32768);
  order.update(VNET.map(P), (p) => sp.candidates(p));
  const peer = (address: string, kind: 'ebgp' | 'ibgp', role: string): Neighbor => {
    const n: Neighbor = {
      source: newRouteSource({ name: address, address, asn: kind === 'ebgp' ? 12076 : 65515, kind, routerId: 0, role }),
      info: { role, routingWeight: 10 },
      send: () => {},
    };
    sp.addNeighbor(n);
    sp.neighborUp(n.source.id);
    return n;
  };
  const n = {
    msee4: peer('10.1.3.4', 'ebgp', 'msee'),
    msee5: peer('10.1.3.5', 'ebgp', 'msee'),
    rs4: peer('10.1.0.4', 'ibgp', 'route-server'),
    rs5: peer('10.1.0.5', 'ibgp', 'route-server'),
  };
  const send = (from: Neighbor, asns: number[], origin: 0 | 2, nextHop: string, prefixes: string[]) => {
    sp.receive(from.source.id, [], {
      attrs: internAttrs({ origin, asPath: asns.length ? [{ type: 2, asns }] : [], nextHop }),
      prefixes: prefixes.map(P),
    });
    order.update(prefixes.map(P), (p) => sp.candidates(p));
  };
  const withdraw = (from: Neighbor, prefixes: string[]) => {
    sp.receive(from.source.id, prefixes.map(P));
    order.update(prefixes.map(P), (p) => sp.candidates(p));
  };
  const rows = () =>
    gatewayLearnedRoutes({
      address: self,
      prefixes: [...sp.locRib()].map((e) => e.prefix),
      candidates: (p: Prefix) => sp.candidates(p),
      order,
    });
  return { sp, n, send, withdraw, rows };
}

/**
 * Seed 001's arrival order at the gateway: the VNet ranges (Network, then the route server's
 * copies), the primary link's /30 from both MSEEs, the NVA's routes through the route server,
 * the secondary link's /30, the on-premises prefix (secondary only), the MSEE's reflection
 * of the other instance's VNet ranges (12076-12076), and last the route server's copy of the
 * on-premises prefix (only the instance whose own path is not the route server's best).
 */
function seedArrivals(i: 0 | 1) {
  const g = instance(i);
  const { msee4, msee5, rs4, rs5 } = g.n;
  const other = er1.instanceAddresses[i === 0 ? 1 : 0];
  const reflector = i === 0 ? msee5 : msee4; // each MSEE keeps the instance that reached it first
  g.send(rs4, [], 0, '10.1.0.4', VNET);
  g.send(rs5, [], 0, '10.1.0.5', VNET);
  for (const m of [msee4, msee5]) g.send(m, [12076, 133937], 2, m.source.address, ['169.254.1.88/30']);
  for (const rs of [rs4, rs5]) g.send(rs, [65001, 65002], 0, '10.1.1.4', ['10.2.0.0/16']);
  for (const rs of [rs4, rs5]) g.send(rs, [65001], 0, '10.1.1.4', ['10.1.0.0/16']);
  for (const m of [msee4, msee5]) g.send(m, [12076, 133937], 2, m.source.address, ['169.254.1.92/30']);
  g.send(msee5, [12076, 133937], 2, '10.1.3.5', ['1.2.3.0/24']);
  g.send(reflector, [12076, 12076], 0, other, VNET);
  if (i === 1) for (const rs of [rs4, rs5]) g.send(rs, [12076, 133937], 2, '10.1.3.5', ['1.2.3.0/24']);
  return g;
}

/** A row as the seed's table prints it (Network Origin SourcePeer AsPath Weight NextHop), empty cells gone. */
const cells = (r: GatewayLearnedRoute) =>
  [r.network, r.origin, r.sourcePeer, r.asPath, String(r.weight), r.nextHop ?? ''].filter((c) => c !== '').join(' ');

test('seed 001, first capture (instance 1): rows grouped per (prefix, class) in arrival order, row for row', () => {
  const g = seedArrivals(1);
  assert.deepEqual(g.rows().map(cells), er1Learned1Restored());
});

test('seed 001, second capture (instance 0, 10.1.0.0/16 withdrawn): row for row', () => {
  const g = seedArrivals(0);
  g.withdraw(g.n.rs4, ['10.1.0.0/16']);
  g.withdraw(g.n.rs5, ['10.1.0.0/16']);
  assert.deepEqual(g.rows().map(cells), tableRows(ER1_LEARNED_2));
});

test('learned rows: Network rows carry no next hop, the instance as source peer, an empty AS path (key order of the REST API)', () => {
  const row = seedArrivals(0).rows()[0]!;
  assert.deepEqual(Object.keys(row), ['localAddress', 'network', 'sourcePeer', 'origin', 'asPath', 'weight']);
  assert.deepEqual(row, {
    localAddress: '10.1.3.12',
    network: '10.1.0.0/20',
    sourcePeer: '10.1.3.12',
    origin: 'Network',
    asPath: '',
    weight: 32768,
  });
  const ebgp = seedArrivals(0)
    .rows()
    .find((r) => r.origin === 'EBgp')!;
  assert.deepEqual(Object.keys(ebgp), [
    'localAddress',
    'network',
    'nextHop',
    'sourcePeer',
    'origin',
    'asPath',
    'weight',
  ]);
});

test('ordering rule: a group that empties is forgotten and comes back at the end; a group keeps its place while any member stays', () => {
  const g = seedArrivals(1);
  // The primary MSEE goes away: .88/30 and .92/30 keep their place (the secondary's rows stay),
  // the 12076-12076 groups (primary only) are forgotten.
  g.withdraw(g.n.msee4, ['169.254.1.88/30', '169.254.1.92/30', ...VNET]);
  g.send(g.n.msee4, [12076, 12076], 0, '10.1.3.12', VNET);
  g.send(g.n.msee4, [12076, 133937], 2, '10.1.3.4', ['169.254.1.88/30', '169.254.1.92/30']);
  const order = g.rows().map((r) => `${r.network} ${r.origin} ${r.sourcePeer}`);
  assert.deepEqual(
    order.slice(9, 11),
    ['169.254.1.88/30 EBgp 10.1.3.4', '169.254.1.88/30 EBgp 10.1.3.5'],
    'rank order inside a group, whatever the arrival',
  );
  assert.deepEqual(
    order.slice(-3),
    ['10.1.0.0/20 EBgp 10.1.3.4', '10.1.16.0/24 EBgp 10.1.3.4', '10.1.17.0/24 EBgp 10.1.3.4'],
    'the reflections came back last',
  );
  assert.equal(order.indexOf('1.2.3.0/24 IBgp 10.1.0.4'), order.length - 5);
});

test('rejected paths are not listed (R-ARS-12: 65517:65517 from the MSEE)', () => {
  const g = instance(0);
  g.sp.receive(g.n.msee4.source.id, [], {
    attrs: internAttrs({
      origin: 0,
      asPath: [{ type: 2, asns: [12076, 12076, 65001] }],
      nextHop: '10.2.1.4',
      communities: [((65517 << 16) | 65517) >>> 0],
    }),
    prefixes: [P('10.99.0.0/16')],
  });
  assert.ok(!g.rows().some((r) => r.network === '10.99.0.0/16'));
});

test('peer status: MSEEs first, then route-server instances, by address; TimeSpan durations; not-connected peers without a duration', () => {
  const base = { routesReceived: 2, messagesSent: 139, messagesReceived: 144 };
  const rows = bgpPeerStatus([
    {
      localAddress: '10.1.3.12',
      neighbor: '10.1.0.5',
      asn: 65515,
      kind: 'ibgp',
      state: 'Established',
      connectedMs: 6_198_987.849,
      ...base,
    },
    { localAddress: '10.1.3.12', neighbor: '10.1.3.5', asn: 12076, kind: 'ebgp', state: 'Idle', ...base },
    {
      localAddress: '10.1.3.12',
      neighbor: '10.1.0.4',
      asn: 65515,
      kind: 'ibgp',
      state: 'Established',
      connectedMs: 6_199_034.7253,
      ...base,
    },
    {
      localAddress: '10.1.3.12',
      neighbor: '10.1.3.4',
      asn: 12076,
      kind: 'ebgp',
      state: 'Cut',
      connectedMs: 6_191_400.4661,
      ...base,
    },
  ]);
  assert.deepEqual(
    rows.map((r) => `${r.neighbor} ${r.asn} ${r.state} ${r.connectedDuration ?? '-'}`),
    [
      '10.1.3.4 12076 Connected 01:43:11.4004661',
      '10.1.3.5 12076 Connecting -',
      '10.1.0.4 65515 Connected 01:43:19.0347253',
      '10.1.0.5 65515 Connected 01:43:18.9878490',
    ],
  );
  assert.deepEqual(Object.keys(rows[0]!), [
    'localAddress',
    'neighbor',
    'asn',
    'state',
    'connectedDuration',
    'routesReceived',
    'messagesSent',
    'messagesReceived',
  ]);
  assert.equal(
    bgpPeerStatus([
      { localAddress: 'x', neighbor: '10.1.0.4', asn: 65515, kind: 'ibgp', state: 'AdminDown', ...base },
    ])[0]!.state,
    'Stopped',
  );
  assert.equal(formatTimeSpan(90_061_000), '1.01:01:01');
});

test('MSEE route table: by prefix, paths by next hop, the best marked *, LocPrf blank, weight 0, path space-separated', () => {
  const src = (a: string) => newRouteSource({ name: a, address: a, asn: 65515, kind: 'ebgp', routerId: 0 });
  const mk = (asns: number[], nh: string) => internAttrs({ origin: 0, asPath: [{ type: 2, asns }], nextHop: nh });
  const p12 = { source: src('10.40.0.12'), attrs: mk([65515], '10.40.0.12'), weight: 0, preference: 0 };
  const p13 = { source: src('10.40.0.13'), attrs: mk([65515], '10.40.0.13'), weight: 0, preference: 0 };
  const ce = { source: src('169.254.170.153'), attrs: mk([64512], '169.254.170.153'), weight: 0, preference: 0 };
  const rows = circuitRouteTable([
    { prefix: P('169.254.170.152/30'), candidates: [ce], best: [ce] },
    { prefix: P('10.60.0.0/16'), candidates: [p13, p12], best: [p13] },
    { prefix: P('10.40.0.0/16'), candidates: [p12, p13], best: [p12] },
  ]);
  assert.deepEqual(rows, [
    { network: '10.40.0.0/16', nextHop: '10.40.0.12*', locPrf: '', weight: 0, path: '65515' },
    { network: '10.40.0.0/16', nextHop: '10.40.0.13', locPrf: '', weight: 0, path: '65515' },
    { network: '10.60.0.0/16', nextHop: '10.40.0.12', locPrf: '', weight: 0, path: '65515' },
    { network: '10.60.0.0/16', nextHop: '10.40.0.13*', locPrf: '', weight: 0, path: '65515' },
    { network: '169.254.170.152/30', nextHop: '169.254.170.153*', locPrf: '', weight: 0, path: '64512' },
  ]);
});

test('MSEE summary: Cisco Up/Down and State/PfxRcd', () => {
  assert.deepEqual(
    circuitRouteSummary([
      { neighbor: '169.254.1.89', asn: 133937, state: 'Established', connectedMs: 3_723_000, routesReceived: 3 },
    ]),
    [{ neighbor: '169.254.1.89', v: 4, as: 133937, upDown: '01:02:03', statePfxRcd: '3' }],
  );
  assert.equal(
    circuitRouteSummary([{ neighbor: 'x', asn: 1, state: 'Idle', routesReceived: 0 }])[0]!.statePfxRcd,
    'Active',
  );
  assert.equal(formatUpDown(5 * 86_400_000 + 20 * 3_600_000), '5d20h');
  assert.equal(formatUpDown(60 * 86_400_000), '8w4d');
});
