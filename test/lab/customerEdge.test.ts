/**
 * Real daemons as the customer side, attached with `attach:` (docs/lab-file.md): the Azure
 * side must really peer with them over TCP. One lab (loopback mode, 10.211–10.213 emulated,
 * 127.211–127.213 real, port 179 as root):
 * - `ce1`, FRR (AS 65211), the customer edge of circuit c1's primary link (10.211.100.0/30);
 * - `ce2`, BIRD (AS 65212), the customer edge of circuit c2's primary link (10.212.100.0/30);
 * - both circuits connected to ExpressRoute gateway er1 in hub1 (10.211.0.0/20);
 * - `site3`, GoBGP (AS 65213), the device of VPN site site3 (bgpPeeringAddress 10.213.200.1),
 *   connected with BGP to the active-active VPN gateway vpn2 of hub2 (10.213.0.0/20).
 * Every expectation below is derived from the rules it names (shared/azure-routing.md), and
 * read from the daemons' own CLIs or the NICs' effective routes — never from ARSLab's tables.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lab } from '../../src/lab/lab.js';
import type { DaemonNode } from '../../src/lab/kinds/index.js';
import { defaultBgpPort } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';

const T = { timeout: 90_000 };
const PORT = defaultBgpPort();

const CUSTOMER_EDGE_LAB = `name: customer-edge
location: westeurope
settings: { connectRetryTime: 1, bgpPort: ${PORT} }
resourceGroups:
  rg:
    virtualNetworks:
      hub1:
        addressPrefixes: [10.211.0.0/20]
        subnets:
          default: { addressPrefix: 10.211.2.0/24 }
          GatewaySubnet: { addressPrefix: 10.211.3.0/24 }
      hub2:
        addressPrefixes: [10.213.0.0/20]
        subnets:
          default: { addressPrefix: 10.213.2.0/24 }
          GatewaySubnet: { addressPrefix: 10.213.3.0/24 }
    virtualMachines:
      client1: { subnet: hub1/default, privateIPAddress: 10.211.2.10 }
      client2: { subnet: hub2/default, privateIPAddress: 10.213.2.10 }
    virtualNetworkGateways:
      er1: { gatewayType: ExpressRoute, sku: Standard, virtualNetwork: hub1 }
      vpn2: { gatewayType: Vpn, virtualNetwork: hub2, activeActive: true, enableBgp: true }
    localNetworkGateways:
      site3:
        gatewayIpAddress: 203.0.113.213
        addressPrefixes: []
        bgpSettings: { asn: 65213, bgpPeeringAddress: 10.213.200.1 }
    connections:
      er1-c1: { connectionType: ExpressRoute, virtualNetworkGateway1: er1, peer: c1 }
      er1-c2: { connectionType: ExpressRoute, virtualNetworkGateway1: er1, peer: c2 }
      er1-c4: { connectionType: ExpressRoute, virtualNetworkGateway1: er1, peer: c4 }
      vpn2-site3: { connectionType: IPsec, virtualNetworkGateway1: vpn2, localNetworkGateway2: site3, enableBgp: true }
    expressRouteCircuits:
      c1:
        serviceProviderName: Equinix
        peeringLocation: Amsterdam
        bandwidthInMbps: 1000
        peerings:
          AzurePrivatePeering: { peerASN: 65211, primaryPeerAddressPrefix: 10.211.100.0/30, secondaryPeerAddressPrefix: 10.211.100.4/30, vlanId: 100 }
        mseeAddresses: [10.211.146.35, 10.211.146.36]
      c2:
        serviceProviderName: Equinix
        peeringLocation: Amsterdam
        bandwidthInMbps: 1000
        peerings:
          AzurePrivatePeering: { peerASN: 65212, primaryPeerAddressPrefix: 10.212.100.0/30, secondaryPeerAddressPrefix: 10.212.100.4/30, vlanId: 200 }
        mseeAddresses: [10.212.146.35, 10.212.146.36]
      c4:
        serviceProviderName: Megaport
        peeringLocation: Amsterdam
        bandwidthInMbps: 1000
        peerings:
          AzurePrivatePeering: { peerASN: 65214, primaryPeerAddressPrefix: 10.214.100.0/30, secondaryPeerAddressPrefix: 10.214.100.4/30, vlanId: 400 }
        mseeAddresses: [10.214.146.35, 10.214.146.36]
nodes:
  ce1: { kind: frr, attach: [{ circuit: c1, link: primary }], config: ce1.conf }
  ce2: { kind: bird, attach: [{ circuit: c2, link: primary }], config: ce2.conf }
  site3: { kind: gobgp, attach: [{ localNetworkGateway: site3 }], config: site3.toml, asn: 65213 }
routers:
  xr4: { asn: 65214, attach: [{ circuit: c4, link: primary }], transit: true }
links:
  ce1-ce2: { subnet: 10.211.101.0/30, a: ce1, b: ce2 }
  xr4-site3: { subnet: 10.214.101.0/30, a: xr4, b: site3 }
`;

// R-ER-1: on each link's /30 the customer edge is the first host, the MSEE the second: ce1
// runs at 10.211.100.1 (127.211.100.1) and peers with the MSEE at 10.211.100.2.
const FRR_CE1 = `frr defaults traditional
hostname ce1
router bgp 65211
 bgp router-id 10.211.100.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.211.100.2 remote-as 12076
 neighbor 127.211.100.2 update-source 127.211.100.1
 neighbor 127.211.100.2 disable-connected-check
 neighbor 127.211.100.2 timers connect 1
 neighbor 127.211.101.2 remote-as 65212
 neighbor 127.211.101.2 update-source 127.211.101.1
 neighbor 127.211.101.2 disable-connected-check
 neighbor 127.211.101.2 timers connect 1
 address-family ipv4 unicast
  network 192.168.211.0/24
  neighbor 127.211.100.2 route-map CE1-OUT out
  neighbor 127.211.101.2 route-map CE1-LINK out
 exit-address-family
!
ip prefix-list CE1-OWN seq 5 permit 192.168.211.0/24
route-map CE1-OUT permit 10
 match ip address prefix-list CE1-OWN
 set ip next-hop 10.211.100.1
route-map CE1-LINK permit 10
 match ip address prefix-list CE1-OWN
 set ip next-hop 10.211.101.1
`;

const BIRD_CE2 = `router id 10.212.100.1;
protocol device { }
protocol static nh { ipv4; route 0.0.0.0/0 via "lo"; }
protocol static own { ipv4; route 192.168.212.0/24 blackhole; }
protocol bgp msee {
  local 127.212.100.1 as 65212;
  neighbor 127.212.100.2 as 12076;
  strict bind yes;
  multihop;
  connect retry time 1;
  ipv4 {
    import all;
    export filter { if proto = "own" then { bgp_next_hop = 10.212.100.1; accept; } reject; };
  };
}
protocol bgp ce1 {
  local 127.211.101.2 as 65212;
  neighbor 127.211.101.1 as 65211;
  strict bind yes;
  multihop;
  connect retry time 1;
  ipv4 {
    import all;
    export filter { if proto = "own" then { bgp_next_hop = 10.211.101.2; accept; } reject; };
  };
}
`;

// The VPN gateway's instances are at 10.213.3.254 and .253 (the lab file's GatewaySubnet);
// with BGP and no APIPA address, each peers from its instance address (R-VPN-1).
const gobgpNeighbor = (address: string, asn = 65515, local = '127.213.200.1') => `[[neighbors]]
  [neighbors.config]
    neighbor-address = "${address}"
    peer-as = ${asn}
  [neighbors.transport.config]
    local-address = "${local}"
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 64
  [neighbors.timers.config]
    connect-retry = 1
`;
const GOBGP_SITE3 = `[global.config]
  as = 65213
  router-id = "10.213.200.1"
  port = ${PORT}
  local-address-list = ["127.213.200.1"]
${gobgpNeighbor('127.213.3.254')}${gobgpNeighbor('127.213.3.253')}${gobgpNeighbor('127.214.101.1', 65214, '127.214.101.2')}`;

const daemon = (lab: Lab, name: string) => (lab.node(name) as DaemonNode).daemon!;

/** A NIC's active VirtualNetworkGateway routes, "prefix nextHop,nextHop" (its rows' next hops, sorted). */
function nicRows(lab: Lab, nic: string): string[] {
  const byPrefix = new Map<string, string[]>();
  const routes = lab.effectiveRoutes(lab.model.networkInterfaces.find((n) => n.name.startsWith(nic))!).value;
  for (const r of routes.filter((x) => x.source === 'VirtualNetworkGateway' && x.state === 'Active')) {
    const list = byPrefix.get(r.addressPrefix[0]!) ?? [];
    list.push(...r.nextHopIpAddress);
    byPrefix.set(r.addressPrefix[0]!, list);
  }
  return [...byPrefix].map(([p, hops]) => `${p} ${hops.sort().join(',')}`).sort();
}

