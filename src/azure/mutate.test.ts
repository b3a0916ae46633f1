// Run-time changes of the model (issue 13, item 2; ADR 0034): seed 000's VNet side built
// from nothing by the pure changes, and what ARM refuses refused with ARM's codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AzureError } from './errors.js';
import { DEFAULT_SUBSCRIPTION, resourceId, vmId } from './ids.js';
import { DEFAULT_ROUTE_SERVER_SETTINGS, type AzureModel } from './model.js';
import {
  deleteBgpConnection,
  deleteNetworkInterface,
  deleteRouteTable,
  deleteSubnet,
  deleteVirtualHub,
  deleteVirtualMachine,
  putBgpConnection,
  deleteConnection,
  deleteExpressRouteCircuit,
  deleteVirtualNetworkGateway,
  putCircuitPeering,
  putConnection,
  putExpressRouteCircuit,
  putNetworkInterface,
  putVirtualNetworkGateway,
  putResourceGroup,
  putRouteTable,
  putSubnet,
  putVirtualHub,
  putVirtualHubIpConfiguration,
  putVirtualMachine,
  putVirtualNetwork,
} from './mutate.js';

const EMPTY: AzureModel = {
  subscriptionId: DEFAULT_SUBSCRIPTION,
  systemRouteProfile: 'current',
  routeServerSettings: DEFAULT_ROUTE_SERVER_SETTINGS,
  resourceGroups: [],
  virtualNetworks: [],
  routeTables: [],
  networkInterfaces: [],
  virtualMachines: [],
  routeServers: [],
  virtualNetworkGateways: [],
  localNetworkGateways: [],
  connections: [],
  expressRouteCircuits: [],
};
const RG = 'next-hop-ip-rg';
const VNET = resourceId(DEFAULT_SUBSCRIPTION, RG, 'virtualNetworks', 'next-hop-ip-vnet');
const HUB = resourceId(DEFAULT_SUBSCRIPTION, RG, 'virtualHubs', 'rs');
const RT = resourceId(DEFAULT_SUBSCRIPTION, RG, 'routeTables', 'rt');
const NIC = resourceId(DEFAULT_SUBSCRIPTION, RG, 'networkInterfaces', 'ws1VMNic');

/** The error `fn` throws: an AzureError with ARM's code. */
function refused(fn: () => unknown): AzureError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AzureError, String(e));
    return e;
  }
  assert.fail('not refused');
}

function seed000(): AzureModel {
  let m = putResourceGroup(EMPTY, RG, 'uksouth');
  m = putVirtualNetwork(m, RG, 'next-hop-ip-vnet', {
    addressPrefixes: ['10.10.0.0/16'],
    subnets: [{ name: 'default', addressPrefix: '10.10.0.0/24' }],
  });
  m = putSubnet(m, VNET, { name: 'RouteServerSubnet', addressPrefix: '10.10.1.0/24' });
  m = putRouteTable(m, RG, 'rt', { routes: [] });
  m = putSubnet(m, VNET, { name: 'default', addressPrefix: '10.10.0.0/24', routeTable: RT });
  m = putVirtualHub(m, RG, 'rs', {});
  m = putVirtualHubIpConfiguration(m, HUB, `${VNET}/subnets/RouteServerSubnet`);
  m = putBgpConnection(m, HUB, { name: 'watcher', peerIp: '10.10.0.7', peerAsn: 65001 });
  m = putNetworkInterface(m, RG, 'ws1VMNic', {
    enableIPForwarding: true,
    ipConfigurations: [{ name: 'ipconfigws1', subnet: `${VNET}/subnets/default`, privateIPAddress: '10.10.0.4' }],
  });
  return putVirtualMachine(m, RG, 'ws1', { networkInterfaces: [NIC] });
}

test('seed 000 built from nothing: the route server on the 4th and 5th addresses of its subnet, ASN 65515 (R-ARS-1)', () => {
  const m = seed000();
  assert.equal(EMPTY.virtualNetworks.length, 0, 'the model a change starts from is untouched');
  const rs = m.routeServers[0]!;
  assert.deepEqual(rs.virtualRouterIps, ['10.10.1.4', '10.10.1.5']);
  assert.equal(rs.virtualRouterAsn, 65515);
  assert.deepEqual(m.pendingRouteServers, [], 'the hub left pending when its IP configuration came');
  assert.equal(m.virtualNetworks[0]!.subnets.find((s) => s.name === 'default')!.routeTable, RT);
  assert.equal(m.networkInterfaces[0]!.virtualMachine, vmId(DEFAULT_SUBSCRIPTION, RG, 'ws1'));
  assert.ok(m.networkInterfaces[0]!.enableIPForwarding);
});

