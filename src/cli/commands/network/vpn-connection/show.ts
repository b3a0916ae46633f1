/** arslab network vpn-connection show — mirrors `az network vpn-connection show`. */
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';
import { CONNECTION_ARGS, connectionPath } from './common.js';

export const command: Command = {
  path: ['network', 'vpn-connection', 'show'],
  summary: 'Show a connection (type, gateway, site or circuit, routing weight, BGP).',
  args: CONNECTION_ARGS,
  examples: ['arslab network vpn-connection show -g rg -n er1-c1'],
  async run(ctx, args) {
    const c = await ctx.client();
    return flattenArm(await c.call('GET', connectionPath(c, args)));
  },
};
