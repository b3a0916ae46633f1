/**
 * arslab network vnet peering update — mirrors `az network vnet peering update`: the peering
 * as it is (GET), its gateway transit and remote-gateway use changed by the flags or az's
 * `--set allowGatewayTransit=true` / `--set useRemoteGateways=true`, put again (R-ARS-8,
 * R-ARS-24: the route server's routes follow at once).
 */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { SET_ARG, setAssignments } from '../../../../genericUpdate.js';
import { PEERING_NAME, PEERING_SWITCH_ARGS, peeringSwitches, VNET_ARGS } from './common.js';

const SETTABLE = ['allowVirtualNetworkAccess', 'allowForwardedTraffic', 'allowGatewayTransit', 'useRemoteGateways'];

export const command: Command = {
  path: ['network', 'vnet', 'peering', 'update'],
  summary: 'Update a VNet peering: gateway transit, use of remote gateways (R-ARS-8), access, forwarded traffic.',
  args: {
    ...VNET_ARGS,
    name: PEERING_NAME,
    ...PEERING_SWITCH_ARGS,
    set: SET_ARG,
  },
  examples: [
    'arslab network vnet peering update -g rg -n spoke11-to-hub1 --vnet-name spoke11 --set useRemoteGateways=true',
    'arslab network vnet peering update -g rg -n hub1-to-spoke11 --vnet-name hub1 --allow-gateway-transit true',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const path = c.arm(ArmPaths.virtualNetworkPeering, {
      resourceGroupName: str(args, 'resourceGroup'),
      virtualNetworkName: str(args, 'vnetName'),
      virtualNetworkPeeringName: str(args, 'name'),
    });
    const now = (await c.call('GET', path)) as { properties: Record<string, unknown> };
    const properties = { ...now.properties, ...setAssignments(args, SETTABLE), ...peeringSwitches(args) };
    return flattenArm(await c.call('PUT', path, { properties }));
  },
};