test('a NIC without an address gets the lowest free one of its subnet (Azure reserves .0-.3)', () => {
  const m = putNetworkInterface(seed000(), RG, 'lt1VMNic', {
    ipConfigurations: [{ name: 'ipconfiglt1', subnet: `${VNET}/subnets/default` }],
  });
  // 10.10.0.4 is ws1's: the next free is .5.
  assert.equal(m.networkInterfaces[1]!.ipConfigurations[0]!.privateIPAddress, '10.10.0.5');
});

test('what ARM refuses is refused with its code, and the model is unchanged', () => {
  const m = seed000();
  const before = JSON.stringify(m);
  const codes = [
    refused(() => putBgpConnection(m, HUB, { name: 'bad', peerIp: '10.10.0.8', peerAsn: 65515 })).code,
    refused(() => putBgpConnection(m, HUB, { name: 'twice', peerIp: '10.10.0.7', peerAsn: 65002 })).code,
    refused(() => putSubnet(m, VNET, { name: 'out', addressPrefix: '10.11.0.0/24' })).code,
    refused(() => putSubnet(m, VNET, { name: 'over', addressPrefix: '10.10.0.128/25' })).code,
    refused(() => putSubnet(m, VNET, { name: 'RouteServerSubnet', addressPrefix: '10.10.1.0/24', routeTable: RT }))
      .code,
    refused(() => deleteSubnet(m, VNET, 'default')).code,
    refused(() => deleteRouteTable(m, RT)).code,
    refused(() => deleteNetworkInterface(m, NIC)).code,
    refused(() =>
      putNetworkInterface(m, RG, 'x', {
        ipConfigurations: [{ name: 'c', subnet: `${VNET}/subnets/default`, privateIPAddress: '10.10.0.4' }],
      }),
    ).code,
    refused(() => putVirtualNetwork(m, 'no-such-rg', 'v', { addressPrefixes: ['10.1.0.0/16'], subnets: [] })).code,
  ];
  assert.deepEqual(codes, [
    'BgpPeerAsnIsReserved',
    'BgpConnectionPeerIpAlreadyExists',
    'NetcfgSubnetRangeOutsideVnet',
    'NetcfgSubnetRangesOverlap',
    'RouteServerSubnetCannotHaveRouteTable',
    'InUseSubnetCannotBeDeleted',
    'InUseRouteTableCannotBeDeleted',
    'NicInUse',
    'PrivateIPAddressIsAllocated',
    'ResourceGroupNotFound',
  ]);
  assert.equal(JSON.stringify(m), before);
  // A VNet PUT that drops a subnet in use (ARM's PUT replaces the subnet list).
  assert.equal(
    refused(() => putVirtualNetwork(m, RG, 'next-hop-ip-vnet', { addressPrefixes: ['10.10.0.0/16'], subnets: [] }))
      .code,
    'InUseSubnetCannotBeDeleted',
  );
});

test('deletes: a peering, the VM (its NIC stays, detached), the route server', () => {
  let m = seed000();
  m = deleteBgpConnection(m, HUB, 'watcher');
  assert.deepEqual(m.routeServers[0]!.bgpConnections, []);
  m = deleteVirtualMachine(m, vmId(DEFAULT_SUBSCRIPTION, RG, 'ws1'));
  assert.equal(m.virtualMachines.length, 0);
  assert.equal(m.networkInterfaces[0]!.virtualMachine, undefined);
  m = deleteNetworkInterface(m, NIC);
  m = deleteVirtualHub(m, HUB);
  assert.equal(m.routeServers.length, 0);
  // Its subnet is free again: it can go.
  m = deleteSubnet(m, VNET, 'RouteServerSubnet');
  assert.deepEqual(
    m.virtualNetworks[0]!.subnets.map((s) => s.name),
    ['default'],
  );
});

// Hybrid resources (ADR 0042): the addresses the lab-file loader derives, derived the same way.

/** seed 000's VNet with a GatewaySubnet (10.10.3.0/27), an ExpressRoute gateway and two circuits. */
function withGateway(): AzureModel {
  let m = putSubnet(seed000(), VNET, { name: 'GatewaySubnet', addressPrefix: '10.10.3.0/27' });
  m = putVirtualNetworkGateway(m, RG, 'er1', { gatewayType: 'ExpressRoute', subnet: `${VNET}/subnets/GatewaySubnet` });
  for (const [name, where, asn, third] of [
    ['c1', 'Amsterdam', 65100, 0],
    ['c2', 'London', 65200, 8],
  ] as const) {
    m = putExpressRouteCircuit(m, RG, name, {
      serviceProviderName: 'Equinix',
      peeringLocation: where,
      bandwidthInMbps: 1000,
    });
    m = putCircuitPeering(
      m,
      resourceId(DEFAULT_SUBSCRIPTION, RG, 'expressRouteCircuits', name),
      'AzurePrivatePeering',
      {
        peerASN: asn,
        primaryPeerAddressPrefix: `192.168.${third}.0/30`,
        secondaryPeerAddressPrefix: `192.168.${third}.4/30`,
        vlanId: 100 + third,
      },
    );
  }
  return m;
}
const GW = resourceId(DEFAULT_SUBSCRIPTION, RG, 'virtualNetworkGateways', 'er1');
const circuitId = (n: string) => resourceId(DEFAULT_SUBSCRIPTION, RG, 'expressRouteCircuits', n);

