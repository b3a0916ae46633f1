/** arslab network route-table update — mirrors `az network route-table update` (GET, change, PUT: its routes kept). */
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';
import { DISABLE_ARG, disableFlag, ROUTE_TABLE_ARGS, routeTablePath } from './common.js';

export const command: Command = {
  path: ['network', 'route-table', 'update'],
  summary: "Update a route table: BGP route propagation (R-ARS-8) to its subnets' NICs.",
  args: { ...ROUTE_TABLE_ARGS, disableBgpRoutePropagation: DISABLE_ARG },
  examples: [
    'arslab network route-table update -g next-hop-ip-rg -n next-hop-ip-rt --disable-bgp-route-propagation true',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const now = (await c.call('GET', routeTablePath(c, args))) as {
      location: string;
      properties: Record<string, unknown>;
    };
    const disable = disableFlag(args);
    return flattenArm(
      await c.call('PUT', routeTablePath(c, args), {
        location: now.location,
        properties: { ...now.properties, ...(disable !== undefined ? { disableBgpRoutePropagation: disable } : {}) },
      }),
    );
  },
};
