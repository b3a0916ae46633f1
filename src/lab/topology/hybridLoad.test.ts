import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edit, errorsOf, expectError, formatted, lineOf, load, SEED_001_LAB } from './testFixtures.js';

const SUB = '00000000-0000-0000-0000-000000000000';
const NET = `/subscriptions/${SUB}/resourceGroups/routeserver/providers/Microsoft.Network`;
const RG = 'resourceGroups.routeserver';
const GW = `${RG}.virtualNetworkGateways`;
const CONN = `${RG}.connections`;
const CKT = `${RG}.expressRouteCircuits`;
const PP = `${CKT}.er-circuit-1.peerings.AzurePrivatePeering`;

/** The fixture with extra lines inserted after the line that contains `after` (exactly once). */
function insert(text: string, after: string, lines: string): string {
  const at = text.indexOf(after);
  assert.ok(at >= 0 && text.indexOf(after, at + 1) < 0, `'${after}' must occur exactly once`);
  const end = text.indexOf('\n', at) + 1;
  return text.slice(0, end) + lines + text.slice(end);
}

/** A VPN site and a VPN gateway in hub1, next to the Route Server and er1 (valid as written). */
function withVpn(gateway = '{ gatewayType: Vpn, virtualNetwork: hub1, activeActive: true, enableBgp: true }'): string {
  let text = insert(SEED_001_LAB, '        virtualNetwork: hub1\n', `      vpn1: ${gateway}\n`);
  text = insert(
    text,
    '        routingWeight: 10\n',
    '      vpn1-conn: { connectionType: IPsec, virtualNetworkGateway1: vpn1, localNetworkGateway2: onprem-vpn, enableBgp: true }\n',
  );
  return edit(
    text,
    '    expressRouteCircuits:\n',
    '    localNetworkGateways:\n      onprem-vpn:\n        gatewayIpAddress: 203.0.113.10\n        addressPrefixes: [192.168.0.0/16]\n        bgpSettings: { asn: 65050, bgpPeeringAddress: 169.254.21.10 }\n    expressRouteCircuits:\n',
  );
}

/** A second circuit, er-circuit-2, at `location`, with private peering of its own. */
function withSecondCircuit(text: string, location: string): string {
  return insert(
    text,
    '        mseeAddresses: [10.2.146.35, 10.2.146.36]\n',
    `      er-circuit-2:\n        serviceProviderName: Equinix\n        peeringLocation: ${location}\n        bandwidthInMbps: 1000\n        peerings:\n          AzurePrivatePeering: { peerASN: 65150, primaryPeerAddressPrefix: 172.16.0.8/30, secondaryPeerAddressPrefix: 172.16.0.12/30, vlanId: 722 }\n`,
  );
}

// ---------------------------------------------------------------------------
// A valid hybrid lab

test('seed 001 hybrid lab: gateway, connection, circuit and router in the model and spec', () => {
  const result = load(SEED_001_LAB);
  assert.ok(result.ok, formatted(errorsOf(result)));
  const { model, routers } = result.spec;
  assert.deepEqual(result.warnings, []);

  // R-ER-3: ASN 65515, two instances at the 12th and 13th addresses of GatewaySubnet (seed 001).
  assert.deepEqual(model.virtualNetworkGateways, [
    {
      id: `${NET}/virtualNetworkGateways/er1`,
      name: 'er1',
      resourceGroup: 'routeserver',
      location: 'westeurope',
      gatewayType: 'ExpressRoute',
      sku: 'Standard',
      activeActive: true,
      virtualNetwork: `${NET}/virtualNetworks/hub1`,
      subnet: `${NET}/virtualNetworks/hub1/subnets/GatewaySubnet`,
      enableBgp: true,
      asn: 65515,
      instanceAddresses: ['10.1.3.12', '10.1.3.13'],
      publicIpAddresses: [],
      customBgpIpAddresses: [],
    },
  ]);
  // The gateway sees the MSEEs at .4 and .5 of GatewaySubnet (seed 001's list-bgp-peer-status).
  assert.deepEqual(model.connections, [
    {
      id: `${NET}/connections/er1-conn`,
      name: 'er1-conn',
      resourceGroup: 'routeserver',
      location: 'westeurope',
      connectionType: 'ExpressRoute',
      virtualNetworkGateway1: `${NET}/virtualNetworkGateways/er1`,
      peer: `${NET}/expressRouteCircuits/er-circuit-1`,
      routingWeight: 10,
      enableBgp: true,
      mseePeerAddresses: ['10.1.3.4', '10.1.3.5'],
    },
  ]);
  assert.deepEqual(model.expressRouteCircuits, [
    {
      id: `${NET}/expressRouteCircuits/er-circuit-1`,
      name: 'er-circuit-1',
      resourceGroup: 'routeserver',
      location: 'westeurope',
      serviceProviderName: 'Equinix',
      peeringLocation: 'Amsterdam',
      bandwidthInMbps: 1000,
      skuTier: 'Standard',
      peerings: [
        {
          name: 'AzurePrivatePeering',
          peerASN: 133937,
          primaryPeerAddressPrefix: '169.254.1.88/30',
          secondaryPeerAddressPrefix: '169.254.1.92/30',
          vlanId: 100,
        },
      ],
      mseeAddresses: ['10.2.146.35', '10.2.146.36'],
      globalReachConnections: [],
    },
  ]);
  assert.deepEqual(model.localNetworkGateways, []);

  // R-ER-1: the customer edge is the first host of each link /30.
  assert.deepEqual(routers, [
    {
      kind: 'router',
      name: 'onprem1',
      asn: 133937,
      routerId: '169.254.1.89',
      attach: [
        {
          kind: 'expressRoute',
          circuit: `${NET}/expressRouteCircuits/er-circuit-1`,
          link: 'primary',
          address: '169.254.1.89',
        },
        {
          kind: 'expressRoute',
          circuit: `${NET}/expressRouteCircuits/er-circuit-1`,
          link: 'secondary',
          address: '169.254.1.93',
        },
      ],
      routes: [
        { prefix: '1.2.3.0/24', origin: 'incomplete' },
        { prefix: '169.254.1.88/30', origin: 'incomplete', on: [0] },
        { prefix: '169.254.1.92/30', origin: 'incomplete', on: [1] },
      ],
    },
  ]);
});

