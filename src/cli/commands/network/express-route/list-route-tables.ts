/**
 * arslab network express-route list-route-tables — mirrors `az network express-route
 * list-route-tables` (R-ER-1): the MSEE's BGP table of one link, the best path's next hop
 * marked `*`. Like az, there is no table transformer: `-o table` needs `--query value`.
 */
import type { Command } from '../../../command.js';
import { ROUTE_TABLE_ARGS, routeTableOperation } from './common.js';

export const command: Command = {
  path: ['network', 'express-route', 'list-route-tables'],
  summary: 'Show the current routing table of an ExpressRoute circuit peering.',
  args: { ...ROUTE_TABLE_ARGS },
  examples: [
    'arslab network express-route list-route-tables -g MyResourceGroup -n MyCircuit --path primary --peering-name AzurePrivatePeering',
    'arslab network express-route list-route-tables -g MyResourceGroup -n MyCircuit --path primary --peering-name AzurePrivatePeering --query value -o table',
  ],
  async run(ctx, args) {
    return routeTableOperation(await ctx.client(), args, 'routeTables');
  },
};
