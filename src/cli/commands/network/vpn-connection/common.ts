/** What the `network vpn-connection` verbs share: their arguments, the connection's path, az's id-or-name references. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { ApiClient } from '../../../client.js';
import type { ArgSpec, ParsedArgs } from '../../../command.js';

export const CONNECTION_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  name: { flags: ['--name', '-n'], help: 'Connection name.', required: true },
};

export const WEIGHT_ARG: ArgSpec = {
  flags: ['--routing-weight'],
  help: 'Connection routing weight (0-32000): for one prefix from several circuits, the higher wins (R-ER-3).',
};

export const BGP_ARG: ArgSpec = { flags: ['--enable-bgp'], help: 'Enable BGP over the tunnel (IPsec).', boolean: true };

export function connectionPath(c: ApiClient, args: ParsedArgs): string {
  return c.arm(ArmPaths.connection, {
    resourceGroupName: str(args, 'resourceGroup'),
    virtualNetworkGatewayConnectionName: str(args, 'name'),
  });
}

/** az's "name or ID" references: an id as given, a name in the command's resource group. */
export function idOf(
  c: ApiClient,
  args: ParsedArgs,
  value: string,
  template:
    | typeof ArmPaths.virtualNetworkGateway
    | typeof ArmPaths.localNetworkGateway
    | typeof ArmPaths.expressRouteCircuit,
): string {
  if (value.startsWith('/')) return value;
  const rg = str(args, 'resourceGroup');
  if (template === ArmPaths.virtualNetworkGateway)
    return c.arm(ArmPaths.virtualNetworkGateway, { resourceGroupName: rg, virtualNetworkGatewayName: value });
  if (template === ArmPaths.localNetworkGateway)
    return c.arm(ArmPaths.localNetworkGateway, { resourceGroupName: rg, localNetworkGatewayName: value });
  return c.arm(ArmPaths.expressRouteCircuit, { resourceGroupName: rg, circuitName: value });
}

/** A number flag, or undefined. */
export function numberArg(args: ParsedArgs, name: string): number | undefined {
  return typeof args[name] === 'string' ? Number(args[name]) : undefined;
}