test('defaults: MSEE addresses from the circuit name, outside every VNet; MSEE peer addresses in pairs', () => {
  let text = withSecondCircuit(SEED_001_LAB, 'Amsterdam2');
  text = edit(text, '        mseeAddresses: [10.2.146.35, 10.2.146.36]\n', '');
  text = insert(
    text,
    '        routingWeight: 10\n',
    '      er1-conn2: { connectionType: ExpressRoute, virtualNetworkGateway1: er1, peer: er-circuit-2 }\n',
  );
  const a = load(text);
  assert.ok(a.ok, formatted(errorsOf(a)));
  const [c1, c2] = a.spec.model.expressRouteCircuits;
  for (const c of [c1!, c2!]) {
    assert.match(c.mseeAddresses[0], /^10\./);
    const [x, y] = c.mseeAddresses.map((ip) => ip.split('.').map(Number)) as [number[], number[]];
    assert.equal(y[3], x[3]! + 1, 'the secondary MSEE is the next address');
    assert.ok(
      !(x[1] === 1 && x[2]! < 16) && !(x[1] === 1 && x[2] === 16),
      `${c.mseeAddresses[0]} is outside hub1 and spoke11`,
    );
  }
  assert.notDeepEqual(c1!.mseeAddresses, c2!.mseeAddresses);
  // Deterministic: the same name gives the same addresses.
  const b = load(text);
  assert.ok(b.ok);
  assert.deepEqual(
    b.spec.model.expressRouteCircuits.map((c) => c.mseeAddresses),
    a.spec.model.expressRouteCircuits.map((c) => c.mseeAddresses),
  );
  // Second ExpressRoute connection of the gateway: .6 and .7.
  assert.deepEqual(
    a.spec.model.connections.map((c) => c.mseePeerAddresses),
    [
      ['10.1.3.4', '10.1.3.5'],
      ['10.1.3.6', '10.1.3.7'],
    ],
  );
});

test('a VPN gateway beside the Route Server, active-active with ASN 65515, and a router on the VPN site', () => {
  let text = withVpn();
  text = insert(text, '      - { circuit: er-circuit-1, link: secondary }\n', '');
  text = `${text}  branch1:\n    asn: 65050\n    attach:\n      - { localNetworkGateway: onprem-vpn }\n    routes:\n      - { prefix: 192.168.0.0/16 }\n`;
  const result = load(text);
  assert.ok(result.ok, formatted(errorsOf(result)));
  const vpn = result.spec.model.virtualNetworkGateways.find((g) => g.name === 'vpn1');
  // Default: the last two usable addresses of GatewaySubnet, clear of er1 and the MSEE pairs.
  assert.deepEqual(vpn?.instanceAddresses, ['10.1.3.254', '10.1.3.253']);
  assert.equal(vpn?.sku, 'VpnGw1');
  assert.equal(vpn?.asn, 65515);
  assert.deepEqual(result.spec.model.localNetworkGateways[0]?.bgpSettings, {
    asn: 65050,
    bgpPeeringAddress: '169.254.21.10',
  });
  assert.deepEqual(result.spec.routers[1], {
    kind: 'router',
    name: 'branch1',
    asn: 65050,
    routerId: '169.254.21.10',
    attach: [{ kind: 'vpn', localNetworkGateway: `${NET}/localNetworkGateways/onprem-vpn`, address: '169.254.21.10' }],
    routes: [{ prefix: '192.168.0.0/16', origin: 'igp' }],
  });
});

test('a daemon node attached on premises runs at its first attachment address', () => {
  let text = edit(SEED_001_LAB, 'routers:\n', 'routers: {}\n');
  text = text.slice(0, text.indexOf('routers: {}\n') + 'routers: {}\n'.length);
  text = edit(
    text,
    'nodes:\n',
    'nodes:\n  onprem-bird:\n    kind: bird\n    config: watch1/exabgp.conf\n    attach:\n      - { circuit: er-circuit-1, link: secondary }\n',
  );
  const result = load(text);
  assert.ok(result.ok, formatted(errorsOf(result)));
  assert.deepEqual(result.spec.nodes[0], {
    name: 'onprem-bird',
    kind: 'bird',
    address: '169.254.1.93',
    attach: [
      {
        kind: 'expressRoute',
        circuit: `${NET}/expressRouteCircuits/er-circuit-1`,
        link: 'secondary',
        address: '169.254.1.93',
      },
    ],
    config: '/labs/next-hop/watch1/exabgp.conf',
  });
  assert.deepEqual(result.warnings, []);
});

