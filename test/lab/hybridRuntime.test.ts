// Issue 13, item 2: the hybrid part of a hub built at run time through the lab's ARM API
// (HTTP, as az and the SDKs send it) — route server, ExpressRoute gateway, VPN gateway
// (active-active, 65515 beside the route server: R-ARS-11), connections to two circuits, a
// circuit with its private peering and Global Reach, local network gateways (BGP and static)
// — equals the same design loaded from a lab file, and follows each change as Azure does.
//
// The run-time lab starts from a small lab file: the hub VNet and its client VM, two circuits
// and a BGP VPN site whose on-premises routers are lab routers (not Azure resources: the ARM
// API cannot make them, so they and what they attach to are in the file). Each router
// announces its own prefix, and both circuits' routers announce 192.168.0.0/16 with equal AS
// paths, so the connections' routingWeight decides which circuit the NIC uses.
//
// Expectations come from Microsoft's documented rules (docs: shared/azure-routing.md):
// - R-ER-3 ("Optimize ExpressRoute routing", learn.microsoft.com/azure/expressroute/
//   expressroute-optimize-routing): for one prefix from two circuits, the connection with the
//   higher routing weight is preferred, before AS-path length;
// - R-ER-4: ExpressRoute routes reach NICs as VirtualNetworkGateway with the circuit's MSEE
//   addresses as next hop (the file gives them: c1 10.2.100.35/.36, c2 10.2.100.45/.46);
// - R-VPN-1: BGP routes over a tunnel reach NICs as VirtualNetworkGateway; R-VPN-4: a site
//   without BGP gets its addressPrefixes as static routes;
// - R-ER-6: Global Reach links two circuits' private peerings: the other circuit's MSEE learns
//   the on-premises routes;
// - deleting a connection removes its sessions, so what only that circuit offered leaves the NIC.
//
// Addresses: emulated 10.100.x, bound on 127.100.x (the route server's instances listen); the
// file-built lab runs after the first stops, on the same addresses. 10.2.100.x, 10.120.x,
// 10.130.x, 172.16.x, 192.168.x and 169.254.x are data (MSEEs, on-premises, in process).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server.js';
import { ApiClient } from '../../src/cli/client.js';
import { DEFAULT_SUBSCRIPTION, type AzureError } from '../../src/azure/index.js';
import type { Lab } from '../../src/lab/lab.js';
import { runCli } from '../helpers/inProcessCli.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { hybridHubFull, hybridHubSmall } from '../fixtures/hybridHubLab.js';

const SMALL = hybridHubSmall(100);
const FULL = hybridHubFull(100);

const labs: TestLab[] = [];
const apis: ApiServer[] = [];
after(async () => {
  for (const a of apis) await a.close().catch(() => {});
  for (const l of labs) await l.stop().catch(() => {});
});

const SUB = `/subscriptions/${DEFAULT_SUBSCRIPTION}`;
const RG = `${SUB}/resourceGroups/rg`;
const NET = `${RG}/providers/Microsoft.Network`;
const V = '?api-version=2024-05-01';
const HUB = `${NET}/virtualNetworks/hub`;

type Row = { addressPrefix: string[]; nextHopType: string; nextHopIpAddress: string[]; source: string };

async function api(lab: Lab): Promise<ApiClient> {
  const server = new ApiServer(lab);
  apis.push(server);
  const addr = await server.listen('127.0.0.1', 0);
  return new ApiClient('127.0.0.1', addr.port, DEFAULT_SUBSCRIPTION, { token: server.token });
}

async function routes(client: ApiClient): Promise<Row[]> {
  const r = (await client.call('POST', `${NET}/networkInterfaces/clientVMNic/effectiveRouteTable${V}`)) as {
    value: Row[];
  };
  return r.value;
}
const rowFor = (rows: Row[], prefix: string) => rows.find((r) => r.addressPrefix.includes(prefix));

