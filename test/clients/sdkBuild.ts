/**
 * Seed 000's environment built the way a user builds Azure with the official SDK for
 * JavaScript — @azure/arm-network and @azure/identity, unchanged — from an empty lab: run by
 * test/clients/sdkBuild.test.ts as its own process with only what `arslab env` exports
 * (ARSLAB_ARM_ENDPOINT, NODE_EXTRA_CA_CERTS, IDENTITY_ENDPOINT, IDENTITY_HEADER). It knows
 * seed 000's names and addresses (shared/seeds/000, scenarios/next-hop-failover/lab.yml) and
 * nothing of ARSLab. Resource groups are Microsoft.Resources (@azure/arm-resources is not a
 * dependency): created with the SDK's own pipeline, `client.sendRequest`, on the spec's path.
 *
 * `node sdkBuild.js build` creates everything, waits for the VIP learned from watch1 and
 * prints what it reads; `read` only reads (the file-built lab); `change` changes a route and
 * a peering, then deletes; each prints one JSON object.
 */
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { ManagedIdentityCredential } from '@azure/identity';
import { NetworkManagementClient } from '@azure/arm-network';

const endpoint = process.env['ARSLAB_ARM_ENDPOINT'];
if (!endpoint) throw new Error('ARSLAB_ARM_ENDPOINT is not set (eval "$(arslab env)")');
const mode = process.argv[2] ?? 'read';

