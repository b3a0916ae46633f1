/** arslab network express-route peering connection delete — mirrors az's: the two circuits' Global Reach sessions close. */
import type { Command } from '../../../../../command.js';
import { GLOBAL_REACH_ARGS, globalReachPath } from './common.js';

export const command: Command = {
  path: ['network', 'express-route', 'peering', 'connection', 'delete'],
  summary: 'Delete a Global Reach connection (R-ER-6): the MSEE sessions between the two circuits close.',
  args: GLOBAL_REACH_ARGS,
  examples: [
    'arslab network express-route peering connection delete -g rg --circuit-name c1 --peering-name AzurePrivatePeering -n c1-to-c2',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    await c.call('DELETE', globalReachPath(c, args));
    return undefined;
  },
};
