/**
 * Customer-side topology in the lab file, in process (no daemon, nothing bound; emulated
 * 10.215.x and 10.216.x): VPN sites bound per tunnel to gateway instances, distinct session names for
 * every tunnel, and the checks of `links` and of the tunnel fields, each error at its
 * file:line:col.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lab } from '../../src/lab/lab.js';
import { edit, expectError, lineOf, load } from '../../src/lab/topology/testFixtures.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';

const T = { timeout: 30_000 };

/**
 * Another cloud's virtual private gateway (router `vgw`, AS 64512) reached over two VPN
 * connections from one active-active Azure VPN gateway, as Microsoft's AWS walkthrough lays
 * them out: one local network gateway per far tunnel endpoint (169.254.21.1, 169.254.22.1),
 * each with its own connection. `BINDING` is added to the connections by the tests.
 */
function labText(binding: { t1: string; t2: string }): string {
  return `name: vpn-tunnels
location: westeurope
resourceGroups:
  rg:
    virtualNetworks:
      hub5:
        addressPrefixes: [10.215.0.0/20]
        subnets:
          default: { addressPrefix: 10.215.2.0/24 }
          GatewaySubnet: { addressPrefix: 10.215.3.0/24 }
    virtualMachines:
      client5: { subnet: hub5/default, privateIPAddress: 10.215.2.10 }
    virtualNetworkGateways:
      vpn5: { gatewayType: Vpn, virtualNetwork: hub5, activeActive: true, enableBgp: true, customBgpIpAddresses: [169.254.21.2, 169.254.22.2] }
    localNetworkGateways:
      aws-t1: { gatewayIpAddress: 203.0.113.51, addressPrefixes: [], bgpSettings: { asn: 64512, bgpPeeringAddress: 169.254.21.1 } }
      aws-t2: { gatewayIpAddress: 203.0.113.52, addressPrefixes: [], bgpSettings: { asn: 64512, bgpPeeringAddress: 169.254.22.1 } }
    connections:
      c-t1: { connectionType: IPsec, virtualNetworkGateway1: vpn5, localNetworkGateway2: aws-t1, enableBgp: true${binding.t1} }
      c-t2: { connectionType: IPsec, virtualNetworkGateway1: vpn5, localNetworkGateway2: aws-t2, enableBgp: true${binding.t2} }
routers:
  vgw:
    asn: 64512
    attach: [{ localNetworkGateway: aws-t1 }, { localNetworkGateway: aws-t2 }]
    routes: [{ prefix: 172.31.0.0/16 }]
`;
}

/** The router's paths for the hub's range: "next hop", sorted. */
const hubPaths = (lab: Lab) =>
  lab
    .hybrid!.routers.get('vgw')!
    .table()
    .filter((r) => r.prefix === '10.215.0.0/20')
    .map((r) => r.nextHop)
    .sort();

describe('one device on two connections of one active-active gateway, unbound', T, () => {
  let t: TestLab;
  before(async () => {
    t = await startTestLab('vpn-tunnels-all', labText({ t1: '', t2: '' }));
    await t.lab.settled();
  });
  after(async () => {
    await t?.stop();
  });

  test('every tunnel has its own session: four, none replacing another', T, () => {
    // Each connection brings up a tunnel from each instance (R-VPN-1, active-active): 2 × 2.
    const names = t.lab.graph
      .sessions()
      .map((s) => s.name)
      .filter((n) => n.startsWith('vgw<->'))
      .sort();
    assert.deepEqual(names, [
      'vgw<->vpn5/0 (c-t1)',
      'vgw<->vpn5/0 (c-t2)',
      'vgw<->vpn5/1 (c-t1)',
      'vgw<->vpn5/1 (c-t2)',
    ]);
    for (const n of names) assert.equal(t.lab.graph.session(n)!.state, 'Established', n);
    // Each tunnel carries the hub's range from its instance's BGP address (the gateway's
    // customBgpIpAddresses: 169.254.21.2 for instance 0, 169.254.22.2 for instance 1).
    assert.deepEqual(hubPaths(t.lab), ['169.254.21.2', '169.254.21.2', '169.254.22.2', '169.254.22.2']);
  });
});