/** Every PUT of the build, as az and the SDKs send them. */
async function build(client: ApiClient): Promise<void> {
  const put = (path: string, body: unknown) => client.call('PUT', `${path}${V}`, body);
  const loc = 'westeurope';
  await put(`${NET}/virtualHubs/hubrs`, { location: loc, properties: { allowBranchToBranchTraffic: true } });
  await put(`${NET}/virtualHubs/hubrs/ipConfigurations/ipconfig1`, {
    properties: { subnet: { id: `${HUB}/subnets/RouteServerSubnet` } },
  });
  // az network vnet-gateway create: enableBgp false and activeActive false on an ExpressRoute gateway.
  await put(`${NET}/virtualNetworkGateways/er1`, {
    location: loc,
    properties: {
      gatewayType: 'ExpressRoute',
      enableBgp: false,
      activeActive: false,
      sku: { name: 'Standard', tier: 'Standard' },
      ipConfigurations: [{ name: 'default', properties: { subnet: { id: `${HUB}/subnets/GatewaySubnet` } } }],
    },
  });
  await put(`${NET}/virtualNetworkGateways/vpn1`, {
    location: loc,
    properties: {
      gatewayType: 'Vpn',
      vpnType: 'RouteBased',
      enableBgp: true,
      activeActive: true,
      sku: { name: 'VpnGw1', tier: 'VpnGw1' },
      bgpSettings: {
        asn: 65515,
        bgpPeeringAddresses: [
          { ipconfigurationId: 'default', customBgpIpAddresses: ['169.254.21.2'] },
          { ipconfigurationId: 'activeActive', customBgpIpAddresses: ['169.254.22.2'] },
        ],
      },
      ipConfigurations: [
        { name: 'default', properties: { subnet: { id: `${HUB}/subnets/GatewaySubnet` } } },
        { name: 'activeActive', properties: { subnet: { id: `${HUB}/subnets/GatewaySubnet` } } },
      ],
    },
  });
  const er = (name: string, circuit: string, weight?: number) =>
    put(`${NET}/connections/${name}`, {
      location: loc,
      properties: {
        connectionType: 'ExpressRoute',
        virtualNetworkGateway1: { id: `${NET}/virtualNetworkGateways/er1` },
        peer: { id: `${NET}/expressRouteCircuits/${circuit}` },
        enableBgp: false,
        ...(weight !== undefined ? { routingWeight: weight } : {}),
      },
    });
  await er('er1-c1', 'c1');
  await er('er1-c2', 'c2', 100);
  await put(`${NET}/connections/vpn1-site1`, {
    location: loc,
    properties: {
      connectionType: 'IPsec',
      virtualNetworkGateway1: { id: `${NET}/virtualNetworkGateways/vpn1` },
      localNetworkGateway2: { id: `${NET}/localNetworkGateways/site1` },
      enableBgp: true,
      sharedKey: 'not-kept',
    },
  });
  await put(`${NET}/localNetworkGateways/site2`, {
    location: loc,
    properties: { gatewayIpAddress: '203.0.113.20', localNetworkAddressSpace: { addressPrefixes: ['10.130.0.0/16'] } },
  });
  await put(`${NET}/connections/vpn1-site2`, {
    location: loc,
    properties: {
      connectionType: 'IPsec',
      virtualNetworkGateway1: { id: `${NET}/virtualNetworkGateways/vpn1` },
      localNetworkGateway2: { id: `${NET}/localNetworkGateways/site2` },
    },
  });
  await put(`${NET}/expressRouteCircuits/c3`, {
    location: loc,
    sku: { name: 'Standard_MeteredData', tier: 'Standard', family: 'MeteredData' },
    properties: {
      serviceProviderProperties: { serviceProviderName: 'Equinix', peeringLocation: 'Frankfurt', bandwidthInMbps: 500 },
    },
  });
  await put(`${NET}/expressRouteCircuits/c3/peerings/AzurePrivatePeering`, {
    properties: {
      peeringType: 'AzurePrivatePeering',
      peerASN: 65300,
      primaryPeerAddressPrefix: '169.254.102.0/30',
      secondaryPeerAddressPrefix: '169.254.102.4/30',
      vlanId: 102,
    },
  });
  await put(`${NET}/expressRouteCircuits/c3/peerings/AzurePrivatePeering/connections/c3-to-c1`, {
    properties: {
      expressRouteCircuitPeering: { id: `${NET}/expressRouteCircuits/c3/peerings/AzurePrivatePeering` },
      peerExpressRouteCircuitPeering: { id: `${NET}/expressRouteCircuits/c1/peerings/AzurePrivatePeering` },
      addressPrefix: '192.0.2.0/29',
    },
  });
}

