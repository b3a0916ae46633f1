/** Arguments shared by the `vnet peering` verbs. */
import type { ArgSpec } from '../../../../command.js';

export const VNET_ARGS: Record<string, ArgSpec> = {
  resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
  vnetName: { flags: ['--vnet-name'], help: 'The virtual network (VNet) name.', required: true },
};

export const PEERING_NAME: ArgSpec = { flags: ['--name', '-n'], help: 'The name of the VNet peering.', required: true };

/** The peering's four switches, as both `create` and `update` take them (az's flags). */
export const PEERING_SWITCH_ARGS: Record<string, ArgSpec> = {
  allowVnetAccess: { flags: ['--allow-vnet-access'], help: 'Allow access from the remote VNet.', boolean: true },
  allowForwardedTraffic: {
    flags: ['--allow-forwarded-traffic'],
    help: 'Allow forwarded traffic from the remote VNet.',
    boolean: true,
  },
  allowGatewayTransit: {
    flags: ['--allow-gateway-transit'],
    help: 'Allow gateway (and Route Server) transit for the remote VNet.',
    boolean: true,
  },
  useRemoteGateways: {
    flags: ['--use-remote-gateways'],
    help: "Use the remote VNet's gateways and Route Server.",
    boolean: true,
  },
};

/** The ARM properties the switches given on the command line set (absent flags set nothing). */
export function peeringSwitches(args: Record<string, unknown>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [flag, prop] of [
    ['allowVnetAccess', 'allowVirtualNetworkAccess'],
    ['allowForwardedTraffic', 'allowForwardedTraffic'],
    ['allowGatewayTransit', 'allowGatewayTransit'],
    ['useRemoteGateways', 'useRemoteGateways'],
  ] as const) {
    const v = args[flag];
    if (typeof v === 'boolean') out[prop] = v;
  }
  return out;
}
