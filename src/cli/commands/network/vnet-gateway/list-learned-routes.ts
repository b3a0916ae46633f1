/** arslab network vnet-gateway list-learned-routes — mirrors `az network vnet-gateway list-learned-routes` (R-ER-3). */
import type { Command } from '../../../command.js';
import { GATEWAY_ARGS, GATEWAY_ROUTE_KEYS, gatewayOperation, sdkRows, transformGatewayRoutes } from './common.js';

export const command: Command = {
  path: ['network', 'vnet-gateway', 'list-learned-routes'],
  summary:
    'This operation retrieves a list of routes the virtual network gateway has learned, including routes learned from BGP peers.',
  args: { ...GATEWAY_ARGS },
  examples: [
    'arslab network vnet-gateway list-learned-routes -g MyResourceGroup -n MyVnetGateway -o table',
    'arslab network vnet-gateway list-learned-routes -g MyResourceGroup -n MyVnetGateway --instance 1 -o table',
  ],
  tableTransformer: transformGatewayRoutes,
  async run(ctx, args) {
    return sdkRows(await gatewayOperation(await ctx.client(), args, 'getLearnedRoutes'), GATEWAY_ROUTE_KEYS);
  },
};
