/** arslab network nic list — mirrors `az network nic list -g`. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

export const command: Command = {
  path: ['network', 'nic', 'list'],
  summary: 'List the network interfaces of a resource group.',
  args: { resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true } },
  examples: ['arslab network nic list -g next-hop-ip-vm-rg --query "[?contains(name, \'ws1\')].name" -o tsv'],
  async run(ctx, args) {
    const c = await ctx.client();
    const r = (await c.call(
      'GET',
      c.arm(ArmPaths.networkInterfaces, { resourceGroupName: str(args, 'resourceGroup') }),
    )) as {
      value: unknown[];
    };
    return r.value.map((x) => flattenArm(x));
  },
};
