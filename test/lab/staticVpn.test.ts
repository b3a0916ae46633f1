/**
 * R-VPN-4 (issue 10 item 2): a site-to-site VPN connection without BGP. Its local network
 * gateway's addressPrefixes are programmed into NICs toward the VPN gateway's instances, as
 * a VPN connection without BGP does ("VPN gateways without BGP learn routes from local
 * network gateway definitions"), and "regardless of BGP configuration, VPN gateways advertise
 * learned routes to Azure Route Server when route exchange is enabled"
 * (https://learn.microsoft.com/azure/route-server/expressroute-vpn-support): with
 * branch-to-branch on, the NVA hears the site's prefix from the route server and the
 * ExpressRoute site from the circuit; with it off, neither does (R-ARS-11, R-VPN-2), while the
 * NICs keep the route.
 *
 * Two labs from lab files, the same design: a hub with a route server (one NVA, a built-in
 * speaker), an ExpressRoute gateway on a circuit to an on-premises router, an active-active VPN
 * gateway (ASN 65515, beside the route server) with one IPsec connection, `enableBgp: false`,
 * to a site whose `addressPrefixes` are 192.168.N.0/24 — no BGP anywhere on that side.
 * 10.96: branch-to-branch on; 10.97: off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix } from '../../src/bgp/wire/index.js';
import { pathAsns } from '../../src/rib/index.js';
import { idKey, type EffectiveRoute } from '../../src/azure/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';

const T = { timeout: 60_000 };

const labYaml = (n: number, b2b: boolean) => `
name: static-vpn-${n}
location: westeurope
settings: { connectRetryTime: 1 }
resourceGroups:
  rg:
    virtualNetworks:
      hub:
        addressPrefixes: [10.${n}.0.0/20]
        subnets:
          RouteServerSubnet: { addressPrefix: 10.${n}.0.0/26 }
          nva: { addressPrefix: 10.${n}.1.0/24 }
          GatewaySubnet: { addressPrefix: 10.${n}.3.0/24 }
    routeServers:
      rs:
        subnet: hub/RouteServerSubnet
        allowBranchToBranchTraffic: ${b2b}
        peerings:
          nva: { peerIp: 10.${n}.1.4, peerAsn: 65001 }
    virtualMachines:
      nva: { subnet: hub/nva, privateIPAddress: 10.${n}.1.4 }
      client: { subnet: hub/nva, privateIPAddress: 10.${n}.1.10 }
    virtualNetworkGateways:
      er1: { gatewayType: ExpressRoute, sku: Standard, virtualNetwork: hub }
      vpn1: { gatewayType: Vpn, virtualNetwork: hub, activeActive: true }
    localNetworkGateways:
      branch:
        gatewayIpAddress: 203.0.113.${n}
        addressPrefixes: [192.168.${n}.0/24]
    connections:
      er1-conn: { connectionType: ExpressRoute, virtualNetworkGateway1: er1, peer: c1 }
      vpn1-branch: { connectionType: IPsec, virtualNetworkGateway1: vpn1, localNetworkGateway2: branch, enableBgp: false }
    expressRouteCircuits:
      c1:
        serviceProviderName: Equinix
        peeringLocation: Amsterdam
        bandwidthInMbps: 1000
        peerings:
          AzurePrivatePeering: { peerASN: 65030, primaryPeerAddressPrefix: 169.254.${n}.0/30, secondaryPeerAddressPrefix: 169.254.${n}.4/30, vlanId: 100 }
        mseeAddresses: [10.${n}.64.35, 10.${n}.64.36]
nodes:
  nva: { kind: speaker, vm: nva, asn: 65001, routes: [] }
routers:
  onprem:
    asn: 65030
    attach:
      - { circuit: c1, link: primary }
      - { circuit: c1, link: secondary }
    routes:
      - { prefix: 192.0.2.0/24 }
`;

/** The NIC's active gateway rows, "prefix nextHop". */
const nicRows = (lab: Lab) => {
  const nic = lab.model.networkInterfaces.find((x) => x.name === 'clientVMNic')!;
  return lab
    .effectiveRoutes(nic)
    .value.filter((r: EffectiveRoute) => r.source === 'VirtualNetworkGateway' && r.state === 'Active')
    .map((r) => `${r.addressPrefix[0]} ${r.nextHopIpAddress.join(',')}`);
};

