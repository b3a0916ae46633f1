/** arslab group create — mirrors `az group create` (Microsoft.Resources). */
import { ArmPaths } from '../../../api/paths.js';
import { str } from '../../args.js';
import type { Command } from '../../command.js';

export const command: Command = {
  path: ['group', 'create'],
  summary: 'Create a resource group.',
  args: {
    name: {
      flags: ['--name', '-n', '--resource-group', '-g'],
      help: 'Name of the new resource group.',
      required: true,
    },
    location: { flags: ['--location', '-l'], help: 'Location, e.g. uksouth.', required: true },
  },
  examples: ['arslab group create -n next-hop-ip-rg -l uksouth'],
  async run(ctx, args) {
    const c = await ctx.client();
    return c.call('PUT', c.arm(ArmPaths.resourceGroup, { resourceGroupName: str(args, 'name') }), {
      location: str(args, 'location'),
    });
  },
};
