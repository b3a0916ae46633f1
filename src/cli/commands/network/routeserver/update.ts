/**
 * arslab network routeserver update — mirrors `az network routeserver update`
 * (--allow-b2b-traffic, --hub-routing-preference); prints the route server as `show` does.
 * The lab re-applies the model: branch-to-branch opens or closes the route server's iBGP
 * sessions with the gateways (R-ARS-11), the routing preference is re-evaluated (R-ARS-7).
 */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import { UsageError, type Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

const PREFERENCES = ['ASPath', 'ExpressRoute', 'VpnGateway'] as const;

export const command: Command = {
  path: ['network', 'routeserver', 'update'],
  summary: 'Update a route server.',
  args: {
    name: { flags: ['--name', '-n'], help: 'Name of the route server.', required: true },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    allowB2bTraffic: {
      flags: ['--allow-b2b-traffic'],
      help: 'Allow branch-to-branch traffic.  Allowed values: false, true.',
      boolean: true,
    },
    hubRoutingPreference: {
      flags: ['--hub-routing-preference'],
      help: 'The hub routing preference.  Allowed values: ASPath, ExpressRoute, VpnGateway.',
    },
  },
  examples: [
    'arslab network routeserver update -g MyResourceGroup -n MyRouteServer --allow-b2b-traffic true',
    'arslab network routeserver update -g MyResourceGroup -n MyRouteServer --hub-routing-preference VpnGateway',
  ],
  async run(ctx, args) {
    const properties: Record<string, unknown> = {};
    if (typeof args['allowB2bTraffic'] === 'boolean')
      properties['allowBranchToBranchTraffic'] = args['allowB2bTraffic'];
    const pref = args['hubRoutingPreference'];
    if (pref !== undefined) {
      const p = PREFERENCES.find((x) => typeof pref === 'string' && x.toLowerCase() === pref.toLowerCase());
      if (!p)
        throw new UsageError(
          `argument --hub-routing-preference: invalid choice: '${String(pref)}' (choose from ${PREFERENCES.map((x) => `'${x}'`).join(', ')})`,
        );
      properties['hubRoutingPreference'] = p;
    }
    const c = await ctx.client();
    return flattenArm(
      await c.call(
        'PATCH',
        c.arm(ArmPaths.virtualHub, {
          resourceGroupName: str(args, 'resourceGroup'),
          virtualHubName: str(args, 'name'),
        }),
        { properties },
      ),
    );
  },
};