/** The prefixes every part of the design brings to the client NIC, once they are there. */
async function converged(client: ApiClient, lab: Lab): Promise<Row[]> {
  let rows: Row[] = [];
  await waitFor(
    'the circuits, the BGP site and the static site on the client NIC',
    async () => {
      await lab.settled();
      rows = await routes(client);
      return ['192.168.0.0/16', '172.16.1.0/24', '172.16.2.0/24', '10.120.0.0/16', '10.130.0.0/16'].every((p) =>
        rowFor(rows, p),
      );
    },
    20_000,
  );
  return rows;
}

async function refused(p: Promise<unknown>): Promise<AzureError> {
  try {
    await p;
  } catch (e) {
    return e as AzureError;
  }
  assert.fail('the request was accepted');
}

test('a hub built at run time through ARM equals the lab file, and follows routingWeight, deletes and bad input', {
  timeout: 120_000,
}, async () => {
  const a = await startTestLab('hybrid-runtime-a', SMALL);
  labs.push(a);
  const client = await api(a.lab);
  await build(client);
  const rows = await converged(client, a.lab);

  // R-ER-3: er1-c2 weighs 100, er1-c1 0: 192.168.0.0/16 goes to c2's MSEEs (R-ER-4).
  const c1 = ['10.2.100.35', '10.2.100.36'];
  const c2 = ['10.2.100.45', '10.2.100.46'];
  const super16 = rowFor(rows, '192.168.0.0/16')!;
  assert.equal(super16.nextHopType, 'VirtualNetworkGateway');
  assert.ok(
    super16.nextHopIpAddress.length > 0 && super16.nextHopIpAddress.every((h) => c2.includes(h)),
    JSON.stringify(super16),
  );
  // R-VPN-1 and R-VPN-4: the BGP site's and the static site's prefixes through the VPN gateway.
  for (const p of ['10.120.0.0/16', '10.130.0.0/16'])
    assert.equal(rowFor(rows, p)?.nextHopType, 'VirtualNetworkGateway', p);
  // R-ER-6: over Global Reach, c3's primary MSEE learned onprem1's route (c3 has no router of its own).
  const c3Table = (await client.call(
    'POST',
    `${NET}/expressRouteCircuits/c3/peerings/AzurePrivatePeering/routeTables/primary${V}`,
  )) as { value: { network: string }[] };
  assert.ok(
    c3Table.value.some((r) => r.network === '172.16.1.0/24'),
    JSON.stringify(c3Table.value),
  );

  // The same design from a lab file: the same export and the same effective routes.
  const exported = await runCli(client, ['export']);
  const before = JSON.stringify(rows);

  // Bad input: Azure's codes naming the field; nothing changes.
  const model = a.lab.model;
  const weight = await refused(
    client.call('PUT', `${NET}/connections/er1-c1${V}`, {
      location: 'westeurope',
      properties: {
        connectionType: 'ExpressRoute',
        virtualNetworkGateway1: { id: `${NET}/virtualNetworkGateways/er1` },
        peer: { id: `${NET}/expressRouteCircuits/c1` },
        routingWeight: 40000,
      },
    }),
  );
  assert.equal(weight.code, 'InvalidRoutingWeight');
  assert.match(weight.message, /routingWeight|[Rr]outing weight 40000/);
  const missing = await refused(
    client.call('PUT', `${NET}/connections/er1-c9${V}`, {
      location: 'westeurope',
      properties: {
        connectionType: 'ExpressRoute',
        virtualNetworkGateway1: { id: `${NET}/virtualNetworkGateways/er1` },
        peer: { id: `${NET}/expressRouteCircuits/c9` },
      },
    }),
  );
  assert.equal(missing.code, 'InvalidResourceReference');
  assert.match(missing.message, /expressRouteCircuits\/c9/);
  const subnet = await refused(
    client.call('PUT', `${NET}/virtualNetworkGateways/er2${V}`, {
      location: 'westeurope',
      properties: {
        gatewayType: 'ExpressRoute',
        ipConfigurations: [{ name: 'default', properties: { subnet: { id: `${HUB}/subnets/default` } } }],
      },
    }),
  );
  assert.equal(subnet.code, 'InvalidGatewaySubnetName');
  const inUse = await refused(client.call('DELETE', `${NET}/virtualNetworkGateways/er1${V}`));
  assert.equal(inUse.code, 'InUseVirtualNetworkGatewayCannotBeDeleted');
  assert.match(inUse.message, /er1-c[12]/);
  assert.equal(a.lab.model, model, 'refused requests leave the model as it was');

  // R-ER-3: er1-c1 now weighs 200, more than er1-c2's 100: the NIC moves to c1's MSEEs.
  await client.call('PUT', `${NET}/connections/er1-c1${V}`, {
    location: 'westeurope',
    properties: {
      connectionType: 'ExpressRoute',
      virtualNetworkGateway1: { id: `${NET}/virtualNetworkGateways/er1` },
      peer: { id: `${NET}/expressRouteCircuits/c1` },
      routingWeight: 200,
    },
  });
  await waitFor(
    '192.168.0.0/16 through c1',
    async () => {
      await a.lab.settled();
      const r = rowFor(await routes(client), '192.168.0.0/16');
      return !!r && r.nextHopIpAddress.length > 0 && r.nextHopIpAddress.every((h) => c1.includes(h));
    },
    10_000,
  );

  // Deleting er1-c1: its four gateway–MSEE sessions close; 172.16.1.0/24, which only c1
  // offers, leaves the NIC, and 192.168.0.0/16 is c2's again.
  await client.call('DELETE', `${NET}/connections/er1-c1${V}`);
  assert.deepEqual(
    a.lab.graph.sessions().filter((s) => /^er1\/\d<->c1\//.test(s.name)),
    [],
    'no gateway session with c1 is left',
  );
  await waitFor(
    'c1 routes gone',
    async () => {
      await a.lab.settled();
      const r = await routes(client);
      const s = rowFor(r, '192.168.0.0/16');
      return !rowFor(r, '172.16.1.0/24') && !!s && s.nextHopIpAddress.every((h) => c2.includes(h));
    },
    10_000,
  );
  await apis.pop()!.close();
  await a.stop();
  labs.splice(labs.indexOf(a), 1);

  // The lab file of the same design (written above by hand from the same requests).
  const b = await startTestLab('hybrid-runtime-b', FULL);
  labs.push(b);
  const clientB = await api(b.lab);
  const rowsB = await converged(clientB, b.lab);
  assert.equal(JSON.stringify(rowsB), before, 'the same effective routes');
  const exportedB = await runCli(clientB, ['export']);
  assert.equal(exported, exportedB, 'the same lab file');
  fileExport = exportedB;
  await apis.pop()!.close();
  await b.stop();
  labs.splice(labs.indexOf(b), 1);
});

/** The file-built lab's export (the test above), which the CLI-built lab must equal. */
let fileExport: string | undefined;

test('the same hub built with the az-named CLI verbs (vnet-gateway, local-gateway, vpn-connection, express-route, Global Reach) equals the lab file', {
  timeout: 120_000,
}, async () => {
  assert.ok(fileExport, 'the file-built export of the test above');
  const a = await startTestLab('hybrid-runtime-cli', SMALL);
  labs.push(a);
  const client = await api(a.lab);
  const az = (line: string) => runCli(client, line.split(/\s+/));
  await az('network routeserver create -g rg -n hubrs --hosted-subnet ' + `${HUB}/subnets/RouteServerSubnet`);
  await az('network routeserver update -g rg -n hubrs --allow-b2b-traffic true');
  await az('network vnet-gateway create -g rg -n er1 --vnet hub --gateway-type ExpressRoute --sku Standard');
  await az(
    'network vnet-gateway create -g rg -n vpn1 --vnet hub --gateway-type Vpn --sku VpnGw1 --public-ip-addresses vpn1-pip1 vpn1-pip2 --asn 65515 --bgp-peering-address 169.254.21.2 --bgp-peering-address 169.254.22.2',
  );
  await az('network vpn-connection create -g rg -n er1-c1 --vnet-gateway1 er1 --express-route-circuit2 c1');
  await az(
    'network vpn-connection create -g rg -n er1-c2 --vnet-gateway1 er1 --express-route-circuit2 c2 --routing-weight 100',
  );
  await az(
    'network vpn-connection create -g rg -n vpn1-site1 --vnet-gateway1 vpn1 --local-gateway2 site1 --enable-bgp --shared-key k',
  );
  await az(
    'network local-gateway create -g rg -n site2 --gateway-ip-address 203.0.113.20 --local-address-prefixes 10.130.0.0/16',
  );
  await az(
    'network vpn-connection create -g rg -n vpn1-site2 --vnet-gateway1 vpn1 --local-gateway2 site2 --shared-key k',
  );
  await az(
    'network express-route create -g rg -n c3 --bandwidth 500 Mbps --peering-location Frankfurt --provider Equinix',
  );
  await az(
    'network express-route peering create -g rg --circuit-name c3 --peering-type AzurePrivatePeering --peer-asn 65300 --vlan-id 102 --primary-peer-subnet 169.254.102.0/30 --secondary-peer-subnet 169.254.102.4/30',
  );
  await az(
    'network express-route peering connection create -g rg --circuit-name c3 --peering-name AzurePrivatePeering -n c3-to-c1 --peer-circuit c1 --address-prefix 192.0.2.0/29',
  );
  const shown = JSON.parse(await az('network vpn-connection show -g rg -n er1-c2')) as { routingWeight: number };
  assert.equal(shown.routingWeight, 100);
  await converged(client, a.lab);
  assert.equal(await runCli(client, ['export']), fileExport, 'the same lab file as the file-built lab');

  // vpn-connection update --routing-weight (R-ER-3): c1 at 200 now outweighs c2's 100.
  await az('network vpn-connection update -g rg -n er1-c1 --routing-weight 200');
  await waitFor(
    '192.168.0.0/16 through c1 after the update',
    async () => {
      await a.lab.settled();
      const r = rowFor(await routes(client), '192.168.0.0/16');
      return !!r && r.nextHopIpAddress.length > 0 && r.nextHopIpAddress.every((h) => h.startsWith('10.2.100.3'));
    },
    10_000,
  );
  // Global Reach deleted: c3's MSEE no longer learns onprem1's route (R-ER-6).
  await az(
    'network express-route peering connection delete -g rg --circuit-name c3 --peering-name AzurePrivatePeering -n c3-to-c1',
  );
  await waitFor(
    "c3 without onprem1's route",
    async () => {
      await a.lab.settled();
      const t = (await client.call(
        'POST',
        `${NET}/expressRouteCircuits/c3/peerings/AzurePrivatePeering/routeTables/primary${V}`,
      )) as { value: { network: string }[] };
      return !t.value.some((r) => r.network === '172.16.1.0/24');
    },
    10_000,
  );
  // vnet peering update (az's --set): a spoke peered without gateway transit gets none of the
  // hub's gateway routes; with allowGatewayTransit on the hub's side and useRemoteGateways on
  // the spoke's, its NICs get them (R-ARS-8; "Configure VPN gateway transit for virtual
  // network peering", learn.microsoft.com/azure/vpn-gateway/vpn-gateway-peering-gateway-transit).
  await az(
    'network vnet create -g rg -n spoke --address-prefix 10.100.16.0/24 --subnet-name default --subnet-prefix 10.100.16.0/24',
  );
  await client.call('PUT', `${NET}/networkInterfaces/spokenic${V}`, {
    properties: {
      ipConfigurations: [
        { name: 'ipconfig1', properties: { subnet: { id: `${NET}/virtualNetworks/spoke/subnets/default` } } },
      ],
    },
  });
  await az('network vnet peering create -g rg -n hub-to-spoke --vnet-name hub --remote-vnet spoke');
  await az('network vnet peering create -g rg -n spoke-to-hub --vnet-name spoke --remote-vnet hub');
  const spokeRoutes = async () =>
    ((await client.call('POST', `${NET}/networkInterfaces/spokenic/effectiveRouteTable${V}`)) as { value: Row[] })
      .value;
  await a.lab.settled();
  assert.equal(rowFor(await spokeRoutes(), '172.16.2.0/24'), undefined, 'no gateway transit yet');
  await az('network vnet peering update -g rg -n hub-to-spoke --vnet-name hub --set allowGatewayTransit=true');
  const updated = JSON.parse(
    await az('network vnet peering update -g rg -n spoke-to-hub --vnet-name spoke --set useRemoteGateways=true'),
  ) as { useRemoteGateways: boolean };
  assert.equal(updated.useRemoteGateways, true);
  await waitFor(
    "the hub's gateway routes on the spoke NIC",
    async () => {
      await a.lab.settled();
      return rowFor(await spokeRoutes(), '172.16.2.0/24')?.nextHopType === 'VirtualNetworkGateway';
    },
    10_000,
  );
  await az('network vpn-connection delete -g rg -n vpn1-site2');
  await az('network local-gateway delete -g rg -n site2');
  await waitFor(
    'the static site gone',
    async () => {
      await a.lab.settled();
      return !rowFor(await routes(client), '10.130.0.0/16');
    },
    10_000,
  );
});