test('useRemoteGateways toward a hub with a gateway and no Route Server is accepted', () => {
  let text = edit(
    SEED_001_LAB,
    '    routeServers:\n      hub1rs:\n        subnet: hub1/RouteServerSubnet\n        allowBranchToBranchTraffic: true\n        peerings:\n          hub1nva: { peerIp: 10.1.1.4, peerAsn: 65001 }\n',
    '',
  );
  text = edit(
    text,
    'nodes:\n  hub1nva: { kind: speaker, vm: hub1nva, asn: 65001, routes: [{ prefix: 10.1.0.0/16 }] }\n',
    'nodes: {}\n',
  );
  const result = load(text);
  assert.ok(result.ok, formatted(errorsOf(result)));
});

// ---------------------------------------------------------------------------
// Global Reach (R-ER-6)

test('Global Reach between circuits at the same peering location is refused; at different ones it loads', () => {
  const grLine =
    '        globalReachConnections:\n          gr1: { peerCircuit: er-circuit-2, addressPrefix: 192.168.100.0/29 } # <-\n';
  const same = insert(
    withSecondCircuit(SEED_001_LAB, 'Amsterdam'),
    '        mseeAddresses: [10.2.146.35, 10.2.146.36]\n',
    grLine,
  );
  expectError(load(same), {
    field: `${CKT}.er-circuit-1.globalReachConnections.gr1.peerCircuit`,
    line: lineOf(same, '# <-'),
    message:
      /^Global Reach cannot connect circuits 'er-circuit-1' and 'er-circuit-2': both are at peering location 'Amsterdam'\. Global Reach links circuits at different peering locations only \(R-ER-6\).*\(GlobalReachNotSupportedForCircuitsInSamePeeringLocation\)$/,
  });
  const different = insert(
    withSecondCircuit(SEED_001_LAB, 'Amsterdam2'),
    '        mseeAddresses: [10.2.146.35, 10.2.146.36]\n',
    grLine,
  );
  const ok = load(different);
  assert.ok(ok.ok, formatted(errorsOf(ok)));
  assert.deepEqual(ok.spec.model.expressRouteCircuits[0]?.globalReachConnections, [
    { name: 'gr1', peerCircuit: `${NET}/expressRouteCircuits/er-circuit-2`, addressPrefix: '192.168.100.0/29' },
  ]);
});

test('Global Reach: only to a circuit of the lab, with a /29, declared once', () => {
  const base = withSecondCircuit(SEED_001_LAB, 'Amsterdam2');
  const missing = insert(
    base,
    '        mseeAddresses: [10.2.146.35, 10.2.146.36]\n',
    '        globalReachConnections:\n          gr1: { peerCircuit: er-circuit-3, addressPrefix: 192.168.100.0/29 } # <-\n',
  );
  expectError(load(missing), {
    field: `${CKT}.er-circuit-1.globalReachConnections.gr1.peerCircuit`,
    line: lineOf(missing, '# <-'),
    message:
      /^no ExpressRoute circuit 'er-circuit-3' \(did you mean 'routeserver\/er-circuit-1'\?\); ExpressRoute circuits in this lab: routeserver\/er-circuit-1 and routeserver\/er-circuit-2$/,
  });
  const wide = insert(
    base,
    '        mseeAddresses: [10.2.146.35, 10.2.146.36]\n',
    '        globalReachConnections:\n          gr1: { peerCircuit: er-circuit-2, addressPrefix: 192.168.100.0/28 } # <-\n',
  );
  expectError(load(wide), {
    field: `${CKT}.er-circuit-1.globalReachConnections.gr1.addressPrefix`,
    line: lineOf(wide, '# <-'),
    message:
      /^Global Reach connection 'gr1': addressPrefix 192\.168\.100\.0\/28 is not a \/29: Global Reach needs a \/29 .*\(InvalidGlobalReachConnection\)$/,
  });
  let twice = insert(
    base,
    '        mseeAddresses: [10.2.146.35, 10.2.146.36]\n',
    '        globalReachConnections:\n          gr1: { peerCircuit: er-circuit-2, addressPrefix: 192.168.100.0/29 }\n',
  );
  twice = `${twice.trimEnd()}\n`;
  twice = insert(
    twice,
    '          AzurePrivatePeering: { peerASN: 65150,',
    '        globalReachConnections:\n          gr2: { peerCircuit: er-circuit-1, addressPrefix: 192.168.100.8/29 } # <-\n',
  );
  expectError(load(twice), {
    field: `${CKT}.er-circuit-2.globalReachConnections.gr2`,
    line: lineOf(twice, '# <-'),
    message: /already linked by Global Reach connection 'gr1' of circuit 'er-circuit-1': declare Global Reach once/,
  });
});

// ---------------------------------------------------------------------------
// VPN gateways (R-VPN-1, R-ARS-11)

test('a VPN gateway beside a Route Server must be active-active with ASN 65515 (R-ARS-11)', () => {
  const standby = withVpn('{ gatewayType: Vpn, virtualNetwork: hub1, enableBgp: true } # <-');
  expectError(load(standby), {
    field: `${GW}.vpn1.activeActive`,
    line: lineOf(standby, '# <-'),
    message:
      /^VPN gateway must be active-active and use ASN 65515 to interoperate with Route Server: gateway 'vpn1' shares virtual network 'hub1' with Route Server 'hub1rs', but it is active-standby \(R-ARS-11, R-VPN-1\)\. \(VpnGatewayNotCompatibleWithRouteServer\)$/,
  });
  const privateAsn = withVpn(
    '{ gatewayType: Vpn, virtualNetwork: hub1, activeActive: true, enableBgp: true, asn: 65001 } # <-',
  );
  const e = expectError(load(privateAsn), {
    field: `${GW}.vpn1.asn`,
    line: lineOf(privateAsn, '# <-'),
    message:
      /^VPN gateway must be active-active and use ASN 65515 to interoperate with Route Server: .*but its ASN is 65001/,
  });
  assert.equal(e.column, privateAsn.split('\n')[e.line - 1]!.indexOf('65001') + 1);
});

