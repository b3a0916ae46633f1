/** arslab network routeserver peering create — mirrors `az network routeserver peering create`: both instances accept the NVA (R-ARS-3). */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { ApiClient } from '../../../../client.js';
import { UsageError, type Command, type ParsedArgs } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { PEERING_NAME, ROUTESERVER_ARGS } from './common.js';

export const PEER_ARGS = {
  peerAsn: { flags: ['--peer-asn'], help: "Peer AS number (the NVA's).", required: true },
  peerIp: { flags: ['--peer-ip'], help: "Peer IP address (the NVA's).", required: true },
};

/** PUT the peering: the body az sends. */
export async function putPeering(c: ApiClient, args: ParsedArgs): Promise<unknown> {
  const asn = Number(str(args, 'peerAsn'));
  if (!Number.isInteger(asn)) throw new UsageError(`argument --peer-asn: invalid int value: '${str(args, 'peerAsn')}'`);
  return flattenArm(
    await c.call(
      'PUT',
      c.arm(ArmPaths.bgpConnection, {
        resourceGroupName: str(args, 'resourceGroup'),
        virtualHubName: str(args, 'routeserver'),
        connectionName: str(args, 'name'),
      }),
      { name: str(args, 'name'), properties: { peerAsn: asn, peerIp: str(args, 'peerIp') } },
    ),
  );
}

export const command: Command = {
  path: ['network', 'routeserver', 'peering', 'create'],
  summary: 'Create a route server peering: both instances accept the NVA (R-ARS-3).',
  args: { ...ROUTESERVER_ARGS, name: PEERING_NAME, ...PEER_ARGS },
  examples: [
    'arslab network routeserver peering create -g next-hop-ip-rg --routeserver next-hop-ip-routeserver -n watcher --peer-asn 65001 --peer-ip 10.10.0.7',
  ],
  async run(ctx, args) {
    return putPeering(await ctx.client(), args);
  },
};
