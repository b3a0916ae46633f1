/** arslab network routeserver peering show — mirrors `az network routeserver peering show`. */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { PEERING_NAME, ROUTESERVER_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'routeserver', 'peering', 'show'],
  summary: 'Show a route server peering.',
  args: { ...ROUTESERVER_ARGS, name: PEERING_NAME },
  examples: [
    'arslab network routeserver peering show -g next-hop-ip-rg --routeserver next-hop-ip-routeserver -n watcher',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const path = c.arm(ArmPaths.bgpConnection, {
      resourceGroupName: str(args, 'resourceGroup'),
      virtualHubName: str(args, 'routeserver'),
      connectionName: str(args, 'name'),
    });
    return flattenArm(await c.call('GET', path), ['connectionState']);
  },
};
