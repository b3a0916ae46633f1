/** Arguments shared by the `routeserver peering` verbs (az accepts --vrouter-name as the old name of --routeserver). */
import type { ArgSpec } from '../../../../command.js';

export const ROUTESERVER_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  routeserver: { flags: ['--routeserver', '--vrouter-name'], help: 'The name of the route server.', required: true },
};

export const PEERING_NAME: ArgSpec = {
  flags: ['--name', '-n'],
  help: 'The name of the route server peering (not the VM name).',
  required: true,
};
