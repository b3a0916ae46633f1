/**
 * The hybrid part of a hub built the way a user builds Azure with the official SDK for
 * JavaScript — @azure/arm-network and @azure/identity, unchanged: run by
 * test/clients/sdkHybrid.test.ts as its own process with only what `arslab env` exports. It
 * knows the design's names (test/fixtures/hybridHubLab.ts) and nothing of ARSLab.
 *
 * `node sdkHybrid.js build RG` creates the route server, the ExpressRoute and VPN gateways,
 * their connections (er1-c2 with routingWeight 100), a static site, circuit c3 with its
 * private peering and Global Reach to c1, and prints the client NIC's effective routes;
 * `change RG` raises er1-c1's routingWeight to 200, then deletes er1-c1, printing the
 * effective routes after each, and what the SDK reads back.
 */
import { ManagedIdentityCredential } from '@azure/identity';
import { NetworkManagementClient } from '@azure/arm-network';

const endpoint = process.env['ARSLAB_ARM_ENDPOINT'];
if (!endpoint) throw new Error('ARSLAB_ARM_ENDPOINT is not set (eval "$(arslab env)")');
const mode = process.argv[2] ?? 'build';
const RG = process.argv[3] ?? 'rg';
const LOCATION = 'westeurope';
const fast = { updateIntervalInMs: 50 };

async function main(): Promise<void> {
  const credential = new ManagedIdentityCredential();
  const token = await credential.getToken(`${endpoint}/.default`);
  const subs = (await (
    await fetch(`${endpoint}/subscriptions?api-version=2022-12-01`, {
      headers: { authorization: `Bearer ${token.token}` },
    })
  ).json()) as { value: { subscriptionId: string }[] };
  const sub = subs.value[0]!.subscriptionId;
  const client = new NetworkManagementClient(credential, sub, { endpoint, credentialScopes: [`${endpoint}/.default`] });
  const net = `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Network`;
  const subnet = (name: string) => ({ id: `${net}/virtualNetworks/hub/subnets/${name}` });
  const effective = async () =>
    (await client.networkInterfaces.beginGetEffectiveRouteTableAndWait(RG, 'clientVMNic', fast)).value ?? [];
  const out: Record<string, unknown> = {};

  if (mode === 'build') {
    await client.virtualHubs.beginCreateOrUpdateAndWait(
      RG,
      'hubrs',
      { location: LOCATION, allowBranchToBranchTraffic: true },
      fast,
    );
    await client.virtualHubIpConfiguration.beginCreateOrUpdateAndWait(
      RG,
      'hubrs',
      'ipconfig1',
      { subnet: subnet('RouteServerSubnet') },
      fast,
    );
    const er1 = await client.virtualNetworkGateways.beginCreateOrUpdateAndWait(
      RG,
      'er1',
      {
        location: LOCATION,
        gatewayType: 'ExpressRoute',
        sku: { name: 'Standard', tier: 'Standard' },
        ipConfigurations: [{ name: 'default', subnet: subnet('GatewaySubnet') }],
      },
      fast,
    );
    const vpn1 = await client.virtualNetworkGateways.beginCreateOrUpdateAndWait(
      RG,
      'vpn1',
      {
        location: LOCATION,
        gatewayType: 'Vpn',
        vpnType: 'RouteBased',
        // The SDK names properties.activeActive `active`.
        active: true,
        enableBgp: true,
        sku: { name: 'VpnGw1', tier: 'VpnGw1' },
        bgpSettings: {
          asn: 65515,
          bgpPeeringAddresses: [
            { ipconfigurationId: 'default', customBgpIpAddresses: ['169.254.21.2'] },
            { ipconfigurationId: 'activeActive', customBgpIpAddresses: ['169.254.22.2'] },
          ],
        },
        ipConfigurations: [
          { name: 'default', subnet: subnet('GatewaySubnet') },
          { name: 'activeActive', subnet: subnet('GatewaySubnet') },
        ],
      },
      fast,
    );
    const erConnection = (name: string, circuit: string, routingWeight?: number) =>
      client.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
        RG,
        name,
        {
          location: LOCATION,
          connectionType: 'ExpressRoute',
          virtualNetworkGateway1: { id: er1.id },
          peer: { id: `${net}/expressRouteCircuits/${circuit}` },
          ...(routingWeight !== undefined ? { routingWeight } : {}),
        },
        fast,
      );
    await erConnection('er1-c1', 'c1');
    await erConnection('er1-c2', 'c2', 100);
    await client.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
      RG,
      'vpn1-site1',
      {
        location: LOCATION,
        connectionType: 'IPsec',
        virtualNetworkGateway1: { id: vpn1.id },
        localNetworkGateway2: { id: `${net}/localNetworkGateways/site1` },
        enableBgp: true,
        sharedKey: 'not-kept',
      },
      fast,
    );
    const site2 = await client.localNetworkGateways.beginCreateOrUpdateAndWait(
      RG,
      'site2',
      {
        location: LOCATION,
        gatewayIpAddress: '203.0.113.20',
        localNetworkAddressSpace: { addressPrefixes: ['10.130.0.0/16'] },
      },
      fast,
    );
    await client.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
      RG,
      'vpn1-site2',
      {
        location: LOCATION,
        connectionType: 'IPsec',
        virtualNetworkGateway1: { id: vpn1.id },
        localNetworkGateway2: { id: site2.id },
      },
      fast,
    );
    await client.expressRouteCircuits.beginCreateOrUpdateAndWait(
      RG,
      'c3',
      {
        location: LOCATION,
        sku: { name: 'Standard_MeteredData', tier: 'Standard', family: 'MeteredData' },
        serviceProviderProperties: {
          serviceProviderName: 'Equinix',
          peeringLocation: 'Frankfurt',
          bandwidthInMbps: 500,
        },
      },
      fast,
    );
    const peering = await client.expressRouteCircuitPeerings.beginCreateOrUpdateAndWait(
      RG,
      'c3',
      'AzurePrivatePeering',
      {
        peeringType: 'AzurePrivatePeering',
        peerASN: 65300,
        primaryPeerAddressPrefix: '169.254.102.0/30',
        secondaryPeerAddressPrefix: '169.254.102.4/30',
        vlanId: 102,
      },
      fast,
    );
    out['globalReach'] = await client.expressRouteCircuitConnections.beginCreateOrUpdateAndWait(
      RG,
      'c3',
      'AzurePrivatePeering',
      'c3-to-c1',
      {
        expressRouteCircuitPeering: { id: peering.id },
        peerExpressRouteCircuitPeering: { id: `${net}/expressRouteCircuits/c1/peerings/AzurePrivatePeering` },
        addressPrefix: '192.0.2.0/29',
      },
      fast,
    );
    out['gateways'] = [er1, vpn1].map((g) => ({
      name: g.name,
      gatewayType: g.gatewayType,
      activeActive: g.active,
    }));
    out['effective'] = await effective();
  } else {
    const c1 = await client.virtualNetworkGatewayConnections.get(RG, 'er1-c1');
    await client.virtualNetworkGatewayConnections.beginCreateOrUpdateAndWait(
      RG,
      'er1-c1',
      { ...c1, routingWeight: 200 },
      fast,
    );
    out['weighted'] = await effective();
    await client.virtualNetworkGatewayConnections.beginDeleteAndWait(RG, 'er1-c1', fast);
    out['deleted'] = await effective();
    const left = [];
    for await (const c of client.virtualNetworkGatewayConnections.list(RG)) left.push(c.name);
    out['connections'] = left;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
