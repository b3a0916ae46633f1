/** arslab network vnet-gateway list-advertised-routes — mirrors `az network vnet-gateway list-advertised-routes`. */
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { GATEWAY_ARGS, GATEWAY_ROUTE_KEYS, gatewayOperation, sdkRows, transformGatewayRoutes } from './common.js';

export const command: Command = {
  path: ['network', 'vnet-gateway', 'list-advertised-routes'],
  summary:
    'This operation retrieves a list of routes the virtual network gateway is advertising to the specified peer.',
  args: { ...GATEWAY_ARGS, peer: { flags: ['--peer'], help: 'The IP address of the peer.', required: true } },
  examples: [
    'arslab network vnet-gateway list-advertised-routes -g MyResourceGroup -n MyVnetGateway --peer 10.1.0.4 -o table',
  ],
  tableTransformer: transformGatewayRoutes,
  async run(ctx, args) {
    return sdkRows(
      await gatewayOperation(await ctx.client(), args, 'getAdvertisedRoutes', str(args, 'peer')),
      GATEWAY_ROUTE_KEYS,
    );
  },
};
