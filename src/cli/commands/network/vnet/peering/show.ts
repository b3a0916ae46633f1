/** arslab network vnet peering show — mirrors `az network vnet peering show`. */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { PEERING_NAME, VNET_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'vnet', 'peering', 'show'],
  summary: 'Show a virtual network peering.',
  args: { ...VNET_ARGS, name: PEERING_NAME },
  examples: ['arslab network vnet peering show -g rg --vnet-name hub1 -n hub1-to-spoke11'],
  async run(ctx, args) {
    const c = await ctx.client();
    return flattenArm(
      await c.call(
        'GET',
        c.arm(ArmPaths.virtualNetworkPeering, {
          resourceGroupName: str(args, 'resourceGroup'),
          virtualNetworkName: str(args, 'vnetName'),
          virtualNetworkPeeringName: str(args, 'name'),
        }),
      ),
    );
  },
};
