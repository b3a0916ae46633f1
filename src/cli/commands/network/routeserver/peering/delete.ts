/** arslab network routeserver peering delete — mirrors `az network routeserver peering delete`: its sessions close (Cease), its routes go. */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { PEERING_NAME, ROUTESERVER_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'routeserver', 'peering', 'delete'],
  summary: 'Delete a route server peering: its sessions close and its routes are withdrawn.',
  args: {
    ...ROUTESERVER_ARGS,
    name: PEERING_NAME,
    yes: {
      flags: ['--yes', '-y'],
      help: 'Do not prompt for confirmation (accepted: arslab never prompts).',
      boolean: true,
    },
  },
  examples: [
    'arslab network routeserver peering delete -g next-hop-ip-rg --routeserver next-hop-ip-routeserver -n watcher',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    await c.call(
      'DELETE',
      c.arm(ArmPaths.bgpConnection, {
        resourceGroupName: str(args, 'resourceGroup'),
        virtualHubName: str(args, 'routeserver'),
        connectionName: str(args, 'name'),
      }),
    );
    return undefined;
  },
};
