/** arslab network route-table show — mirrors `az network route-table show`. */
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';
import { ROUTE_TABLE_ARGS, routeTablePath } from './common.js';

export const command: Command = {
  path: ['network', 'route-table', 'show'],
  summary: 'Show a route table and its routes.',
  args: ROUTE_TABLE_ARGS,
  examples: ['arslab network route-table show -g next-hop-ip-rg -n next-hop-ip-rt'],
  async run(ctx, args) {
    const c = await ctx.client();
    return flattenArm(await c.call('GET', routeTablePath(c, args)));
  },
};
