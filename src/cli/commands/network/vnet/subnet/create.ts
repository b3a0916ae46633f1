/** arslab network vnet subnet create — mirrors `az network vnet subnet create`. */
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { ROUTE_TABLE_ARG, routeTableRef, SUBNET_ARGS, subnetPath } from './common.js';

export const command: Command = {
  path: ['network', 'vnet', 'subnet', 'create'],
  summary: 'Create a subnet (optionally with a route table, R-NIC-3).',
  args: {
    ...SUBNET_ARGS,
    addressPrefixes: {
      flags: ['--address-prefixes', '--address-prefix'],
      help: 'Space-separated address prefixes in CIDR format.',
      required: true,
      multiple: true,
    },
    routeTable: ROUTE_TABLE_ARG,
  },
  examples: [
    'arslab network vnet subnet create -g next-hop-ip-rg --vnet-name next-hop-ip-vnet -n RouteServerSubnet --address-prefixes 10.10.1.0/24',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const prefixes = args['addressPrefixes'];
    const prefix = Array.isArray(prefixes) ? prefixes[0] : String(prefixes);
    const rt = typeof args['routeTable'] === 'string' ? routeTableRef(c, args, args['routeTable']) : undefined;
    return flattenArm(
      await c.call('PUT', subnetPath(c, args), {
        properties: { addressPrefix: prefix, ...(rt ? { routeTable: rt } : {}) },
      }),
    );
  },
};
