import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix } from '../bgp/wire/index.js';
import { buildModel, seed000Model } from '../../test/helpers/model.js';
import { flowHash, forward, type Flow } from './dataPath.js';
import type { GatewayRoutesOf } from './effectiveRoutes.js';
import { hubOf, servedByHub, type GatewayRoute } from './gatewayRoutes.js';
import type { AzureModel } from './model.js';

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
const flow = (destination: string, sourcePort = 40000, destinationPort = 80): Flow => ({
  source: '10.10.0.6',
  destination,
  protocol: 6,
  sourcePort,
  destinationPort,
});

test('seed 000: lt1 reaches the VIP at the VM the route server programmed (ws1), then ws2', () => {
  const m = seed000Model();
  const a = forward(m, nic(m, 'lt1VMNic'), flow('100.64.0.1'), gw(m, { '100.64.0.1/32': ['10.10.0.4'] }));
  assert.deepEqual(
    [a.outcome, a.prefix, a.nextHopType, a.nextHopIp, a.vm?.name, a.nic?.name, a.paths],
    ['forward', '100.64.0.1/32', 'VirtualNetworkGateway', '10.10.0.4', 'ws1', 'ws1VMNic', 1],
  );
  const b = forward(m, nic(m, 'lt1VMNic'), flow('100.64.0.1'), gw(m, { '100.64.0.1/32': ['10.10.0.5'] }));
  assert.equal(b.vm?.name, 'ws2');
});

test('withdrawn: the VIP falls into 100.64.0.0/10, next hop None: no route', () => {
  const m = seed000Model();
  const d = forward(m, nic(m, 'lt1VMNic'), flow('100.64.0.1'), gw(m, {}));
  assert.deepEqual([d.outcome, d.prefix, d.nextHopType], ['no route', '100.64.0.0/10', 'None']);
});

test('VnetLocal goes to the VM holding the destination; the Internet and unknown hosts are unreachable', () => {
  const m = seed000Model();
  const local = forward(m, nic(m, 'lt1VMNic'), flow('10.10.0.5'), gw(m, {}));
  assert.deepEqual(
    [local.outcome, local.nextHopType, local.nextHopIp, local.vm?.name],
    ['forward', 'VnetLocal', '10.10.0.5', 'ws2'],
  );
  const nobody = forward(m, nic(m, 'lt1VMNic'), flow('10.10.0.99'), gw(m, {}));
  assert.deepEqual([nobody.outcome, nobody.nextHopIp], ['unreachable', '10.10.0.99']);
  const internet = forward(m, nic(m, 'lt1VMNic'), flow('8.8.8.8'), gw(m, {}));
  assert.deepEqual([internet.outcome, internet.nextHopType], ['unreachable', 'Internet']);
  assert.match(internet.reason, /Internet/);
});

test('a user route to a virtual appliance reaches the VM that has the next hop IP', () => {
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
          {
            name: 'to-nva',
            addressPrefix: '0.0.0.0/0',
            nextHopType: 'VirtualAppliance',
            nextHopIpAddress: '10.10.0.7',
          },
        ],
      },
    ],
    vms: [
      { name: 'lt1', vnet: 'v', subnet: 'default', ip: '10.10.0.6' },
      { name: 'nva', vnet: 'v', subnet: 'default', ip: '10.10.0.7' },
    ],
  });
  const d = forward(m, nic(m, 'lt1VMNic'), flow('1.2.3.4'), gw(m, {}));
  assert.deepEqual(
    [d.outcome, d.prefix, d.nextHopType, d.nextHopIp, d.vm?.name],
    ['forward', '0.0.0.0/0', 'VirtualAppliance', '10.10.0.7', 'nva'],
  );
});

test('ECMP: one flow always takes one row; source ports spread flows over both, whatever the row order', () => {
  const m = seed000Model();
  const n = nic(m, 'lt1VMNic');
  const both = gw(m, { '100.64.0.1/32': ['10.10.0.4', '10.10.0.5'] });
  const reversed = gw(m, { '100.64.0.1/32': ['10.10.0.5', '10.10.0.4'] });
  const counts: Record<string, number> = {};
  for (let sp = 40000; sp < 40200; sp++) {
    const d = forward(m, n, flow('100.64.0.1', sp), both);
    assert.equal(d.paths, 2);
    assert.equal(forward(m, n, flow('100.64.0.1', sp), both).vm?.name, d.vm?.name, 'deterministic');
    assert.equal(forward(m, n, flow('100.64.0.1', sp), reversed).vm?.name, d.vm?.name, 'independent of row order');
    counts[d.vm!.name] = (counts[d.vm!.name] ?? 0) + 1;
  }
  assert.deepEqual(Object.keys(counts).sort(), ['ws1', 'ws2']);
  assert.ok(counts['ws1']! > 60 && counts['ws2']! > 60, `spread: ${JSON.stringify(counts)}`);
});

test('flowHash is fixed (documented in the module): the same 5-tuple gives the same value everywhere', () => {
  assert.equal(flowHash(flow('100.64.0.1')), flowHash({ ...flow('100.64.0.1') }));
  assert.notEqual(flowHash(flow('100.64.0.1', 40000)), flowHash(flow('100.64.0.1', 40001)));
  assert.equal(flowHash(flow('100.64.0.1', 40000)), 2280483427); // FNV-1a + murmur3 fmix32, computed independently
});
