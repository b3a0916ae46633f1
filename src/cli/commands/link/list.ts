/** arslab link list — every in-process BGP session of the lab (gateways, MSEEs, built-in routers) with its state and fault. */
import type { Command } from '../../command.js';
import { printRows, type LinkRow } from './common.js';

export const command: Command = {
  path: ['link', 'list'],
  summary: 'List the in-process BGP sessions (gateways, MSEEs, on-premises routers) and their state.',
  args: {},
  defaultOutput: 'text',
  examples: ['arslab link list', 'arslab link list -o json'],
  async run(ctx, args) {
    const c = await ctx.client();
    const r = (await c.call('GET', '/arslab/links')) as { value: LinkRow[] };
    return printRows(ctx, args, r.value);
  },
};
