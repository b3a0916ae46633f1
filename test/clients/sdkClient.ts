/**
 * A script as a user writes it with the official Azure SDK for JavaScript — @azure/arm-network
 * and @azure/identity, unchanged — run by test/clients/sdk.test.ts as its own process with
 * only what `arslab env` exports: the endpoint (ARSLAB_ARM_ENDPOINT), the CA file
 * (NODE_EXTRA_CA_CERTS, read by Node at start) and the managed-identity endpoint
 * (IDENTITY_ENDPOINT + IDENTITY_HEADER, read by ManagedIdentityCredential). It knows the
 * seed-000 resource names (shared/seeds/000) and nothing of ARSLab. It prints one JSON
 * object with what each call returned.
 */
import { ManagedIdentityCredential } from '@azure/identity';
import { NetworkManagementClient } from '@azure/arm-network';

const endpoint = process.env['ARSLAB_ARM_ENDPOINT'];
if (!endpoint) throw new Error('ARSLAB_ARM_ENDPOINT is not set (eval "$(arslab env)")');

const RG = 'next-hop-ip-rg';
const VM_RG = 'next-hop-ip-vm-rg';
const HUB = 'next-hop-ip-routeserver';

async function main(): Promise<void> {
  const credential = new ManagedIdentityCredential();
  // The subscription, as any ARM client finds it: GET /subscriptions with the token.
  const token = await credential.getToken(`${endpoint}/.default`);
  const subs = (await (
    await fetch(`${endpoint}/subscriptions?api-version=2022-12-01`, {
      headers: { authorization: `Bearer ${token.token}` },
    })
  ).json()) as { value: { subscriptionId: string }[] };
  const subscriptionId = subs.value[0]!.subscriptionId;

  const client = new NetworkManagementClient(credential, subscriptionId, {
    endpoint,
    credentialScopes: [`${endpoint}/.default`],
  });
  const hub = await client.virtualHubs.get(RG, HUB);
  const connections = [];
  for await (const c of client.virtualHubBgpConnections.list(RG, HUB)) connections.push(c);
  const learned = await client.virtualHubBgpConnections.beginListLearnedRoutesAndWait(RG, HUB, 'watcher', {
    updateIntervalInMs: 50,
  });
  const advertised = await client.virtualHubBgpConnections.beginListAdvertisedRoutesAndWait(RG, HUB, 'watcher', {
    updateIntervalInMs: 50,
  });
  const effective = await client.networkInterfaces.beginGetEffectiveRouteTableAndWait(VM_RG, 'lt1VMNic', {
    updateIntervalInMs: 50,
  });
  const vm = `/subscriptions/${subscriptionId}/resourceGroups/${VM_RG}/providers/Microsoft.Compute/virtualMachines/lt1`;
  const nextHop = await client.networkWatchers.beginGetNextHopAndWait(
    'NetworkWatcherRG',
    'NetworkWatcher_uksouth',
    { targetResourceId: vm, sourceIPAddress: '10.10.0.6', destinationIPAddress: '100.64.0.1' },
    { updateIntervalInMs: 50 },
  );
  // A user route that overrides the route server's: 100.64.0.1/32 through ws2.
  const created = await client.routes.beginCreateOrUpdateAndWait(
    RG,
    'next-hop-ip-rt',
    'vip-via-ws2',
    { addressPrefix: '100.64.0.1/32', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.10.0.5' },
    { updateIntervalInMs: 50 },
  );
  const effectiveWithRoute = await client.networkInterfaces.beginGetEffectiveRouteTableAndWait(VM_RG, 'lt1VMNic', {
    updateIntervalInMs: 50,
  });
  await client.routes.beginDeleteAndWait(RG, 'next-hop-ip-rt', 'vip-via-ws2', { updateIntervalInMs: 50 });
  const routesAfterDelete = [];
  for await (const r of client.routes.list(RG, 'next-hop-ip-rt')) routesAfterDelete.push(r);
  const effectiveAfterDelete = await client.networkInterfaces.beginGetEffectiveRouteTableAndWait(VM_RG, 'lt1VMNic', {
    updateIntervalInMs: 50,
  });
  process.stdout.write(
    `${JSON.stringify({
      subscriptionId,
      hub,
      connections,
      learned,
      advertised,
      effective,
      nextHop,
      created,
      effectiveWithRoute,
      routesAfterDelete,
      effectiveAfterDelete,
    })}\n`,
  );
}

main().catch((e: unknown) => {
  const err = e as { message?: string; code?: string; statusCode?: number };
  process.stderr.write(`sdk client failed: ${err.code ?? ''} ${err.statusCode ?? ''} ${err.message ?? String(e)}\n`);
  process.exit(1);
});