/** What the route server's instances advertise to the NVA: "IN_x prefix asPath". */
const toNva = (lab: Lab) =>
  Object.entries(lab.graph.routeServers()[0]!.advertisedRoutes('nva')).flatMap(([inst, rows]) =>
    rows.map((r) => `${inst} ${r.network} ${r.asPath}`),
  );

/** The on-premises router's Loc-RIB behind the circuit: "prefix asn asn …". */
const onprem = (lab: Lab) =>
  [...lab.hybrid!.routers.get('onprem')!.speaker.locRib()].map((e) =>
    `${formatPrefix(e.prefix)} ${pathAsns(e.best[0]!.attrs).join(' ')}`.trim(),
  );

for (const [n, b2b] of [
  [96, true],
  [97, false],
] as const) {
  const SITE = `192.168.${n}.0/24`;
  describe(`R-VPN-4: a VPN connection without BGP, branch-to-branch ${b2b ? 'on' : 'off'}`, () => {
    let t: TestLab | undefined;
    const lab = () => t!.lab;
    before(async () => {
      t = await startTestLab(`static-vpn-${n}`, labYaml(n, b2b));
      // The NVA's sessions with both instances are up (the route server has something to say to it).
      await waitFor(
        'the NVA peered',
        () => Object.keys(lab().graph.routeServers()[0]!.advertisedRoutes('nva')).length === 2,
        20_000,
      );
      await lab().settled();
    }, T);
    after(async () => {
      await t?.stop();
    }, T);

    test("NICs send the site's addressPrefixes to the VPN gateway's instances (ECMP, active-active)", T, () => {
      const vpn = lab().model.virtualNetworkGateways.find((g) => g.name === 'vpn1')!;
      // R-VPN-1: an active-active gateway's routes point at both instances' private addresses.
      const expected = `${SITE} ${vpn.instanceAddresses[0]}`;
      const other = `${SITE} ${vpn.instanceAddresses[1]}`;
      const rows = nicRows(lab());
      assert.ok(rows.includes(expected) && rows.includes(other), `client: ${rows.join(', ')}`);
      // Positive control: the circuit's on-premises prefix is there too (R-ER-4).
      assert.ok(
        rows.some((r) => r.startsWith('192.0.2.0/24 ')),
        `client: ${rows.join(', ')}`,
      );
    });

    if (b2b) {
      test("with branch-to-branch on, the route server advertises the site's prefix to the NVA", T, async () => {
        // Both instances, as a gateway-learned route: the route server's AS 65515 in front of
        // the gateway's empty path (its own static route, origin Network).
        await waitFor(
          'the site reaches the NVA',
          () => toNva(lab()).filter((r) => r.includes(SITE)).length === 2,
          10_000,
        );
        for (const inst of ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1'])
          assert.ok(toNva(lab()).includes(`${inst} ${SITE} 65515`), toNva(lab()).join('\n'));
      });

      test(
        "with branch-to-branch on, the ExpressRoute site learns the VPN site's prefix (through the route server)",
        T,
        async () => {
          // R-ER-2: the MSEE strips the private 65515 and prepends 12076.
          await waitFor('the site reaches on-premises', () => onprem(lab()).includes(`${SITE} 12076`), 10_000);
        },
      );
    } else {
      test(
        'with branch-to-branch off, neither the NVA nor the ExpressRoute site hears of it (R-ARS-11, R-VPN-2)',
        T,
        async () => {
          await lab().settled();
          assert.ok(!toNva(lab()).some((r) => r.includes(SITE)), toNva(lab()).join('\n'));
          assert.ok(!onprem(lab()).some((r) => r.startsWith(SITE)), onprem(lab()).join(', '));
          // Positive control: the circuit's routes and the VNet still flow as usual.
          assert.ok(
            onprem(lab()).some((r) => r.startsWith(`10.${n}.0.0/20`)),
            onprem(lab()).join(', '),
          );
        },
      );
    }

    test('the VPN gateway lists the static prefix as its own Network route (weight 32768)', T, () => {
      const gw = lab().hybrid!.gateways.get(
        idKey(lab().model.virtualNetworkGateways.find((g) => g.name === 'vpn1')!.id),
      )!;
      for (const sp of gw.instances) {
        const e = [...sp.locRib()].find((x) => formatPrefix(x.prefix) === SITE);
        assert.ok(e, `${sp.name} holds ${SITE}`);
        assert.equal(e.best[0]!.source.kind, 'local');
        assert.equal(e.best[0]!.weight, 32768);
      }
    });
  });
}
