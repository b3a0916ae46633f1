/** arslab network routeserver peering list-advertised-routes — mirrors `az network routeserver peering list-advertised-routes` (R-ARS-9). */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { PEERING_NAME, ROUTESERVER_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'routeserver', 'peering', 'list-advertised-routes'],
  summary: 'List routes advertised to a route server peering, per instance.',
  args: { ...ROUTESERVER_ARGS, name: PEERING_NAME },
  examples: [
    'arslab network routeserver peering list-advertised-routes --name watcher --routeserver next-hop-ip-routeserver --resource-group next-hop-ip-rg',
    'arslab network routeserver peering list-advertised-routes -n watcher --routeserver next-hop-ip-routeserver -g next-hop-ip-rg --query RouteServiceRole_IN_0 -o table',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const path = c.arm(ArmPaths.bgpConnectionAdvertisedRoutes, {
      resourceGroupName: str(args, 'resourceGroup'),
      hubName: str(args, 'routeserver'),
      connectionName: str(args, 'name'),
    });
    return c.call('POST', path);
  },
};
