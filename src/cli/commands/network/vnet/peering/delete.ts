/** arslab network vnet peering delete — mirrors `az network vnet peering delete`. */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { PEERING_NAME, VNET_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'vnet', 'peering', 'delete'],
  summary: 'Delete a virtual network peering.',
  args: { ...VNET_ARGS, name: PEERING_NAME },
  examples: ['arslab network vnet peering delete -g rg --vnet-name hub1 -n hub1-to-spoke11'],
  async run(ctx, args) {
    const c = await ctx.client();
    await c.call(
      'DELETE',
      c.arm(ArmPaths.virtualNetworkPeering, {
        resourceGroupName: str(args, 'resourceGroup'),
        virtualNetworkName: str(args, 'vnetName'),
        virtualNetworkPeeringName: str(args, 'name'),
      }),
    );
    return undefined;
  },
};
