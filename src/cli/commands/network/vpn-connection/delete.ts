/** arslab network vpn-connection delete — mirrors `az network vpn-connection delete`: its sessions close, its routes go. */
import type { Command } from '../../../command.js';
import { CONNECTION_ARGS, connectionPath } from './common.js';

export const command: Command = {
  path: ['network', 'vpn-connection', 'delete'],
  summary: "Delete a connection: its sessions close and its routes leave the hub's NICs.",
  args: {
    ...CONNECTION_ARGS,
    noWait: { flags: ['--no-wait'], help: 'Accepted: the lab deletes at once.', boolean: true },
  },
  examples: ['arslab network vpn-connection delete -g rg -n er1-c1'],
  async run(ctx, args) {
    const c = await ctx.client();
    await c.call('DELETE', connectionPath(c, args));
    return undefined;
  },
};
