/** arslab network routeserver delete — mirrors `az network routeserver delete`: its instances stop, their sessions close. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';

export const command: Command = {
  path: ['network', 'routeserver', 'delete'],
  summary: 'Delete a route server: its instances stop and their sessions close (Cease).',
  args: {
    name: { flags: ['--name', '-n'], help: 'Name of the route server.', required: true },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    yes: {
      flags: ['--yes', '-y'],
      help: 'Do not prompt for confirmation (accepted: arslab never prompts).',
      boolean: true,
    },
  },
  examples: ['arslab network routeserver delete -g next-hop-ip-rg -n next-hop-ip-routeserver'],
  async run(ctx, args) {
    const c = await ctx.client();
    await c.call(
      'DELETE',
      c.arm(ArmPaths.virtualHub, { resourceGroupName: str(args, 'resourceGroup'), virtualHubName: str(args, 'name') }),
    );
    return undefined;
  },
};