test('VPN gateway ASN: private ASNs without a Route Server, reserved ones never', () => {
  // hub1 without its Route Server (and the NVA that peered with it).
  let text = edit(
    SEED_001_LAB,
    '    routeServers:\n      hub1rs:\n        subnet: hub1/RouteServerSubnet\n        allowBranchToBranchTraffic: true\n        peerings:\n          hub1nva: { peerIp: 10.1.1.4, peerAsn: 65001 }\n',
    '',
  );
  text = edit(
    text,
    'nodes:\n  hub1nva: { kind: speaker, vm: hub1nva, asn: 65001, routes: [{ prefix: 10.1.0.0/16 }] }\n',
    'nodes: {}\n',
  );
  const ok = load(
    insert(
      text,
      '        virtualNetwork: hub1\n',
      '      vpn1: { gatewayType: Vpn, virtualNetwork: hub1, asn: 65001 }\n',
    ),
  );
  assert.ok(ok.ok, formatted(errorsOf(ok)));
  for (const asn of [65517, 12076, 23456, 64500]) {
    const bad = insert(
      text,
      '        virtualNetwork: hub1\n',
      `      vpn1: { gatewayType: Vpn, virtualNetwork: hub1, asn: ${asn} } # <-\n`,
    );
    expectError(load(bad), {
      field: `${GW}.vpn1.asn`,
      line: lineOf(bad, '# <-'),
      message: new RegExp(
        `^ASN ${asn} cannot be used by a VPN gateway: Azure reserves 8074, 8075, 12076 and 65517-65520, IANA 23456, 64496-64511, 65535-65551 and 4294967295 \\(65515 is the default\\)\\. Private ASNs 64512-65514 and 65521-65534 are allowed when no Route Server is in the VNet \\(R-VPN-1\\)\\. \\(BgpAsnIsReserved\\)$`,
      ),
    });
  }
  // An ExpressRoute gateway always has 65515.
  const er = edit(SEED_001_LAB, '        sku: Standard\n', '        sku: Standard\n        asn: 65001 # <-\n');
  expectError(load(er), {
    field: `${GW}.er1.asn`,
    line: lineOf(er, '# <-'),
    message:
      /^An ExpressRoute gateway always uses ASN 65515 \(R-ER-3\); it cannot be set to 65001\. \(InvalidExpressRouteGatewayAsn\)$/,
  });
});

test('APIPA BGP addresses must be within 169.254.21.0-169.254.22.255', () => {
  const gw = withVpn(
    '{ gatewayType: Vpn, virtualNetwork: hub1, activeActive: true, enableBgp: true, customBgpIpAddresses: [169.254.21.1, 169.254.20.2] } # <-',
  );
  expectError(load(gw), {
    field: `${GW}.vpn1.customBgpIpAddresses[1]`,
    line: lineOf(gw, '# <-'),
    message:
      /^169\.254\.20\.2 is not in Azure's APIPA range for VPN: a VPN gateway's BGP over APIPA must use 169\.254\.21\.0-169\.254\.22\.255 \(R-VPN-1\)\. \(InvalidApipaAddress\)$/,
  });
  const site = edit(withVpn(), 'bgpPeeringAddress: 169.254.21.10 }', 'bgpPeeringAddress: 169.254.30.10 } # <-');
  expectError(load(site), {
    field: `${RG}.localNetworkGateways.onprem-vpn.bgpSettings.bgpPeeringAddress`,
    line: lineOf(site, '# <-'),
    message:
      /^169\.254\.30\.10 is not in Azure's APIPA range for VPN: an on-premises device peering BGP over APIPA must use 169\.254\.21\.0-169\.254\.22\.255/,
  });
});

// ---------------------------------------------------------------------------
// Gateways and their subnet

test('useRemoteGateways on a VNet with its own gateway is refused', () => {
  let text = edit(
    SEED_001_LAB,
    '          vm: { addressPrefix: 10.1.16.0/24 }\n',
    '          vm: { addressPrefix: 10.1.16.0/25 }\n          GatewaySubnet: { addressPrefix: 10.1.16.128/27 }\n',
  );
  text = insert(
    text,
    '        virtualNetwork: hub1\n',
    '      spoke-vpn: { gatewayType: Vpn, virtualNetwork: spoke11 }\n',
  );
  text = edit(
    text,
    'spoke11-to-hub1: { remoteVirtualNetwork: hub1, useRemoteGateways: true, allowForwardedTraffic: true }',
    'spoke11-to-hub1: { remoteVirtualNetwork: hub1, useRemoteGateways: true, allowForwardedTraffic: true } # <-',
  );
  expectError(load(text), {
    field: `${RG}.virtualNetworks.spoke11.virtualNetworkPeerings.spoke11-to-hub1.useRemoteGateways`,
    line: lineOf(text, '# <-'),
    message:
      /^useRemoteGateways: virtual network 'spoke11' has its own VPN gateway 'spoke-vpn' and cannot use remote gateways \(InvalidParameter\)$/,
  });
});

