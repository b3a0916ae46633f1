/**
 * arslab network routeserver peering update — mirrors `az network routeserver peering
 * update`: the peering's current peer IP and ASN, changed by the flags given, put again (a
 * change of either closes the old sessions and opens new ones).
 */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { PEERING_NAME, ROUTESERVER_ARGS } from './common.js';
import { putPeering } from './create.js';

export const command: Command = {
  path: ['network', 'routeserver', 'peering', 'update'],
  summary: 'Update a route server peering (peer IP, peer ASN).',
  args: {
    ...ROUTESERVER_ARGS,
    name: PEERING_NAME,
    peerAsn: { flags: ['--peer-asn'], help: "Peer AS number (the NVA's)." },
    peerIp: { flags: ['--peer-ip'], help: "Peer IP address (the NVA's)." },
  },
  examples: [
    'arslab network routeserver peering update -g next-hop-ip-rg --routeserver next-hop-ip-routeserver -n watcher --peer-ip 10.10.0.8',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const now = (await c.call(
      'GET',
      c.arm(ArmPaths.bgpConnection, {
        resourceGroupName: str(args, 'resourceGroup'),
        virtualHubName: str(args, 'routeserver'),
        connectionName: str(args, 'name'),
      }),
    )) as { properties: { peerAsn: number; peerIp: string } };
    return putPeering(c, {
      ...args,
      peerAsn: typeof args['peerAsn'] === 'string' ? args['peerAsn'] : String(now.properties.peerAsn),
      peerIp: typeof args['peerIp'] === 'string' ? args['peerIp'] : now.properties.peerIp,
    });
  },
};
