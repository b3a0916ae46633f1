/** arslab network routeserver list — mirrors `az network routeserver list -g`. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

export const command: Command = {
  path: ['network', 'routeserver', 'list'],
  summary: 'List the route servers of a resource group.',
  args: {
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  },
  examples: ['arslab network routeserver list -g next-hop-ip-rg -o table'],
  async run(ctx, args) {
    const c = await ctx.client();
    const r = (await c.call('GET', c.arm(ArmPaths.virtualHubs, { resourceGroupName: str(args, 'resourceGroup') }))) as {
      value: unknown[];
    };
    return r.value.map((x) => flattenArm(x));
  },
};
