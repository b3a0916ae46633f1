/**
 * arslab network vpn-connection update — mirrors `az network vpn-connection update`: the
 * connection as it is (GET), its routing weight and BGP switch changed by the flags or az's
 * `--set routingWeight=…`, put again. A new routing weight makes the gateway rank the
 * circuit's routes again (R-ER-3).
 */
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';
import { SET_ARG, setAssignments } from '../../../genericUpdate.js';
import { BGP_ARG, CONNECTION_ARGS, connectionPath, numberArg, WEIGHT_ARG } from './common.js';

export const command: Command = {
  path: ['network', 'vpn-connection', 'update'],
  summary: 'Update a connection: its routing weight (R-ER-3), BGP over the tunnel.',
  args: {
    ...CONNECTION_ARGS,
    routingWeight: WEIGHT_ARG,
    enableBgp: BGP_ARG,
    sharedKey: { flags: ['--shared-key'], help: 'Shared IPsec key (accepted).' },
    set: SET_ARG,
  },
  examples: ['arslab network vpn-connection update -g rg -n er1-c1 --routing-weight 100'],
  async run(ctx, args) {
    const c = await ctx.client();
    const path = connectionPath(c, args);
    const now = (await c.call('GET', path)) as { location: string; properties: Record<string, unknown> };
    const weight = numberArg(args, 'routingWeight');
    const properties = {
      ...now.properties,
      ...setAssignments(args, ['routingWeight', 'enableBgp']),
      ...(weight !== undefined ? { routingWeight: weight } : {}),
      ...(typeof args['enableBgp'] === 'boolean' ? { enableBgp: args['enableBgp'] } : {}),
    };
    return flattenArm(await c.call('PUT', path, { location: now.location, properties }));
  },
};