test("a gateway's instances and its connections' MSEE peer addresses are the loader's: .12/.13, then .4/.5 and .6/.7 (seed 001)", () => {
  let m = withGateway();
  assert.deepEqual(m.virtualNetworkGateways[0]?.instanceAddresses, ['10.10.3.12', '10.10.3.13']);
  m = putConnection(m, RG, 'er1-c1', {
    connectionType: 'ExpressRoute',
    virtualNetworkGateway1: GW,
    peer: circuitId('c1'),
  });
  m = putConnection(m, RG, 'er1-c2', {
    connectionType: 'ExpressRoute',
    virtualNetworkGateway1: GW,
    peer: circuitId('c2'),
    routingWeight: 10,
  });
  assert.deepEqual(
    m.connections.map((c) => [c.name, c.mseePeerAddresses, c.routingWeight, c.enableBgp]),
    [
      ['er1-c1', ['10.10.3.4', '10.10.3.5'], 0, true],
      ['er1-c2', ['10.10.3.6', '10.10.3.7'], 10, true],
    ],
  );
  // An update keeps the connection's pair (its sessions' addresses do not move).
  const again = putConnection(m, RG, 'er1-c1', {
    connectionType: 'ExpressRoute',
    virtualNetworkGateway1: GW,
    peer: circuitId('c1'),
    routingWeight: 5,
  });
  assert.deepEqual(again.connections[0]?.mseePeerAddresses, ['10.10.3.4', '10.10.3.5']);
  // Two circuits' MSEE addresses differ and lie outside every VNet (R-ER-4).
  const [a, b] = m.expressRouteCircuits.map((c) => c.mseeAddresses);
  assert.notDeepEqual(a, b);
});

test('hybrid changes ARM refuses: its codes, naming the field or the resource in use', () => {
  const m = putConnection(withGateway(), RG, 'er1-c1', {
    connectionType: 'ExpressRoute',
    virtualNetworkGateway1: GW,
    peer: circuitId('c1'),
  });
  const cases: [() => unknown, string, RegExp][] = [
    [
      () =>
        putConnection(m, RG, 'x', {
          connectionType: 'ExpressRoute',
          virtualNetworkGateway1: GW,
          peer: circuitId('c9'),
        }),
      'InvalidResourceReference',
      /c9/,
    ],
    [
      () =>
        putConnection(m, RG, 'x', {
          connectionType: 'ExpressRoute',
          virtualNetworkGateway1: GW,
          peer: circuitId('c2'),
          routingWeight: 32001,
        }),
      'InvalidRoutingWeight',
      /32001/,
    ],
    [
      () => putConnection(m, RG, 'x', { connectionType: 'Vnet2Vnet', virtualNetworkGateway1: GW }),
      'InvalidParameter',
      /connectionType/,
    ],
    [
      () => putVirtualNetworkGateway(m, RG, 'er2', { gatewayType: 'ExpressRoute', subnet: `${VNET}/subnets/default` }),
      'InvalidGatewaySubnetName',
      /default/,
    ],
    [
      () => putVirtualNetworkGateway(m, RG, 'er1', { gatewayType: 'Vpn', subnet: `${VNET}/subnets/GatewaySubnet` }),
      'InvalidParameter',
      /gatewayType/,
    ],
    [
      () =>
        putCircuitPeering(m, circuitId('c1'), 'MicrosoftPeering', {
          peerASN: 65100,
          primaryPeerAddressPrefix: '192.168.9.0/30',
          secondaryPeerAddressPrefix: '192.168.9.4/30',
          vlanId: 9,
        }),
      'InvalidParameter',
      /AzurePrivatePeering/,
    ],
    [() => deleteVirtualNetworkGateway(m, GW), 'InUseVirtualNetworkGatewayCannotBeDeleted', /er1-c1/],
    [() => deleteExpressRouteCircuit(m, circuitId('c1')), 'InUseExpressRouteCircuitCannotBeDeleted', /er1-c1/],
  ];
  for (const [fn, code, text] of cases) {
    const e = refused(fn);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, text);
  }
  // Deleting the connection frees both.
  const freed = deleteConnection(m, resourceId(DEFAULT_SUBSCRIPTION, RG, 'connections', 'er1-c1'));
  assert.equal(deleteVirtualNetworkGateway(freed, GW).virtualNetworkGateways.length, 0);
});
