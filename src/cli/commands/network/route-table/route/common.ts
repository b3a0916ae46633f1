/** Arguments shared by the `route-table route` verbs. */
import { ArmPaths } from '../../../../../api/paths.js';
import type { ApiClient } from '../../../../client.js';
import type { ArgSpec } from '../../../../command.js';

export const TABLE_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  routeTableName: { flags: ['--route-table-name'], help: 'Route table name.', required: true },
};

export const ROUTE_NAME: ArgSpec = { flags: ['--name', '-n'], help: 'Route name.', required: true };

/** ARM path of the table's routes (or of one route). */
export function routesPath(c: ApiClient, rg: string, table: string, name?: string): string {
  return name === undefined
    ? c.arm(ArmPaths.routes, { resourceGroupName: rg, routeTableName: table })
    : c.arm(ArmPaths.route, { resourceGroupName: rg, routeTableName: table, routeName: name });
}
