/** arslab link up — end a `link down` fault: the sessions come back (a cut not yet detected heals without a reset). */
import type { Command } from '../../command.js';
import { LINK_ARGS, linkTarget, printRows, type LinkRow } from './common.js';

export const command: Command = {
  path: ['link', 'up'],
  summary: 'Bring a BGP session or a circuit link back up.',
  args: { ...LINK_ARGS },
  defaultOutput: 'text',
  examples: ['arslab link up --circuit er1-circuit --path primary', 'arslab link up --session "er1/0<->c1/primary"'],
  async run(ctx, args) {
    const c = await ctx.client();
    const r = (await c.call('POST', '/arslab/links/up', linkTarget(args))) as { value: LinkRow[] };
    return printRows(ctx, args, r.value);
  },
};
