/** arslab network vnet-gateway show — mirrors `az network vnet-gateway show`. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenDeep } from './common.js';

export const command: Command = {
  path: ['network', 'vnet-gateway', 'show'],
  summary: 'Get the details of a virtual network gateway.',
  args: {
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    name: { flags: ['--name', '-n'], help: 'Name of the VNet gateway.', required: true },
  },
  examples: [
    'arslab network vnet-gateway show -g MyResourceGroup -n MyVnetGateway',
    'arslab network vnet-gateway show -g MyResourceGroup -n MyVnetGateway --query bgpSettings',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    return flattenDeep(
      await c.call(
        'GET',
        c.arm(ArmPaths.virtualNetworkGateway, {
          resourceGroupName: str(args, 'resourceGroup'),
          virtualNetworkGatewayName: str(args, 'name'),
        }),
      ),
    );
  },
};
