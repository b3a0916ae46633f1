/** arslab network vnet subnet show — mirrors `az network vnet subnet show`. */
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { SUBNET_ARGS, subnetPath } from './common.js';

export const command: Command = {
  path: ['network', 'vnet', 'subnet', 'show'],
  summary: 'Show a subnet.',
  args: SUBNET_ARGS,
  examples: [
    'arslab network vnet subnet show -g next-hop-ip-rg --vnet-name next-hop-ip-vnet -n default --query id -o tsv',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    return flattenArm(await c.call('GET', subnetPath(c, args)));
  },
};
