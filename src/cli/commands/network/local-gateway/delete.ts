/** arslab network local-gateway delete — mirrors `az network local-gateway delete` (refused while a connection uses it). */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';

export const command: Command = {
  path: ['network', 'local-gateway', 'delete'],
  summary: 'Delete a local network gateway (delete its connections first).',
  args: {
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    name: { flags: ['--name', '-n'], help: 'Name of the local network gateway.', required: true },
    noWait: { flags: ['--no-wait'], help: 'Accepted: the lab deletes at once.', boolean: true },
  },
  examples: ['arslab network local-gateway delete -g rg -n site2'],
  async run(ctx, args) {
    const c = await ctx.client();
    await c.call(
      'DELETE',
      c.arm(ArmPaths.localNetworkGateway, {
        resourceGroupName: str(args, 'resourceGroup'),
        localNetworkGatewayName: str(args, 'name'),
      }),
    );
    return undefined;
  },
};
