import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importLab, type ImportInput } from './import.js';
import { loadLabText } from './load.js';
import { formatted } from './testFixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const TEMPLATE = join(ROOT, 'test', 'fixtures', 'arm', 'hub-spoke-route-server.json');

function templateInput(): ImportInput {
  return { source: 'hub-spoke-route-server.json', json: JSON.parse(readFileSync(TEMPLATE, 'utf8')) };
}

test('import of an exported hub-and-spoke template with a route server gives a lab that validates, with the design in it', () => {
  const r = importLab([templateInput()], { name: 'hub-spoke', resourceGroup: 'routeserver' });
  assert.deepEqual(r.errors, [], r.text);
  const loaded = loadLabText(r.text, '/labs/hub-spoke.yml');
  assert.ok(loaded.ok, loaded.ok ? '' : formatted(loaded.errors));
  const m = loaded.spec.model;
  // What the template says, through the resolved expressions:
  // hub1rs is a virtualHubs of kind RouteServer whose ipConfiguration names hub1's
  // RouteServerSubnet 10.1.0.0/26: its instances are that subnet's .4 and .5 (R-ARS-1).
  const rs = m.routeServers.find((x) => x.name === 'hub1rs');
  assert.ok(rs, 'the route server');
  assert.deepEqual(rs.virtualRouterIps, ['10.1.0.4', '10.1.0.5']);
  assert.equal(rs.allowBranchToBranchTraffic, true);
  // The bgpConnection's peerIp is [variables('nvaAddress')] = concat('10.1', '.1.4').
  assert.deepEqual(
    rs.bgpConnections.map((c) => [c.name, c.peerIp, c.peerAsn]),
    [['hub1nva', '10.1.1.4', 65001]],
  );
  // The spoke peers with the hub using its gateways, the hub allows transit (R-ARS-8).
  const spoke = m.virtualNetworks.find((v) => v.name === 'spoke1')!;
  assert.deepEqual(
    spoke.virtualNetworkPeerings.map((p) => [p.name, p.useRemoteGateways, p.allowForwardedTraffic]),
    [['spoke1-to-hub1', true, true]],
  );
  const hub = m.virtualNetworks.find((v) => v.name === 'hub1')!;
  assert.equal(hub.virtualNetworkPeerings[0]?.allowGatewayTransit, true);
  // The spoke's route table, inline and as a child resource (az group export writes both): one route.
  assert.deepEqual(m.routeTables[0]?.routes, [
    {
      name: 'default-via-nva',
      addressPrefix: '0.0.0.0/0',
      nextHopType: 'VirtualAppliance',
      nextHopIpAddress: '10.1.1.4',
    },
  ]);
  // The NVA's NIC: the VM named by Microsoft.Compute/virtualMachines, its NIC and IP configuration names kept.
  const nic = m.networkInterfaces.find((n) => n.name === 'hub1nva-nic')!;
  assert.equal(nic.enableIPForwarding, true);
  assert.deepEqual(
    nic.ipConfigurations.map((c) => [c.name, c.privateIPAddress]),
    [['ipconfig1', '10.1.1.4']],
  );
  assert.ok(m.virtualMachines.some((v) => v.name === 'hub1nva'));
  // Hybrid: ER gateway on the circuit with weight 10, active-active VPN gateway with its
  // two public IPs and APIPA addresses, the branch site with BGP.
  assert.deepEqual(
    m.connections.map((c) => [c.name, c.connectionType, c.routingWeight, c.enableBgp]),
    [
      ['er1-conn', 'ExpressRoute', 10, true],
      ['vpn1-conn', 'IPsec', 0, true],
    ],
  );
  const vpn = m.virtualNetworkGateways.find((g) => g.name === 'vpn1')!;
  assert.deepEqual(vpn.publicIpAddresses, ['20.61.10.1', '20.61.10.2']);
  assert.deepEqual(vpn.customBgpIpAddresses, ['169.254.21.1', '169.254.21.5']);
  assert.equal(vpn.activeActive, true);
  assert.deepEqual(m.expressRouteCircuits[0]?.peerings[0], {
    name: 'AzurePrivatePeering',
    peerASN: 133937,
    primaryPeerAddressPrefix: '169.254.1.88/30',
    secondaryPeerAddressPrefix: '169.254.1.92/30',
    vlanId: 100,
  });
  assert.deepEqual(m.localNetworkGateways[0]?.bgpSettings, { asn: 65050, bgpPeeringAddress: '169.254.21.10' });
});

test('import reports every resource, child and value it cannot map, with its type, name and why', () => {
  const r = importLab([templateInput()], { resourceGroup: 'routeserver' });
  const got = r.unmapped.map((u) => `${u.type} ${u.name}`).sort();
  assert.deepEqual(got, [
    'Microsoft.Network/bastionHosts hub1-bastion',
    'Microsoft.Network/expressRouteCircuits/peerings er-circuit-1/MicrosoftPeering',
    'Microsoft.Network/networkInterfaces spokevmVMNic',
    'Microsoft.Network/networkInterfaces/ipConfigurations hub1nva-nic/ipconfig2',
    'Microsoft.Network/networkSecurityGroups/securityRules nva-nsg/allow-bgp',
    'Microsoft.Network/publicIPAddresses hub1rs-pip',
  ]);
  const why = (name: string) => r.unmapped.find((u) => u.name === name)?.why ?? '';
  assert.match(why('spokevmVMNic'), /tags\.deployment .*uniqueString\(\) is not evaluated/);
  assert.match(why('nva-nsg/allow-bgp'), /not modelled/);
  assert.match(why('hub1nva-nic/ipconfig2'), /one IP configuration/);
  assert.match(why('hub1-bastion'), /not modelled/);
});

