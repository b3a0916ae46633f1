/** What the `route-table` verbs share: their arguments and the table's path. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { ApiClient } from '../../../client.js';
import type { ArgSpec, ParsedArgs } from '../../../command.js';

export const ROUTE_TABLE_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  name: { flags: ['--name', '-n'], help: 'Name of the route table.', required: true },
};

export const DISABLE_ARG: ArgSpec = {
  flags: ['--disable-bgp-route-propagation'],
  help: 'Disable routes learned by BGP (true/false; R-ARS-8): NICs of its subnets get no gateway routes.',
  boolean: true,
};

export function routeTablePath(c: ApiClient, args: ParsedArgs): string {
  return c.arm(ArmPaths.routeTable, {
    resourceGroupName: str(args, 'resourceGroup'),
    routeTableName: str(args, 'name'),
  });
}

/** az's three-state boolean flag: absent, bare (true), or true/false (parsed by cli/args). */
export function disableFlag(args: ParsedArgs): boolean | undefined {
  const v = args['disableBgpRoutePropagation'];
  return typeof v === 'boolean' ? v : undefined;
}
