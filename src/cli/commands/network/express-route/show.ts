/** arslab network express-route show — mirrors `az network express-route show`. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenDeep } from '../vnet-gateway/common.js';

export const command: Command = {
  path: ['network', 'express-route', 'show'],
  summary: 'Get the details of an ExpressRoute circuit.',
  args: {
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    name: { flags: ['--name', '-n'], help: 'ExpressRoute circuit name.', required: true },
  },
  examples: ['arslab network express-route show -g MyResourceGroup -n MyCircuit'],
  async run(ctx, args) {
    const c = await ctx.client();
    return flattenDeep(
      await c.call(
        'GET',
        c.arm(ArmPaths.expressRouteCircuit, {
          resourceGroupName: str(args, 'resourceGroup'),
          circuitName: str(args, 'name'),
        }),
      ),
    );
  },
};
