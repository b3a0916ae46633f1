/** arslab network vnet-gateway delete — mirrors `az network vnet-gateway delete` (refused while a connection uses it). */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';

export const command: Command = {
  path: ['network', 'vnet-gateway', 'delete'],
  summary: 'Delete a virtual network gateway: its instances stop (delete its connections first).',
  args: {
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    name: { flags: ['--name', '-n'], help: 'Name of the VNet gateway.', required: true },
    noWait: { flags: ['--no-wait'], help: 'Accepted: the lab deletes at once.', boolean: true },
  },
  examples: ['arslab network vnet-gateway delete -g rg -n vpn1'],
  async run(ctx, args) {
    const c = await ctx.client();
    await c.call(
      'DELETE',
      c.arm(ArmPaths.virtualNetworkGateway, {
        resourceGroupName: str(args, 'resourceGroup'),
        virtualNetworkGatewayName: str(args, 'name'),
      }),
    );
    return undefined;
  },
};
