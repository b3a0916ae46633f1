/** arslab network route-table create — mirrors `az network route-table create`. */
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';
import { DISABLE_ARG, disableFlag, ROUTE_TABLE_ARGS, routeTablePath } from './common.js';

export const command: Command = {
  path: ['network', 'route-table', 'create'],
  summary: 'Create a route table (no routes; associate it with a subnet by vnet subnet update --route-table).',
  args: {
    ...ROUTE_TABLE_ARGS,
    disableBgpRoutePropagation: DISABLE_ARG,
    location: { flags: ['--location', '-l'], help: "Location (default: the resource group's)." },
  },
  examples: ['arslab network route-table create -g next-hop-ip-rg -n next-hop-ip-rt'],
  async run(ctx, args) {
    const c = await ctx.client();
    const disable = disableFlag(args);
    const location = args['location'];
    return flattenArm(
      await c.call('PUT', routeTablePath(c, args), {
        ...(typeof location === 'string' ? { location } : {}),
        properties: { disableBgpRoutePropagation: disable ?? false, routes: [] },
      }),
    );
  },
};