/** A built-in router's table, one line a path, for failure messages. */
const routerTable = (lab: Lab, name: string) =>
  lab
    .hybrid!.routers.get(name)!
    .table()
    .map((r) => `${r.prefix} via ${r.nextHop} [${r.asPath.join(' ')}]${r.best ? ' best' : ''}`)
    .join('\n');

describe('daemon nodes attached on premises are peered by the Azure side', T, () => {
  let t: TestLab;
  let lab: Lab;
  before(async () => {
    t = await startTestLab('customer-edge', CUSTOMER_EDGE_LAB, {
      'ce1.conf': FRR_CE1,
      'ce2.conf': BIRD_CE2,
      'site3.toml': GOBGP_SITE3,
    });
    lab = t.lab;
  });
  after(async () => {
    await t?.stop();
  });

  test('each attachment is one session of the lab graph, Established on both ends', T, async () => {
    const names = ['ce1<->c1/primary', 'ce2<->c2/primary', 'site3<->vpn2/0', 'site3<->vpn2/1', 'site3<->xr4'];
    for (const n of names) {
      const s = lab.graph.session(n);
      assert.ok(s, `session ${n} is in the lab graph`);
      assert.equal(s.transport, 'tcp');
    }
    await waitFor('every customer-edge session Established', () =>
      names.every((n) => lab.graph.session(n)!.state === 'Established'),
    );
    // The daemons' own view: FRR and BIRD each see the MSEE of their link (AS 12076, R-ER-1),
    // GoBGP both active-active instances (AS 65515, R-VPN-1).
    const up = async (name: string) =>
      (await (lab.node(name) as DaemonNode).sessions()).filter((s) => s.established).map((s) => s.neighbor);
    assert.ok((await up('ce1')).includes('10.211.100.2'));
    assert.ok((await up('ce2')).includes('10.212.100.2'));
    // The VPN gateway's two instances, and router xr4 over the customer link (its first host).
    assert.deepEqual((await up('site3')).sort(), ['10.213.3.253', '10.213.3.254', '10.214.101.1']);
  });

  test('FRR and BIRD as customer edges learn the VNet as 12076 from the MSEE (R-ER-2)', T, async () => {
    // R-ER-2: toward the customer the MSEE prepends 12076 and removes private ASNs (65515
    // goes): the hub's 10.211.0.0/20 arrives with AS path [12076], next hop the MSEE's link
    // address (eBGP next hop self, RFC 4271 §5.1.3).
    for (const [name, msee] of [
      ['ce1', '10.211.100.2'],
      ['ce2', '10.212.100.2'],
    ] as const) {
      const r = await waitFor(`${name} learns 10.211.0.0/20`, async () =>
        (await (lab.node(name) as DaemonNode).receivedRoutes()).find((x) => x.prefix === '10.211.0.0/20'),
      );
      assert.deepEqual(r.asPath, [12076], `${name}: AS path`);
      assert.equal(r.nextHop, msee, `${name}: next hop`);
    }
  });

  test(
    'the customer edges\u2019 prefixes reach the NICs toward the circuits\u2019 MSEE addresses (R-ER-4)',
    T,
    async () => {
      // R-ER-4: a circuit's routes point at its two MSEE-side addresses (ECMP across links),
      // whichever link they came on.
      const want = ['192.168.211.0/24 10.211.146.35,10.211.146.36', '192.168.212.0/24 10.212.146.35,10.212.146.36'];
      await waitFor(
        'client1 has both customer prefixes',
        () => want.every((w) => nicRows(lab, 'client1').includes(w)),
        {
          detail: () => nicRows(lab, 'client1').join('\n'),
        },
      );
    },
  );

  test('GoBGP as a VPN device peers with both active-active instances (R-VPN-1)', T, async () => {
    await daemon(lab, 'site3').announce({ prefix: '192.168.213.0/24', nextHop: '10.213.200.1' });
    // R-VPN-1: each instance advertises the VNet with its own AS 65515 and itself as next hop.
    const paths = await waitFor('site3 learns 10.213.0.0/20 from both instances', async () => {
      const r = (await (lab.node('site3') as DaemonNode).receivedRoutes()).filter((x) => x.prefix === '10.213.0.0/20');
      return r.length === 2 ? r : undefined;
    });
    assert.deepEqual(paths.map((p) => p.nextHop).sort(), ['10.213.3.253', '10.213.3.254']);
    for (const p of paths) assert.deepEqual(p.asPath, [65515]);
    // R-VPN-1: active-active, the NICs send the site's prefix to each instance's private IP (ECMP).
    await waitFor(
      'client2 routes 192.168.213.0/24 to both instances',
      () => nicRows(lab, 'client2').includes('192.168.213.0/24 10.213.3.253,10.213.3.254'),
      { detail: () => nicRows(lab, 'client2').join('\n') },
    );
  });

  test('two daemons peer each other over a customer link, seen at their emulated link addresses', T, async () => {
    // Link ce1-ce2 is 10.211.101.0/30: ce1 (a) has its first host .1, ce2 (b) the second .2.
    // Each daemon's own route reaches the other straight over the link, AS path [its AS];
    // the daemons report their neighbour as 127.211.101.x, which the lab shows as the
    // emulated address (ADR 0001) because the link's addresses are the lab's.
    const over = async (name: string, prefix: string) =>
      waitFor(`${name} learns ${prefix} over the link`, async () =>
        (await (lab.node(name) as DaemonNode).receivedRoutes()).find(
          (r) => r.prefix === prefix && r.asPath.length === 1,
        ),
      );
    const atCe2 = await over('ce2', '192.168.211.0/24');
    assert.deepEqual(atCe2.asPath, [65211]);
    assert.equal(atCe2.nextHop, '10.211.101.1');
    assert.equal(atCe2.peer, '10.211.101.1');
    const atCe1 = await over('ce1', '192.168.212.0/24');
    assert.deepEqual(atCe1.asPath, [65212]);
    assert.equal(atCe1.nextHop, '10.211.101.2');
    assert.equal(atCe1.peer, '10.211.101.2');
  });

  test(
    'a transit router and a daemon over a customer link; the link /30 stays while only its session is down',
    T,
    async () => {
      // site3 announced 192.168.213.0/24 above. xr4 (transit) re-advertises it to its MSEE with
      // its own AS first (RFC 4271 §5.1.2), and announces its link subnet 10.214.101.0/30 as a
      // connected route; c4's routes reach client1 toward c4's MSEE addresses (R-ER-4).
      const viaC4 = '10.214.146.35,10.214.146.36';
      await waitFor(
        'client1 routes the site and the link toward c4',
        () =>
          nicRows(lab, 'client1').includes(`192.168.213.0/24 ${viaC4}`) &&
          nicRows(lab, 'client1').includes(`10.214.101.0/30 ${viaC4}`),
        { detail: () => `${nicRows(lab, 'client1').join('\n')}\n--- xr4\n${routerTable(lab, 'xr4')}` },
      );
      // What xr4 tells the daemon: its connected /30 ([65214]) and, as a transit router, the
      // hub it learned from its MSEE (R-ER-2: [12076] there, [65214, 12076] here).
      const fromXr4 = await waitFor('site3 learns xr4\u2019s routes', async () => {
        const r = (await (lab.node('site3') as DaemonNode).receivedRoutes()).filter((x) => x.peer === '10.214.101.1');
        return r.some((x) => x.prefix === '10.211.0.0/20') && r.some((x) => x.prefix === '10.214.101.0/30')
          ? r
          : undefined;
      });
      assert.deepEqual(fromXr4.find((x) => x.prefix === '10.214.101.0/30')!.asPath, [65214]);
      assert.deepEqual(fromXr4.find((x) => x.prefix === '10.211.0.0/20')!.asPath, [65214, 12076]);

      // Only the BGP session goes down (Cease, administrative shutdown): the site's prefix
      // leaves client1, the connected link subnet stays (the interface is still up).
      const s = lab.graph.session('site3<->xr4')!;
      lab.graph.faults.linkDown([s], true);
      await waitFor(
        'client1 loses the site but keeps the link',
        () =>
          !nicRows(lab, 'client1').some((r) => r.startsWith('192.168.213.0/24 ')) &&
          nicRows(lab, 'client1').includes(`10.214.101.0/30 ${viaC4}`),
        { detail: () => nicRows(lab, 'client1').join('\n') },
      );
      lab.graph.faults.linkUp([s]);
      await waitFor('the site returns once the session is up again', () =>
        nicRows(lab, 'client1').includes(`192.168.213.0/24 ${viaC4}`),
      );
    },
  );
});
