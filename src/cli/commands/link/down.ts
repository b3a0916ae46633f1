/**
 * arslab link down — a fault on one in-process BGP session or one circuit link: cut without
 * NOTIFICATION (the default: each side notices by BFD, 0.9 s, on ExpressRoute links, by the
 * hold timer elsewhere) or, with --graceful, closed with a NOTIFICATION at once.
 */
import type { Command } from '../../command.js';
import { LINK_ARGS, linkTarget, printRows, type LinkRow } from './common.js';

export const command: Command = {
  path: ['link', 'down'],
  summary: 'Take a BGP session or a circuit link down (cut, or --graceful with a NOTIFICATION).',
  args: {
    ...LINK_ARGS,
    graceful: {
      flags: ['--graceful'],
      help: 'Close with a NOTIFICATION (both sides at once) instead of cutting the link.',
      boolean: true,
    },
  },
  defaultOutput: 'text',
  examples: [
    'arslab link down --circuit er1-circuit --path primary',
    'arslab link down --circuit er1-circuit --path primary --graceful',
    'arslab link down --session "er1/0<->c1/primary"',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const r = (await c.call('POST', '/arslab/links/down', {
      ...linkTarget(args),
      graceful: args['graceful'] === true,
    })) as { value: LinkRow[] };
    return printRows(ctx, args, r.value);
  },
};
