/** arslab network route-table route list — mirrors `az network route-table route list`. */
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { routesPath, TABLE_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'route-table', 'route', 'list'],
  summary: 'List routes in a route table.',
  args: { ...TABLE_ARGS },
  examples: ['arslab network route-table route list -g rg --route-table-name gwrt -o table'],
  async run(ctx, args) {
    const c = await ctx.client();
    const r = (await c.call('GET', routesPath(c, str(args, 'resourceGroup'), str(args, 'routeTableName')))) as {
      value: unknown[];
    };
    return r.value.map((x) => flattenArm(x));
  },
};
