/** arslab network route-table route delete — mirrors `az network route-table route delete`. */
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { ROUTE_NAME, routesPath, TABLE_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'route-table', 'route', 'delete'],
  summary: 'Delete a route from a route table.',
  args: { ...TABLE_ARGS, name: ROUTE_NAME },
  examples: ['arslab network route-table route delete -g rg --route-table-name gwrt -n to-nva'],
  async run(ctx, args) {
    const c = await ctx.client();
    await c.call('DELETE', routesPath(c, str(args, 'resourceGroup'), str(args, 'routeTableName'), str(args, 'name')));
    return undefined;
  },
};
