/**
 * arslab network express-route list-route-tables-summary — mirrors `az network express-route
 * list-route-tables-summary`: the link's customer-side BGP neighbours (`--query value -o table`).
 */
import type { Command } from '../../../command.js';
import { ROUTE_TABLE_ARGS, routeTableOperation } from './common.js';

export const command: Command = {
  path: ['network', 'express-route', 'list-route-tables-summary'],
  summary: 'Show the current routing table summary of an ExpressRoute circuit peering.',
  args: { ...ROUTE_TABLE_ARGS },
  examples: [
    'arslab network express-route list-route-tables-summary -g MyResourceGroup -n MyCircuit --path primary --peering-name AzurePrivatePeering --query value -o table',
  ],
  async run(ctx, args) {
    return routeTableOperation(await ctx.client(), args, 'routeTablesSummary');
  },
};