test('one ExpressRoute and one VPN gateway per VNet', () => {
  const text = insert(
    SEED_001_LAB,
    '        virtualNetwork: hub1\n',
    '      er2: { gatewayType: ExpressRoute, virtualNetwork: hub1 } # <-\n',
  );
  expectError(load(text), {
    field: `${GW}.er2.gatewayType`,
    line: lineOf(text, '# <-'),
    message:
      /^Virtual network 'hub1' already has an ExpressRoute gateway, 'er1': a VNet has at most one ExpressRoute gateway and one VPN gateway\. \(VnetAlreadyHasGatewayOfThisType\)$/,
  });
});

test('GatewaySubnet: required, named exactly so, /27 or larger', () => {
  const missing = edit(
    edit(SEED_001_LAB, '          GatewaySubnet: { addressPrefix: 10.1.3.0/24 }\n', ''),
    '        virtualNetwork: hub1\n',
    '        virtualNetwork: hub1 # <-\n',
  );
  expectError(load(missing), {
    field: `${GW}.er1.virtualNetwork`,
    line: lineOf(missing, '# <-'),
    message:
      /^virtual network 'hub1' has no subnet named GatewaySubnet: a virtual network gateway is deployed in its VNet's GatewaySubnet \(add one, \/27 or larger\)$/,
  });
  const lower = edit(
    edit(SEED_001_LAB, '          GatewaySubnet:', '          gatewaysubnet:'),
    '        virtualNetwork: hub1\n',
    '        virtualNetwork: hub1 # <-\n',
  );
  expectError(load(lower), {
    field: `${GW}.er1.virtualNetwork`,
    line: lineOf(lower, '# <-'),
    message:
      /^A virtual network gateway must be deployed in a subnet named exactly 'GatewaySubnet'; got 'gatewaysubnet'\. \(InvalidGatewaySubnetName\)$/,
  });
  const small = edit(
    SEED_001_LAB,
    'GatewaySubnet: { addressPrefix: 10.1.3.0/24 }',
    'GatewaySubnet: { addressPrefix: 10.1.3.0/28 } # <-',
  );
  expectError(load(small), {
    field: `${RG}.virtualNetworks.hub1.subnets.GatewaySubnet.addressPrefix`,
    line: lineOf(small, '# <-'),
    message:
      /^GatewaySubnet 10\.1\.3\.0\/28 is too small: virtual network gateways need a \/27 or larger.*\(GatewaySubnetPrefixLengthTooLong\)$/,
  });
});

test('instance addresses must be usable addresses of GatewaySubnet', () => {
  const outside = edit(
    SEED_001_LAB,
    '        sku: Standard\n',
    '        sku: Standard\n        instanceAddresses: [10.1.3.12, 10.1.1.13] # <-\n',
  );
  expectError(load(outside), {
    field: `${GW}.er1.instanceAddresses[1]`,
    line: lineOf(outside, '# <-'),
    message:
      /^Private IP address 10\.1\.1\.13 is not in the range of subnet 'GatewaySubnet'\. \(PrivateIPAddressNotInSubnet\)$/,
  });
  const reserved = edit(
    SEED_001_LAB,
    '        sku: Standard\n',
    '        sku: Standard\n        instanceAddresses: [10.1.3.2, 10.1.3.13] # <-\n',
  );
  expectError(load(reserved), {
    field: `${GW}.er1.instanceAddresses[0]`,
    line: lineOf(reserved, '# <-'),
    message: /is reserved in subnet 'GatewaySubnet'.*\(PrivateIPAddressInReservedRange\)$/,
  });
  const clash = edit(
    SEED_001_LAB,
    '        routingWeight: 10\n',
    '        routingWeight: 10\n        mseePeerAddresses: [10.1.3.12, 10.1.3.5] # <-\n',
  );
  expectError(load(clash), {
    field: `${CONN}.er1-conn.mseePeerAddresses[0]`,
    line: lineOf(clash, '# <-'),
    message:
      /^Private IP address 10\.1\.3\.12 is already in use by virtual network gateway 'er1' \(instance 0\)\. \(PrivateIPAddressIsAllocated\)$/,
  });
});

test('VPN-only properties on an ExpressRoute gateway are refused', () => {
  const aa = edit(SEED_001_LAB, '        sku: Standard\n', '        sku: Standard\n        activeActive: false # <-\n');
  expectError(load(aa), {
    field: `${GW}.er1.activeActive`,
    line: lineOf(aa, '# <-'),
    message: /^activeActive applies to VPN gateways: an ExpressRoute gateway always runs two instances, both active$/,
  });
  const apipa = edit(
    SEED_001_LAB,
    '        sku: Standard\n',
    '        sku: Standard\n        customBgpIpAddresses: [169.254.21.1] # <-\n',
  );
  expectError(load(apipa), {
    field: `${GW}.er1.customBgpIpAddresses`,
    line: lineOf(apipa, '# <-'),
    message: /^customBgpIpAddresses: APIPA BGP addresses apply to VPN gateways.*\(InvalidParameter\)$/,
  });
  const bgp = edit(
    SEED_001_LAB,
    '        routingWeight: 10\n',
    '        routingWeight: 10\n        enableBgp: false # <-\n',
  );
  expectError(load(bgp), {
    field: `${CONN}.er1-conn.enableBgp`,
    line: lineOf(bgp, '# <-'),
    message: /^enableBgp: an ExpressRoute connection always uses BGP/,
  });
});

