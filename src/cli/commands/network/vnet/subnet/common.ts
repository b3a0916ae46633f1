/** What the `vnet subnet` verbs share: their arguments, the subnet's path, a route table named or by id. */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { ApiClient } from '../../../../client.js';
import type { ArgSpec, ParsedArgs } from '../../../../command.js';

export const SUBNET_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  vnetName: { flags: ['--vnet-name'], help: 'The virtual network (VNet) name.', required: true },
  name: { flags: ['--name', '-n'], help: 'The subnet name.', required: true },
};

export const ROUTE_TABLE_ARG: ArgSpec = {
  flags: ['--route-table'],
  help: 'Name or ID of a route table to associate with the subnet ("" to remove it).',
};

export function subnetPath(c: ApiClient, args: ParsedArgs): string {
  return c.arm(ArmPaths.subnet, {
    resourceGroupName: str(args, 'resourceGroup'),
    virtualNetworkName: str(args, 'vnetName'),
    subnetName: str(args, 'name'),
  });
}

/** A route table's id from a name (in the subnet's resource group, as az resolves it) or an id. */
export function routeTableRef(c: ApiClient, args: ParsedArgs, value: string): { id: string } | undefined {
  if (value === '') return undefined;
  if (value.startsWith('/')) return { id: value };
  return { id: c.arm(ArmPaths.routeTable, { resourceGroupName: str(args, 'resourceGroup'), routeTableName: value }) };
}
