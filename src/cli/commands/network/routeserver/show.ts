/** arslab network routeserver show — mirrors `az network routeserver show`. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

export const command: Command = {
  path: ['network', 'routeserver', 'show'],
  summary: 'Show a route server.',
  args: {
    name: { flags: ['--name', '-n'], help: 'Name of the route server.', required: true },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  },
  examples: [
    'arslab network routeserver show -g next-hop-ip-rg -n next-hop-ip-routeserver',
    'arslab network routeserver show -g next-hop-ip-rg -n next-hop-ip-routeserver --query virtualRouterIps -o tsv',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    return flattenArm(
      await c.call(
        'GET',
        c.arm(ArmPaths.virtualHub, {
          resourceGroupName: str(args, 'resourceGroup'),
          virtualHubName: str(args, 'name'),
        }),
      ),
    );
  },
};
