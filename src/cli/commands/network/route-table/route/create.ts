/**
 * arslab network route-table route create — mirrors `az network route-table route create`
 * (R-NIC-3). Effective routes follow at once; on a GatewaySubnet table, so does the
 * gateways' iBGP mesh (R-VPN-2).
 */
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { ROUTE_NAME, routesPath, TABLE_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'route-table', 'route', 'create'],
  summary: "Create a route in a route table (a GatewaySubnet route can break the gateways' iBGP mesh, R-VPN-2).",
  args: {
    ...TABLE_ARGS,
    name: ROUTE_NAME,
    addressPrefix: {
      flags: ['--address-prefix'],
      help: 'The destination CIDR to which the route applies.',
      required: true,
    },
    nextHopType: {
      flags: ['--next-hop-type'],
      help: 'The type of Azure hop the packet should be sent to: Internet, None, VirtualAppliance, VirtualNetworkGateway, VnetLocal.',
      required: true,
    },
    nextHopIpAddress: {
      flags: ['--next-hop-ip-address'],
      help: 'The IP address packets should be forwarded to when using the VirtualAppliance hop type.',
    },
  },
  examples: [
    'arslab network route-table route create -g rg --route-table-name gwrt -n to-nva --address-prefix 10.1.0.0/16 --next-hop-type VirtualAppliance --next-hop-ip-address 10.1.1.4',
    'arslab network route-table route create -g rg --route-table-name gwrt -n rs-local --address-prefix 10.1.0.0/26 --next-hop-type VnetLocal',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const ip = args['nextHopIpAddress'];
    const properties: Record<string, unknown> = {
      addressPrefix: str(args, 'addressPrefix'),
      nextHopType: str(args, 'nextHopType'),
    };
    if (typeof ip === 'string') properties['nextHopIpAddress'] = ip;
    return flattenArm(
      await c.call('PUT', routesPath(c, str(args, 'resourceGroup'), str(args, 'routeTableName'), str(args, 'name')), {
        properties,
      }),
    );
  },
};