test('template expressions: parameters given override defaultValue, a parameter without either is reported', () => {
  const template = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    parameters: { vnetName: { type: 'String', defaultValue: 'v1' }, space: { type: 'String' } },
    variables: { base: "[concat('10.', '5')]" },
    resources: [
      {
        type: 'Microsoft.Network/virtualNetworks',
        name: "[parameters('vnetName')]",
        location: '[resourceGroup().location]',
        properties: {
          addressSpace: { addressPrefixes: ["[concat(variables('base'), '.0.0/16')]"] },
          subnets: [{ name: 'a', properties: { addressPrefix: "[parameters('space')]" } }],
        },
      },
    ],
  };
  const r = importLab([{ source: 't.json', json: template }], {
    parameters: { vnetName: 'given' },
    location: 'uksouth',
  });
  assert.match(r.text, /\n {6}given:\n/);
  assert.match(r.text, /\n {8}addressPrefixes: \[ 10\.5\.0\.0\/16 \]\n/);
  assert.match(r.text, /\nlocation: uksouth\n/);
  assert.deepEqual(
    r.unmapped.map((u) => [u.type, u.name]),
    [['Microsoft.Network/virtualNetworks', 'given']],
  );
  assert.match(
    r.unmapped[0]!.why,
    /subnets\.0\.properties\.addressPrefix .*parameter 'space' has no value and no defaultValue/,
  );
  // The subnet without a prefix does not validate: the file says so instead of guessing one.
  assert.ok(
    r.errors.some((e) => /subnets\.a/.test(e)),
    r.errors.join('\n'),
  );
});

test('import of az JSON (show and list output, flattened properties, several documents) gives a lab that validates', () => {
  const sub = '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rs-rg/providers/Microsoft.Network';
  // az network vnet show -g rs-rg -n hub: az flattens `properties` into the object.
  const vnet = {
    id: `${sub}/virtualNetworks/hub`,
    name: 'hub',
    type: 'Microsoft.Network/virtualNetworks',
    location: 'uksouth',
    resourceGroup: 'rs-rg',
    addressSpace: { addressPrefixes: ['10.30.0.0/16'] },
    subnets: [
      {
        id: `${sub}/virtualNetworks/hub/subnets/RouteServerSubnet`,
        name: 'RouteServerSubnet',
        addressPrefix: '10.30.1.0/27',
      },
      { id: `${sub}/virtualNetworks/hub/subnets/nva`, name: 'nva', addressPrefix: '10.30.2.0/24' },
    ],
    virtualNetworkPeerings: [],
  };
  // az network routeserver show: a virtualHubs with kind RouteServer and its ipConfigurations.
  const routeServer = {
    id: `${sub}/virtualHubs/rs1`,
    name: 'rs1',
    type: 'Microsoft.Network/virtualHubs',
    kind: 'RouteServer',
    location: 'uksouth',
    resourceGroup: 'rs-rg',
    allowBranchToBranchTraffic: false,
    ipConfigurations: [{ id: `${sub}/virtualHubs/rs1/ipConfigurations/ipconfig1` }],
    virtualRouterAsn: 65515,
  };
  // az network routeserver ip-config list: the subnet is there, not in show.
  const ipConfigs = [
    {
      id: `${sub}/virtualHubs/rs1/ipConfigurations/ipconfig1`,
      name: 'ipconfig1',
      type: 'Microsoft.Network/virtualHubs/ipConfigurations',
      resourceGroup: 'rs-rg',
      subnet: { id: `${sub}/virtualNetworks/hub/subnets/RouteServerSubnet` },
    },
  ];
  // az network routeserver peering list
  const peerings = [
    {
      id: `${sub}/virtualHubs/rs1/bgpConnections/nva1`,
      name: 'nva1',
      type: 'Microsoft.Network/virtualHubs/bgpConnections',
      resourceGroup: 'rs-rg',
      peerAsn: 65010,
      peerIp: '10.30.2.4',
    },
  ];
  const r = importLab(
    [
      { source: 'vnet.json', json: vnet },
      { source: 'rs.json', json: routeServer },
      { source: 'ipconfigs.json', json: ipConfigs },
      { source: 'peerings.json', json: peerings },
    ],
    { name: 'from-az' },
  );
  assert.deepEqual(r.errors, [], r.text);
  assert.deepEqual(r.unmapped, []);
  const loaded = loadLabText(r.text, '/labs/from-az.yml');
  assert.ok(loaded.ok, loaded.ok ? '' : formatted(loaded.errors));
  const rs = loaded.spec.model.routeServers[0]!;
  assert.equal(rs.resourceGroup, 'rs-rg');
  // 10.30.1.0/27: the 4th and 5th addresses (R-ARS-1).
  assert.deepEqual(rs.virtualRouterIps, ['10.30.1.4', '10.30.1.5']);
  assert.deepEqual(
    rs.bgpConnections.map((c) => [c.peerIp, c.peerAsn]),
    [['10.30.2.4', 65010]],
  );
});

test('input that is not a template nor a resource is reported, not ignored', () => {
  const r = importLab([{ source: 'odd.json', json: { hello: 'world' } }]);
  assert.deepEqual(
    r.unmapped.map((u) => u.name),
    ['odd.json'],
  );
  assert.match(r.unmapped[0]!.why, /not an ARM template/);
});