test('a gateway SKU must fit its type', () => {
  const text = edit(SEED_001_LAB, '        sku: Standard\n', '        sku: VpnGw1 # <-\n');
  expectError(load(text), {
    field: `${GW}.er1.sku`,
    line: lineOf(text, '# <-'),
    message:
      /^SKU 'VpnGw1' is not an ExpressRoute gateway SKU; ExpressRoute gateways use Standard, HighPerformance, UltraPerformance, ErGw1AZ, ErGw2AZ, ErGw3AZ, ErGwScale\. \(InvalidGatewaySkuSpecifiedForGatewayDeploymentType\)$/,
  });
});

// ---------------------------------------------------------------------------
// Connections

test('connections: gateway type, circuit private peering, routing weight', () => {
  const vpnOnEr = edit(withVpn(), 'virtualNetworkGateway1: vpn1,', 'virtualNetworkGateway1: er1, # <-\n       ');
  expectError(load(vpnOnEr), {
    field: `${CONN}.vpn1-conn.virtualNetworkGateway1`,
    line: lineOf(vpnOnEr, '# <-'),
    message:
      /^Connection 'vpn1-conn' is of type IPsec, but 'er1' is an ExpressRoute gateway: ExpressRoute connections need an ExpressRoute gateway, IPsec connections a VPN gateway\. \(ConnectionTypeNotSupportedByGateway\)$/,
  });
  const noPeering = edit(
    edit(
      SEED_001_LAB,
      '        peerings:\n          AzurePrivatePeering: { peerASN: 133937, primaryPeerAddressPrefix: 169.254.1.88/30, secondaryPeerAddressPrefix: 169.254.1.92/30, vlanId: 100 }\n',
      '',
    ),
    '        peer: er-circuit-1\n',
    '        peer: er-circuit-1 # <-\n',
  );
  const result = load(noPeering);
  expectError(result, {
    field: `${CONN}.er1-conn.peer`,
    line: lineOf(noPeering, '# <-'),
    message:
      /^Circuit 'er-circuit-1' has no AzurePrivatePeering: an ExpressRoute gateway connects to a circuit's private peering; configure AzurePrivatePeering first\. \(ExpressRouteCircuitPeeringNotFound\)$/,
  });
  // The router on it is told too.
  assert.ok(
    errorsOf(result).some(
      (e) =>
        e.field === 'routers.onprem1.attach[0].circuit' &&
        /has no AzurePrivatePeering: on-premises routers attach/.test(e.message),
    ),
    formatted(errorsOf(result)),
  );
  const weight = edit(SEED_001_LAB, '        routingWeight: 10\n', '        routingWeight: 40000 # <-\n');
  expectError(load(weight), {
    field: `${CONN}.er1-conn.routingWeight`,
    line: lineOf(weight, '# <-'),
    message:
      /^Routing weight 40000 is out of range: a connection's routingWeight is 0-32000 \(R-ER-3\)\. \(InvalidRoutingWeight\)$/,
  });
  const site = edit(withVpn(), 'localNetworkGateway2: onprem-vpn,', 'localNetworkGateway2: onprem-vpm, # <-\n       ');
  expectError(load(site), {
    field: `${CONN}.vpn1-conn.localNetworkGateway2`,
    line: lineOf(site, '# <-'),
    message: /^no local network gateway 'onprem-vpm' \(did you mean 'routeserver\/onprem-vpn'\?\)/,
  });
  const noBgp = edit(
    withVpn('{ gatewayType: Vpn, virtualNetwork: hub1, activeActive: true }'),
    'localNetworkGateway2: onprem-vpn, enableBgp: true }',
    'localNetworkGateway2: onprem-vpn, enableBgp: true } # <-',
  );
  expectError(load(noBgp), {
    field: `${CONN}.vpn1-conn.enableBgp`,
    line: lineOf(noBgp, '# <-'),
    message:
      /^Connection 'vpn1-conn' enables BGP, but VPN gateway 'vpn1' has enableBgp false: BGP over a tunnel needs it on the gateway too\. \(BgpNotConfigured\)$/,
  });
});

// ---------------------------------------------------------------------------
// Circuits: private peering (R-ER-1)

test('private peering: two different /30s, outside the VNets, and an ASN Azure allows', () => {
  const wide = edit(
    SEED_001_LAB,
    'primaryPeerAddressPrefix: 169.254.1.88/30',
    'primaryPeerAddressPrefix: 169.254.1.88/29',
  );
  const e = load(wide);
  expectError(e, {
    field: `${PP}.primaryPeerAddressPrefix`,
    line: lineOf(wide, '169.254.1.88/29'),
    message:
      /^The primary link's 169\.254\.1\.88\/29 is a \/29: private peering needs a \/30 per link .*\(InvalidPeerAddressPrefix\)$/,
  });
  const same = edit(
    SEED_001_LAB,
    'secondaryPeerAddressPrefix: 169.254.1.92/30',
    'secondaryPeerAddressPrefix: 169.254.1.88/30',
  );
  expectError(load(same), {
    field: `${PP}.secondaryPeerAddressPrefix`,
    line: lineOf(same, 'AzurePrivatePeering:'),
    message:
      /^The primary and secondary links need different \/30s: 169\.254\.1\.88\/30 and 169\.254\.1\.88\/30 overlap\. \(InvalidPeerAddressPrefix\)$/,
  });
  const inVnet = edit(
    SEED_001_LAB,
    'primaryPeerAddressPrefix: 169.254.1.88/30',
    'primaryPeerAddressPrefix: 10.1.2.0/30',
  );
  expectError(load(inVnet), {
    field: `${PP}.primaryPeerAddressPrefix`,
    line: lineOf(inVnet, 'AzurePrivatePeering:'),
    message:
      /overlaps address space 10\.1\.0\.0\/20 of virtual network 'hub1': it must not overlap address ranges used by virtual networks in Azure/,
  });
  for (const asn of [12076, 65515, 65520]) {
    const text = edit(SEED_001_LAB, 'peerASN: 133937', `peerASN: ${asn}`);
    expectError(load(text), {
      field: `${PP}.peerASN`,
      line: lineOf(text, 'AzurePrivatePeering:'),
      message: new RegExp(
        `^Peer ASN ${asn} cannot be used on private peering: 12076 is Microsoft's and 65515-65520 are reserved by Azure for internal use\\. \\(InvalidPeerAsn\\)$`,
      ),
    });
  }
});

