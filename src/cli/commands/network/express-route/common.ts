/** What the `network express-route` route-table verbs share. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import { UsageError, type ArgSpec, type ParsedArgs } from '../../../command.js';
import type { ApiClient } from '../../../client.js';

export const ROUTE_TABLE_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  name: { flags: ['--name', '-n'], help: 'ExpressRoute circuit name.', required: true },
  path: { flags: ['--path'], help: 'The path of the device.  Allowed values: primary, secondary.', required: true },
  peeringName: { flags: ['--peering-name'], help: 'The name of the peering.', required: true },
};

/** POST …/expressRouteCircuits/{c}/peerings/{p}/{op}/{path} (long-running). */
export async function routeTableOperation(
  client: ApiClient,
  args: ParsedArgs,
  op: 'routeTables' | 'routeTablesSummary',
): Promise<unknown> {
  const path = str(args, 'path');
  if (!/^(primary|secondary)$/i.test(path))
    throw new UsageError(`argument --path: invalid choice: '${path}' (choose from 'primary', 'secondary')`);
  return client.call(
    'POST',
    client.arm(op === 'routeTables' ? ArmPaths.circuitRouteTable : ArmPaths.circuitRouteTableSummary, {
      resourceGroupName: str(args, 'resourceGroup'),
      circuitName: str(args, 'name'),
      peeringName: str(args, 'peeringName'),
      devicePath: path.toLowerCase(),
    }),
  );
}
