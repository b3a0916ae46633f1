/** arslab link list — every BGP session of the lab (route-server peerings, gateways, MSEEs, built-in routers) with its state and fault. */
import type { Command } from '../../command.js';
import { printRows, type LinkRow } from './common.js';

export const command: Command = {
  path: ['link', 'list'],
  summary:
    'List every BGP session of the lab (route-server peerings over TCP, gateways, MSEEs, on-premises routers) and its state.',
  args: {},
  defaultOutput: 'text',
  examples: ['arslab link list', 'arslab link list -o json'],
  async run(ctx, args) {
    const c = await ctx.client();
    const r = (await c.call('GET', '/arslab/links')) as { value: LinkRow[] };
    return printRows(ctx, args, r.value);
  },
};
