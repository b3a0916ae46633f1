/** Arguments shared by the `vnet peering` verbs. */
import type { ArgSpec } from '../../../../command.js';

export const VNET_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  vnetName: { flags: ['--vnet-name'], help: 'The virtual network (VNet) name.', required: true },
};

export const PEERING_NAME: ArgSpec = { flags: ['--name', '-n'], help: 'The name of the VNet peering.', required: true };