describe('connections bound per tunnel to one instance, with per-connection BGP addresses', T, () => {
  let t: TestLab;
  before(async () => {
    t = await startTestLab(
      'vpn-tunnels-bound',
      labText({
        t1: ', gatewayInstances: [0], gatewayCustomBgpIpAddresses: [169.254.21.6, 169.254.21.10]',
        t2: ', gatewayInstances: [1], gatewayCustomBgpIpAddresses: [169.254.22.10, 169.254.22.6]',
      }),
    );
    await t.lab.settled();
  });
  after(async () => {
    await t?.stop();
  });

  test('one tunnel per connection, from the bound instance and its address on that connection', T, () => {
    const names = t.lab.graph
      .sessions()
      .map((s) => s.name)
      .filter((n) => n.startsWith('vgw<->'))
      .sort();
    // One tunnel per instance toward vgw: the plain names.
    assert.deepEqual(names, ['vgw<->vpn5/0', 'vgw<->vpn5/1']);
    // The instance sends the hub's range from its address on that connection
    // (gatewayCustomBgpIpAddresses[instance]): 169.254.21.6 on c-t1 (instance 0), 169.254.22.6
    // on c-t2 (instance 1).
    assert.deepEqual(hubPaths(t.lab), ['169.254.21.6', '169.254.22.6']);
    // R-VPN-1, active-active: the NICs send the far side's range to both instances (ECMP).
    const nic = t.lab.model.networkInterfaces.find((n) => n.name.startsWith('client5'))!;
    const hops = t.lab
      .effectiveRoutes(nic)
      .value.filter((r) => r.source === 'VirtualNetworkGateway' && r.addressPrefix[0] === '172.31.0.0/16')
      .flatMap((r) => r.nextHopIpAddress)
      .sort();
    assert.deepEqual(hops, ['10.215.3.253', '10.215.3.254']);
  });
});

/**
 * A design with Direct Connect and VPN to the same VPC, seen from AWS's side: router `vgw`
 * (profile aws-vgw, AS 64512) is a VPN site of Azure's VPN gateway vpn6 and, over customer
 * link xr-vgw (its Direct Connect virtual interface), a neighbour of the exchange router xr
 * (transit, AS 65216), the customer edge of circuit c6 to Azure's ExpressRoute gateway er6.
 */
const AWS_LAB = `name: aws-vgw
location: westeurope
resourceGroups:
  rg:
    virtualNetworks:
      hub6:
        addressPrefixes: [10.216.0.0/20]
        subnets:
          default: { addressPrefix: 10.216.2.0/24 }
          GatewaySubnet: { addressPrefix: 10.216.3.0/24 }
    virtualMachines:
      client6: { subnet: hub6/default, privateIPAddress: 10.216.2.10 }
    virtualNetworkGateways:
      er6: { gatewayType: ExpressRoute, sku: Standard, virtualNetwork: hub6 }
      vpn6: { gatewayType: Vpn, virtualNetwork: hub6, activeActive: true, enableBgp: true }
    localNetworkGateways:
      aws: { gatewayIpAddress: 203.0.113.60, addressPrefixes: [], bgpSettings: { asn: 64512, bgpPeeringAddress: 10.216.200.1 } }
    connections:
      er6-c6: { connectionType: ExpressRoute, virtualNetworkGateway1: er6, peer: c6 }
      vpn6-aws: { connectionType: IPsec, virtualNetworkGateway1: vpn6, localNetworkGateway2: aws, enableBgp: true }
    expressRouteCircuits:
      c6:
        serviceProviderName: Megaport
        peeringLocation: Amsterdam
        bandwidthInMbps: 1000
        peerings:
          AzurePrivatePeering: { peerASN: 65216, primaryPeerAddressPrefix: 10.216.100.0/30, secondaryPeerAddressPrefix: 10.216.100.4/30, vlanId: 600 }
        mseeAddresses: [10.216.146.35, 10.216.146.36]
routers:
  xr: { asn: 65216, attach: [{ circuit: c6, link: primary }], transit: true }
  vgw:
    asn: 64512
    profile: aws-vgw
    attach: [{ localNetworkGateway: aws }]
    routes: [{ prefix: 172.31.0.0/16 }]
links:
  xr-vgw: { subnet: 10.216.101.0/30, a: xr, b: vgw }
`;

describe('gateway profile aws-vgw: Direct Connect before VPN, as AWS documents', T, () => {
  let t: TestLab;
  before(async () => {
    t = await startTestLab('aws-vgw', AWS_LAB);
    await t.lab.settled();
  });
  after(async () => {
    await t?.stop();
  });

  /** vgw's paths for the hub's range: "nextHop [asPath]" with a * on the best. */
  const paths = () =>
    t.lab
      .hybrid!.routers.get('vgw')!
      .table()
      .filter((r) => r.prefix === '10.216.0.0/20')
      .map((r) => `${r.best ? '*' : ' '}${r.nextHop} [${r.asPath.join(' ')}]`)
      .sort();

  test('the Direct Connect path wins over a shorter VPN path; the VPN takes over when it goes', T, async () => {
    // Over Direct Connect (the link, xr at 10.216.101.1): xr's AS, then the MSEE's 12076
    // (R-ER-2: 65515 removed toward the customer). Over VPN: each active-active instance with
    // AS 65515 (R-VPN-1), one AS shorter. AWS: "BGP propagated routes from an AWS Direct
    // Connect connection" come first whatever the AS PATH; one path is used.
    assert.deepEqual(paths(), [' 10.216.3.253 [65515]', ' 10.216.3.254 [65515]', '*10.216.101.1 [65216 12076]']);
    // Only the Direct Connect session goes: the VPN paths remain, the shortest AS PATH, then
    // the lowest MED (none), then the lowest router id: instance 10.216.3.253.
    t.lab.graph.faults.linkDown([t.lab.graph.session('xr<->vgw')!], true);
    await t.lab.settled();
    assert.deepEqual(paths(), [' 10.216.3.254 [65515]', '*10.216.3.253 [65515]']);
    t.lab.graph.faults.linkUp([t.lab.graph.session('xr<->vgw')!]);
    await t.lab.settled();
    assert.equal(
      paths().find((p) => p.startsWith('*')),
      '*10.216.101.1 [65216 12076]',
    );
  });
});

