/**
 * arslab network vnet subnet update — mirrors `az network vnet subnet update` (az's generic
 * update: GET, change, PUT): --route-table associates a route table ("" removes it).
 */
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { ROUTE_TABLE_ARG, routeTableRef, SUBNET_ARGS, subnetPath } from './common.js';

export const command: Command = {
  path: ['network', 'vnet', 'subnet', 'update'],
  summary: 'Update a subnet: its route table association (R-NIC-3).',
  args: { ...SUBNET_ARGS, routeTable: ROUTE_TABLE_ARG },
  examples: [
    'arslab network vnet subnet update -g next-hop-ip-rg --vnet-name next-hop-ip-vnet -n default --route-table next-hop-ip-rt',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const now = (await c.call('GET', subnetPath(c, args))) as { properties: Record<string, unknown> };
    const properties = { ...now.properties };
    if (typeof args['routeTable'] === 'string') {
      const rt = routeTableRef(c, args, args['routeTable']);
      if (rt) properties['routeTable'] = rt;
      else delete properties['routeTable'];
    }
    return flattenArm(await c.call('PUT', subnetPath(c, args), { properties }));
  },
};
