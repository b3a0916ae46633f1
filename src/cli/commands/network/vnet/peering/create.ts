/** arslab network vnet peering create — mirrors `az network vnet peering create` (R-ARS-13 follows). */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { PEERING_NAME, PEERING_SWITCH_ARGS, peeringSwitches, VNET_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'vnet', 'peering', 'create'],
  summary: 'Create a virtual network peering (a Route Server in either VNet re-learns its NVAs routes, R-ARS-13).',
  args: {
    ...VNET_ARGS,
    name: PEERING_NAME,
    remoteVnet: {
      flags: ['--remote-vnet'],
      help: 'Resource ID or name of the remote VNet (same resource group).',
      required: true,
    },
    ...PEERING_SWITCH_ARGS,
    // az's default for a new peering (the flag's help says so there).
    allowVnetAccess: {
      ...PEERING_SWITCH_ARGS['allowVnetAccess']!,
      help: 'Allow access from the remote VNet (default true).',
    },
  },
  examples: [
    'arslab network vnet peering create -g rg -n hub1-to-spoke11 --vnet-name hub1 --remote-vnet spoke11 --allow-gateway-transit',
    'arslab network vnet peering create -g rg -n spoke11-to-hub1 --vnet-name spoke11 --remote-vnet hub1 --use-remote-gateways',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const rg = str(args, 'resourceGroup');
    const remote = str(args, 'remoteVnet');
    const remoteId = remote.startsWith('/')
      ? remote
      : c.arm(ArmPaths.virtualNetwork, { resourceGroupName: rg, virtualNetworkName: remote });
    const properties: Record<string, unknown> = {
      remoteVirtualNetwork: { id: remoteId },
      allowVirtualNetworkAccess: true,
      ...peeringSwitches(args),
    };
    const path = c.arm(ArmPaths.virtualNetworkPeering, {
      resourceGroupName: rg,
      virtualNetworkName: str(args, 'vnetName'),
      virtualNetworkPeeringName: str(args, 'name'),
    });
    return flattenArm(await c.call('PUT', path, { properties }));
  },
};
