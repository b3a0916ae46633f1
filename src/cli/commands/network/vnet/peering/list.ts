/** arslab network vnet peering list — mirrors `az network vnet peering list`. */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { VNET_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'vnet', 'peering', 'list'],
  summary: 'List the peerings of a virtual network.',
  args: { ...VNET_ARGS },
  examples: ['arslab network vnet peering list -g rg --vnet-name hub1 -o table'],
  async run(ctx, args) {
    const c = await ctx.client();
    const r = (await c.call(
      'GET',
      c.arm(ArmPaths.virtualNetworkPeerings, {
        resourceGroupName: str(args, 'resourceGroup'),
        virtualNetworkName: str(args, 'vnetName'),
      }),
    )) as { value: unknown[] };
    return r.value.map((v) => flattenArm(v));
  },
};