describe('the lab file: tunnel fields and links are checked at their place', () => {
  const base = labText({ t1: '', t2: '' });

  test('a connection bound to an instance the gateway does not have', () => {
    const text = edit(
      base.replace(
        'activeActive: true, enableBgp: true, customBgpIpAddresses: [169.254.21.2, 169.254.22.2]',
        'enableBgp: true',
      ),
      'localNetworkGateway2: aws-t2, enableBgp: true',
      'localNetworkGateway2: aws-t2, enableBgp: true, gatewayInstances: [1]',
    );
    expectError(load(text), {
      field: 'resourceGroups.rg.connections.c-t2.gatewayInstances',
      line: lineOf(text, 'gatewayInstances: [1]'),
      message: /^gateway 'vpn5' has 1 instance \(active-standby\): gatewayInstances names more$/,
    });
  });

  test('a per-connection BGP address outside the APIPA range', () => {
    const text = edit(
      base,
      'localNetworkGateway2: aws-t1, enableBgp: true',
      'localNetworkGateway2: aws-t1, enableBgp: true, gatewayCustomBgpIpAddresses: [10.215.9.9]',
    );
    expectError(load(text), {
      field: 'resourceGroups.rg.connections.c-t1.gatewayCustomBgpIpAddresses[0]',
      line: lineOf(text, '10.215.9.9'),
      message: /^10\.215\.9\.9 is not an APIPA address in 169\.254\.21\.0-169\.254\.22\.255/,
    });
  });

  // vgw on the first site only; a second router, edge (AS 64600), on the second.
  const withLinks = (links: string, edgeAsn = 64600) =>
    `${base.replace(
      'attach: [{ localNetworkGateway: aws-t1 }, { localNetworkGateway: aws-t2 }]',
      'attach: [{ localNetworkGateway: aws-t1 }]',
    )}  edge: { asn: ${edgeAsn}, attach: [{ localNetworkGateway: aws-t2 }] }\nlinks:\n${links}`;

  test('a link subnet that is not a /30 or /31', () => {
    const text = withLinks('  l1: { subnet: 10.215.8.0/29, a: vgw, b: edge }\n');
    expectError(load(text), {
      field: 'links.l1.subnet',
      line: lineOf(text, 'l1:'),
      message: /^10\.215\.8\.0\/29 is not a \/30 or \/31/,
    });
  });

  test('a link to an unknown speaker, and a link within one AS', () => {
    const unknown = withLinks('  l1: { subnet: 10.215.8.0/30, a: vgw, b: nobody }\n');
    expectError(load(unknown), {
      field: 'links.l1.b',
      line: lineOf(unknown, 'l1:'),
      message: /^no router or daemon node named 'nobody'$/,
    });
    const same = withLinks('  l1: { subnet: 10.215.8.0/30, a: vgw, b: edge }\n', 64512);
    expectError(load(same), {
      field: 'links.l1.b',
      line: lineOf(same, 'l1:'),
      message: /^'vgw' and 'edge' are both in AS 64512: a link's session is eBGP/,
    });
  });

  test('a well-formed link loads, with the first host of the /30 for a and the second for b', () => {
    const text = withLinks('  l1: { subnet: 10.215.8.0/30, a: vgw, b: edge }\n', 64512)
      .replace(
        'aws-t2: { gatewayIpAddress: 203.0.113.52, addressPrefixes: [], bgpSettings: { asn: 64512',
        'aws-t2: { gatewayIpAddress: 203.0.113.52, addressPrefixes: [], bgpSettings: { asn: 64700',
      )
      .replace('edge: { asn: 64512', 'edge: { asn: 64700');
    const r = load(text);
    assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.message).join('\n'));
    assert.deepEqual(
      r.spec.links?.map((l) => l.ends.map((e) => `${e.name} ${e.address} ${e.asn}`)),
      [['vgw 10.215.8.1 64512', 'edge 10.215.8.2 64700']],
    );
  });
});
