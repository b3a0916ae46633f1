import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../test/helpers/model.js';
import { brokenMeshSessions, gatewayMeshPaths, gatewaySubnetHop } from './gatewayMesh.js';
import type { Route } from './model.js';
import { validateModel } from './validate.js';

function model(routes: Route[] | undefined, b2b = true) {
  return buildModel({
    vnets: [
      {
        name: 'hub',
        prefixes: ['10.150.0.0/16'],
        subnets: [
          { name: 'RouteServerSubnet', prefix: '10.150.0.0/26' },
          { name: 'nva', prefix: '10.150.1.0/24' },
          { name: 'GatewaySubnet', prefix: '10.150.3.0/24', ...(routes ? { routeTable: 'gwrt' } : {}) },
        ],
      },
    ],
    ...(routes ? { routeTables: [{ name: 'gwrt', routes }] } : {}),
    routeServers: [{ name: 'rs', vnet: 'hub', allowBranchToBranchTraffic: b2b, peerings: [] }],
    gateways: [
      { name: 'er', vnet: 'hub', type: 'ExpressRoute', instances: ['10.150.3.12', '10.150.3.13'] },
      {
        name: 'vpn',
        vnet: 'hub',
        type: 'Vpn',
        instances: ['10.150.3.14', '10.150.3.15'],
        activeActive: true,
        publicIps: ['20.0.0.1', '20.0.0.2'],
        apipa: ['169.254.21.1', '169.254.22.1'],
      },
    ],
  });
}

const toNva: Route = {
  name: 'to-nva',
  addressPrefix: '10.150.0.0/16',
  nextHopType: 'VirtualAppliance',
  nextHopIpAddress: '10.150.1.4',
};

test('R-VPN-2: no route table on GatewaySubnet: the whole mesh (RS ↔ ER, RS ↔ VPN, ER ↔ VPN) carries the iBGP', () => {
  const m = model(undefined);
  const paths = gatewayMeshPaths(m, m.virtualNetworks[0]!);
  // 2 ER + 2 VPN instances × 2 route-server instances, and 2 × 2 ER ↔ VPN.
  assert.equal(paths.length, 12);
  assert.equal(paths.filter((p) => p.broken).length, 0);
  assert.equal(gatewaySubnetHop(m, m.virtualNetworks[0]!, '10.150.0.4')?.nextHopType, 'VnetLocal');
});

test('R-VPN-2: a GatewaySubnet route sending the VNet range to an NVA breaks every mesh session, naming the table and route', () => {
  const m = model([toNva]);
  const broken = brokenMeshSessions(m, m.virtualNetworks[0]!);
  assert.equal(broken.length, 12);
  const rs = broken.find((b) => b.a.name === 'er/0' && b.b.name === 'rs/IN_0')!;
  assert.equal(rs.broken!.rule, 'R-VPN-2');
  assert.equal(rs.broken!.hop.route?.name, 'to-nva');
  assert.equal(rs.broken!.hop.routeTable?.name, 'gwrt');
  assert.match(
    rs.broken!.reason,
    /route table gwrt, route to-nva \(10\.150\.0\.0\/16 → VirtualAppliance 10\.150\.1\.4\)/,
  );
  assert.match(rs.broken!.reason, /er\/0 → rs\/IN_0 \(10\.150\.0\.4\)/);
});

test('R-VPN-2: next hop None breaks it too; a less specific user route loses to the VNet range', () => {
  const none = model([{ name: 'drop', addressPrefix: '10.150.0.0/26', nextHopType: 'None' }]);
  // Only the route-server range: RS sessions (8) broken, ER ↔ VPN (4) not.
  assert.equal(brokenMeshSessions(none, none.virtualNetworks[0]!).length, 8);
  const wide = model([
    { name: 'wide', addressPrefix: '10.0.0.0/8', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.150.1.4' },
  ]);
  assert.equal(brokenMeshSessions(wide, wide.virtualNetworks[0]!).length, 0);
  assert.equal(gatewaySubnetHop(wide, wide.virtualNetworks[0]!, '10.150.3.13')?.source, 'Default');
});

test('R-VPN-2: more specific VnetLocal routes for GatewaySubnet and RouteServerSubnet restore the mesh', () => {
  const m = model([
    toNva,
    { name: 'gw-local', addressPrefix: '10.150.3.0/24', nextHopType: 'VnetLocal' },
    { name: 'rs-local', addressPrefix: '10.150.0.0/26', nextHopType: 'VnetLocal' },
  ]);
  assert.equal(brokenMeshSessions(m, m.virtualNetworks[0]!).length, 0);
  const hop = gatewaySubnetHop(m, m.virtualNetworks[0]!, '10.150.0.5')!;
  assert.deepEqual([hop.source, hop.route?.name, hop.nextHopType], ['User', 'rs-local', 'VnetLocal']);
  // Only GatewaySubnet's range restored: the RS sessions stay broken.
  const half = model([toNva, { name: 'gw-local', addressPrefix: '10.150.3.0/24', nextHopType: 'VnetLocal' }]);
  const left = brokenMeshSessions(half, half.virtualNetworks[0]!);
  assert.equal(left.length, 8);
  assert.ok(left.every((b) => b.b.kind === 'route-server'));
});

test('R-VPN-2 / R-ARS-11: with branch-to-branch off only the ER ↔ VPN sessions are in the mesh', () => {
  const m = model([toNva], false);
  const paths = gatewayMeshPaths(m, m.virtualNetworks[0]!);
  assert.equal(paths.length, 4);
  assert.ok(paths.every((p) => p.broken && p.b.kind === 'vpn-gateway'));
});

test('R-ARS-2: a route table on RouteServerSubnet is still refused', () => {
  const m = model(undefined);
  const rt = {
    id: `${m.virtualNetworks[0]!.id.replace(/virtualNetworks\/hub$/, 'routeTables/x')}`,
    name: 'x',
    resourceGroup: 'rg',
    location: 'westeurope',
    disableBgpRoutePropagation: false,
    routes: [],
  };
  const bad = {
    ...m,
    routeTables: [rt],
    virtualNetworks: m.virtualNetworks.map((v) => ({
      ...v,
      subnets: v.subnets.map((s) => (s.name === 'RouteServerSubnet' ? { ...s, routeTable: rt.id } : s)),
    })),
  };
  assert.ok(
    validateModel(bad).some((p) => p.severity === 'error' && p.error.code === 'RouteServerSubnetCannotHaveRouteTable'),
  );
});
