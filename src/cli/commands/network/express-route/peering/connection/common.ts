/** What the Global Reach verbs (`express-route peering connection`) share. */
import { ArmPaths } from '../../../../../../api/paths.js';
import { str } from '../../../../../args.js';
import type { ApiClient } from '../../../../../client.js';
import type { ArgSpec, ParsedArgs } from '../../../../../command.js';

export const GLOBAL_REACH_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  circuitName: { flags: ['--circuit-name'], help: 'ExpressRoute circuit name.', required: true },
  peeringName: { flags: ['--peering-name'], help: 'Name of BGP peering (i.e. AzurePrivatePeering).', required: true },
  name: { flags: ['--name', '-n'], help: 'Name of the peering connection.', required: true },
};

export function globalReachPath(c: ApiClient, args: ParsedArgs): string {
  return c.arm(ArmPaths.circuitConnection, {
    resourceGroupName: str(args, 'resourceGroup'),
    circuitName: str(args, 'circuitName'),
    peeringName: str(args, 'peeringName'),
    connectionName: str(args, 'name'),
  });
}