test('MSEE addresses must be outside every VNet (R-ER-4)', () => {
  const text = edit(
    SEED_001_LAB,
    'mseeAddresses: [10.2.146.35, 10.2.146.36]',
    'mseeAddresses: [10.2.146.35, 10.1.16.36] # <-',
  );
  expectError(load(text), {
    field: `${CKT}.er-circuit-1.mseeAddresses[1]`,
    line: lineOf(text, '# <-'),
    message:
      /^mseeAddresses: 10\.1\.16\.36 is inside virtual network 'spoke11' \(10\.1\.16\.0\/24\): MSEE addresses are Microsoft's, outside every VNet \(R-ER-4\) \(InvalidParameter\)$/,
  });
});

// ---------------------------------------------------------------------------
// Routers and attached daemons

test("a router's ASN must be the circuit peering's peerASN, or the VPN site's", () => {
  const text = edit(SEED_001_LAB, '    asn: 133937\n', '    asn: 65001 # <-\n');
  expectError(load(text), {
    field: 'routers.onprem1.asn',
    line: lineOf(text, '# <-'),
    message:
      /^router 'onprem1' has asn 65001, but circuit 'er-circuit-1' has private peering peerASN 133937: the MSEE expects the customer edge to use the peering's ASN and would refuse the session \(Bad Peer AS\); make them equal$/,
  });
  const vpn = `${withVpn()}  branch1:\n    asn: 65051 # <-\n    attach: [{ localNetworkGateway: onprem-vpn }]\n`;
  expectError(load(vpn), {
    field: 'routers.branch1.asn',
    line: lineOf(vpn, '# <-'),
    message:
      /^router 'branch1' has asn 65051, but local network gateway 'onprem-vpn' has bgpSettings\.asn 65050: the VPN gateway expects the device's ASN/,
  });
});

test('attachments: circuit with link, one router per link, valid `on` indexes', () => {
  const noLink = edit(
    SEED_001_LAB,
    '      - { circuit: er-circuit-1, link: secondary }',
    '      - { circuit: er-circuit-1 } # <-',
  );
  expectError(load(noLink), {
    field: 'routers.onprem1.attach[1].link',
    line: lineOf(noLink, '# <-'),
    message: /^missing required key 'link': primary or secondary, the link of the circuit to attach to$/,
  });
  const both = edit(
    SEED_001_LAB,
    '      - { circuit: er-circuit-1, link: secondary }',
    '      - { circuit: er-circuit-1, link: secondary, localNetworkGateway: x } # <-',
  );
  expectError(load(both), {
    field: 'routers.onprem1.attach[1].localNetworkGateway',
    line: lineOf(both, '# <-'),
    message: /^an attachment is a circuit link or a VPN site, not both/,
  });
  const twice = `${SEED_001_LAB}  onprem2:\n    asn: 133937\n    attach:\n      - { circuit: er-circuit-1, link: primary } # <-\n`;
  expectError(load(twice), {
    field: 'routers.onprem2.attach[0]',
    line: lineOf(twice, '# <-'),
    message:
      /^link primary of circuit 'er-circuit-1' already has router 'onprem1' attached: one router per circuit link or VPN site$/,
  });
  const on = edit(SEED_001_LAB, 'origin: incomplete, on: [1] }', 'origin: incomplete, on: [2] } # <-');
  expectError(load(on), {
    field: 'routers.onprem1.routes[2].on[0]',
    line: lineOf(on, '# <-'),
    message: /^attachment 2 does not exist: router 'onprem1' has 2 attachments, numbered from 0$/,
  });
  const named = `${SEED_001_LAB}  hub1nva: { asn: 133937, attach: [{ localNetworkGateway: x }] } # <-\n`;
  expectError(load(named), {
    field: 'routers.hub1nva',
    line: lineOf(named, '# <-'),
    message: /^router 'hub1nva' has the name of node 'hub1nva': nodes and routers share one set of names$/,
  });
});

test('a daemon node has vm or attach, not both and not neither', () => {
  const both = edit(
    SEED_001_LAB,
    'nodes:\n',
    'nodes:\n  bird1: { kind: bird, vm: spoke11-vm, config: watch1/exabgp.conf, attach: [{ circuit: er-circuit-1, link: primary }] } # <-\n',
  );
  expectError(load(both), {
    field: 'nodes.bird1.attach',
    line: lineOf(both, '# <-'),
    message:
      /^vm and attach are mutually exclusive: a daemon runs either on an Azure virtual machine \(vm\) or on premises, attached to circuit links or VPN sites \(attach\)$/,
  });
  const neither = edit(SEED_001_LAB, 'nodes:\n', 'nodes:\n  bird1: { kind: bird, config: watch1/exabgp.conf } # <-\n');
  expectError(load(neither), {
    field: 'nodes.bird1.vm',
    line: lineOf(neither, '# <-'),
    message:
      /^missing required key 'vm': a daemon runs on an Azure virtual machine \(vm\) or on premises \(attach: circuit links or VPN sites\)$/,
  });
});