const LOCATION = 'uksouth';
const RG = 'next-hop-ip-rg';
const VM_RG = 'next-hop-ip-vm-rg';
const VNET = 'next-hop-ip-vnet';
const HUB = 'next-hop-ip-routeserver';
const RT = 'next-hop-ip-rt';
const fast = { updateIntervalInMs: 50 };
const VMS: readonly [string, string, boolean][] = [
  ['ws1', '10.10.0.4', true],
  ['ws2', '10.10.0.5', true],
  ['lt1', '10.10.0.6', false],
  ['watch1', '10.10.0.7', false],
];

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
  const net = (rg: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network`;
  const subnetId = (name: string) => `${net(RG)}/virtualNetworks/${VNET}/subnets/${name}`;
  const out: Record<string, unknown> = {};

  const read = async () => {
    const learned = await client.virtualHubBgpConnections.beginListLearnedRoutesAndWait(RG, HUB, 'watcher', fast);
    const effective = await client.networkInterfaces.beginGetEffectiveRouteTableAndWait(VM_RG, 'lt1VMNic', fast);
    const nextHop = await client.networkWatchers.beginGetNextHopAndWait(
      'NetworkWatcherRG',
      `NetworkWatcher_${LOCATION}`,
      {
        targetResourceId: `/subscriptions/${sub}/resourceGroups/${VM_RG}/providers/Microsoft.Compute/virtualMachines/lt1`,
        sourceIPAddress: '10.10.0.6',
        destinationIPAddress: '100.64.0.1',
      },
      fast,
    );
    return { learned, effective, nextHop };
  };
  const effective = async () =>
    (await client.networkInterfaces.beginGetEffectiveRouteTableAndWait(VM_RG, 'lt1VMNic', fast)).value;

  if (mode === 'build') {
    // az group create ×2 (Microsoft.Resources, through the SDK's pipeline).
    for (const rg of [RG, VM_RG]) {
      const res = await client.pipeline.sendRequest(
        client,
        createPipelineRequest({
          url: `${endpoint}/subscriptions/${sub}/resourcegroups/${rg}?api-version=2022-09-01`,
          method: 'PUT',
          headers: createHttpHeaders({ 'content-type': 'application/json' }),
          body: JSON.stringify({ location: LOCATION }),
        }),
      );
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`resource group ${rg}: ${res.status} ${res.bodyAsText}`);
    }
    // az network vnet create … --subnet-name default, then subnet create ×2.
    out['vnet'] = await client.virtualNetworks.beginCreateOrUpdateAndWait(
      RG,
      VNET,
      {
        location: LOCATION,
        addressSpace: { addressPrefixes: ['10.10.0.0/16'] },
        subnets: [{ name: 'default', addressPrefix: '10.10.0.0/24' }],
      },
      fast,
    );
    for (const [name, prefix] of [
      ['RouteServerSubnet', '10.10.1.0/24'],
      ['AzureBastionSubnet', '10.10.2.0/24'],
    ] as const)
      await client.subnets.beginCreateOrUpdateAndWait(RG, VNET, name, { addressPrefix: prefix }, fast);
    // az network public-ip create; az network routeserver create (virtualHubs, then its ipConfiguration).
    await client.publicIPAddresses.beginCreateOrUpdateAndWait(
      RG,
      'next-hop-ip-routeserver-pip',
      { location: LOCATION, sku: { name: 'Standard' }, publicIPAllocationMethod: 'Static' },
      fast,
    );
    await client.virtualHubs.beginCreateOrUpdateAndWait(RG, HUB, { location: LOCATION, sku: 'Standard' }, fast);
    out['ipConfiguration'] = await client.virtualHubIpConfiguration.beginCreateOrUpdateAndWait(
      RG,
      HUB,
      'ipconfig1',
      {
        subnet: { id: subnetId('RouteServerSubnet') },
        publicIPAddress: { id: `${net(RG)}/publicIPAddresses/next-hop-ip-routeserver-pip` },
      },
      fast,
    );
    out['hub'] = await client.virtualHubs.get(RG, HUB);
    // az network routeserver peering create --name watcher --peer-asn 65001 --peer-ip 10.10.0.7
    out['peering'] = await client.virtualHubBgpConnection.beginCreateOrUpdateAndWait(
      RG,
      HUB,
      'watcher',
      { peerAsn: 65001, peerIp: '10.10.0.7' },
      fast,
    );
    // az network route-table create; az network vnet subnet update --route-table
    await client.routeTables.beginCreateOrUpdateAndWait(RG, RT, { location: LOCATION }, fast);
    const def = await client.subnets.get(RG, VNET, 'default');
    await client.subnets.beginCreateOrUpdateAndWait(
      RG,
      VNET,
      'default',
      { ...def, routeTable: { id: `${net(RG)}/routeTables/${RT}` } },
      fast,
    );
    // az vm create … --private-ip-address (its NIC {vm}VMNic, ipconfig{vm}); az network nic update --ip-forwarding true
    for (const [vm, ip, forwarding] of VMS) {
      await client.networkInterfaces.beginCreateOrUpdateAndWait(
        VM_RG,
        `${vm}VMNic`,
        {
          location: LOCATION,
          ipConfigurations: [
            {
              name: `ipconfig${vm}`,
              subnet: { id: subnetId('default') },
              privateIPAddress: ip,
              privateIPAllocationMethod: 'Static',
            },
          ],
        },
        fast,
      );
      const res = await client.pipeline.sendRequest(
        client,
        createPipelineRequest({
          url: `${endpoint}/subscriptions/${sub}/resourceGroups/${VM_RG}/providers/Microsoft.Compute/virtualMachines/${vm}?api-version=2024-07-01`,
          method: 'PUT',
          headers: createHttpHeaders({ 'content-type': 'application/json' }),
          body: JSON.stringify({
            location: LOCATION,
            properties: {
              hardwareProfile: { vmSize: 'Standard_B1s' },
              networkProfile: {
                networkInterfaces: [
                  { id: `${net(VM_RG)}/networkInterfaces/${vm}VMNic`, properties: { primary: true } },
                ],
              },
            },
          }),
        }),
      );
      if (res.status !== 201) throw new Error(`virtual machine ${vm}: ${res.status} ${res.bodyAsText}`);
      if (forwarding) {
        const nic = await client.networkInterfaces.get(VM_RG, `${vm}VMNic`);
        await client.networkInterfaces.beginCreateOrUpdateAndWait(
          VM_RG,
          `${vm}VMNic`,
          { ...nic, enableIPForwarding: true },
          fast,
        );
      }
    }
    out['nics'] = [];
    for await (const n of client.networkInterfaces.list(VM_RG)) (out['nics'] as unknown[]).push(n);
  }

  if (mode === 'build' || mode === 'read') {
    // The VIP arrives when watch1's BGP session is up (the test runs its ExaBGP).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const l = await client.virtualHubBgpConnections.beginListLearnedRoutesAndWait(RG, HUB, 'watcher', fast);
      const both = ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1'].every((i) =>
        (l[i] as { network?: string }[] | undefined)?.some((r) => r.network === '100.64.0.1/32'),
      );
      if (both) break;
      if (Date.now() > deadline) throw new Error(`the VIP was not learned: ${JSON.stringify(l)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    Object.assign(out, await read());
  }

  if (mode === 'change') {
    // A route: the VIP through ws2 on the default subnet's table (R-NIC-3 beats the BGP route).
    await client.routes.beginCreateOrUpdateAndWait(
      RG,
      RT,
      'vip-via-ws2',
      { addressPrefix: '100.64.0.1/32', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.10.0.5' },
      fast,
    );
    out['withRoute'] = await effective();
    await client.routes.beginDeleteAndWait(RG, RT, 'vip-via-ws2', fast);
    // The table now propagates no BGP routes (route-table update --disable-bgp-route-propagation).
    const t = await client.routeTables.get(RG, RT);
    await client.routeTables.beginCreateOrUpdateAndWait(RG, RT, { ...t, disableBgpRoutePropagation: true }, fast);
    out['noPropagation'] = await effective();
    await client.routeTables.beginCreateOrUpdateAndWait(RG, RT, { ...t, disableBgpRoutePropagation: false }, fast);
    // A peering: watcher deleted (its sessions close, its routes go), then made again.
    await client.virtualHubBgpConnection.beginDeleteAndWait(RG, HUB, 'watcher', fast);
    const left = [];
    for await (const c of client.virtualHubBgpConnections.list(RG, HUB)) left.push(c.name);
    out['peeringsAfterDelete'] = left;
    out['withoutPeering'] = await effective();
    await client.virtualHubBgpConnection.beginCreateOrUpdateAndWait(
      RG,
      HUB,
      'watcher',
      { peerAsn: 65001, peerIp: '10.10.0.7' },
      fast,
    );
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rows = await effective();
      if (rows?.some((r) => r.addressPrefix?.[0] === '100.64.0.1/32')) {
        out['peeringAgain'] = rows;
        break;
      }
      if (Date.now() > deadline) throw new Error('the VIP did not come back after the peering was made again');
      await new Promise((r) => setTimeout(r, 200));
    }
    // A refused change: a peer ASN Azure reserves (R-ARS-3), Azure's code.
    try {
      await client.virtualHubBgpConnection.beginCreateOrUpdateAndWait(
        RG,
        HUB,
        'bad',
        { peerAsn: 65515, peerIp: '10.10.0.9' },
        fast,
      );
      out['refused'] = 'accepted';
    } catch (e) {
      out['refused'] = { code: (e as { code?: string }).code, statusCode: (e as { statusCode?: number }).statusCode };
    }
    // Deletes: lt1, its NIC, then the route server.
    await client.pipeline.sendRequest(
      client,
      createPipelineRequest({
        url: `${endpoint}/subscriptions/${sub}/resourceGroups/${VM_RG}/providers/Microsoft.Compute/virtualMachines/lt1?api-version=2024-07-01`,
        method: 'DELETE',
      }),
    );
    await client.networkInterfaces.beginDeleteAndWait(VM_RG, 'lt1VMNic', fast);
    await client.virtualHubs.beginDeleteAndWait(RG, HUB, fast);
    const hubs = [];
    for await (const h of client.virtualHubs.listByResourceGroup(RG)) hubs.push(h.name);
    out['hubsAfterDelete'] = hubs;
    out['ws1AfterDelete'] = (
      await client.networkInterfaces.beginGetEffectiveRouteTableAndWait(VM_RG, 'ws1VMNic', fast)
    ).value;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e: unknown) => {
  const err = e as { message?: string; code?: string; statusCode?: number };
  process.stderr.write(`sdk build failed: ${err.code ?? ''} ${err.statusCode ?? ''} ${err.message ?? String(e)}\n`);
  process.exit(1);
});