test('warnings: an attachment nothing in Azure connects to', () => {
  const text = edit(
    SEED_001_LAB,
    '        peer: er-circuit-1\n',
    '        peer: er-circuit-1\n'.replace('er-circuit-1', 'er-circuit-2'),
  );
  const withSecond = withSecondCircuit(text, 'Amsterdam2');
  const result = load(withSecond);
  assert.ok(result.ok, formatted(errorsOf(result)));
  assert.ok(
    result.warnings.some(
      (w) =>
        w.field === 'routers.onprem1.attach[0].circuit' &&
        /no connection connects circuit 'er-circuit-1' to an ExpressRoute gateway: router 'onprem1' will peer with its MSEE, but its routes reach no VNet/.test(
          w.message,
        ),
    ),
    formatted(result.warnings),
  );
});

// ---------------------------------------------------------------------------
// Issue 10 item 11: one useRemoteGateways peering per VNet; a Route Server peer it can reach

/** hub2 (10.1.32.0/24, a hub by a VPN gateway) peered with spoke11 both ways, the spoke side written by `spokeSide`. */
function withSecondHub(spokeSide: string): string {
  let text = insert(
    SEED_001_LAB,
    '          spoke11-to-hub1: { remoteVirtualNetwork: hub1, useRemoteGateways: true, allowForwardedTraffic: true }\n',
    `          ${spokeSide}\n      hub2:\n        addressPrefixes: [10.1.32.0/24]\n        subnets:\n          GatewaySubnet: { addressPrefix: 10.1.32.0/27 }\n        virtualNetworkPeerings:\n          hub2-to-spoke11: { remoteVirtualNetwork: spoke11, allowGatewayTransit: true }\n`,
  );
  text = insert(text, '        virtualNetwork: hub1\n', '      hub2-vpn: { gatewayType: Vpn, virtualNetwork: hub2 }\n');
  return text;
}

test('R-ARS-24: a second peering of one VNet setting useRemoteGateways is refused at its line', () => {
  // The API reference of VirtualNetworkPeering: "Only one peering can have this flag set to
  // true." Azure publishes no code for the refusal: ARSLab's (docs/azure-differences.md).
  const text = withSecondHub('spoke11-to-hub2: { remoteVirtualNetwork: hub2, useRemoteGateways: true } # <-');
  expectError(load(text), {
    field: `${RG}.virtualNetworks.spoke11.virtualNetworkPeerings.spoke11-to-hub2.useRemoteGateways`,
    line: lineOf(text, '# <-'),
    message:
      /^Only one peering can have UseRemoteGateway flag set to true: .*'spoke11-to-hub1'.*\(UseRemoteGatewaysOnlyOnePeering\)$/,
  });
  // The first peering that sets it stays valid: only the second is at fault.
  const all = errorsOf(load(text));
  assert.equal(all.filter((x) => /UseRemoteGatewaysOnlyOnePeering/.test(x.message)).length, 1, formatted(all));
  // Without the flag on the second peering the same lab loads.
  const ok = load(withSecondHub('spoke11-to-hub2: { remoteVirtualNetwork: hub2 }'));
  assert.ok(ok.ok, formatted(errorsOf(ok)));
});

test('R-ARS-23: a Route Server peer in a VNet neither its own nor peered is a warning at its peerIp', () => {
  // ARM's bgpConnection carries only peerIp and peerAsn and takes any address; an NVA in an
  // unpeered VNet has no path to the Route Server, so the session never comes up.
  const away = edit(
    SEED_001_LAB,
    '    routeServers:\n',
    '      isolated:\n        addressPrefixes: [10.1.48.0/24]\n        subnets:\n          nva: { addressPrefix: 10.1.48.0/24 }\n    routeServers:\n',
  );
  const text = edit(
    away,
    '          hub1nva: { peerIp: 10.1.1.4, peerAsn: 65001 }\n',
    '          hub1nva: { peerIp: 10.1.1.4, peerAsn: 65001 }\n          isolated-nva: { peerIp: 10.1.48.4, peerAsn: 65002 } # <-\n',
  );
  const result = load(text);
  assert.ok(result.ok, formatted(errorsOf(result)));
  const w = result.warnings.find(
    (x) => x.field === `${RG}.routeServers.hub1rs.peerings.isolated-nva.peerIp` && /neither/.test(x.message),
  );
  assert.match(
    w?.message ?? '',
    /10\.1\.48\.4 is in virtual network 'isolated', which is neither 'hub1' nor peered with it: .*never comes up/,
    formatted(result.warnings),
  );
  assert.equal(w?.line, lineOf(text, '# <-'));

  // The same peer in spoke11 (peered with hub1 both ways) is reachable: no such warning.
  const peered = edit(
    SEED_001_LAB,
    '          hub1nva: { peerIp: 10.1.1.4, peerAsn: 65001 }\n',
    '          hub1nva: { peerIp: 10.1.1.4, peerAsn: 65001 }\n          spoke-nva: { peerIp: 10.1.16.10, peerAsn: 65002 }\n',
  );
  const fine = load(peered);
  assert.ok(fine.ok, formatted(errorsOf(fine)));
  assert.ok(!fine.warnings.some((x) => /neither 'hub1' nor peered/.test(x.message)), formatted(fine.warnings));
});
