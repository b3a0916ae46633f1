/** arslab network routeserver peering list — mirrors `az network routeserver peering list`. */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import type { Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';
import { ROUTESERVER_ARGS } from './common.js';

export const command: Command = {
  path: ['network', 'routeserver', 'peering', 'list'],
  summary: 'List route server peerings.',
  args: { ...ROUTESERVER_ARGS },
  examples: [
    'arslab network routeserver peering list -g next-hop-ip-rg --routeserver next-hop-ip-routeserver -o table',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const r = (await c.call(
      'GET',
      c.arm(ArmPaths.bgpConnections, {
        resourceGroupName: str(args, 'resourceGroup'),
        virtualHubName: str(args, 'routeserver'),
      }),
    )) as {
      value: unknown[];
    };
    // The seed-era az output has no connectionState column (azure-routing.md §5); it stays in the REST answer.
    return r.value.map((v) => flattenArm(v, ['connectionState']));
  },
};
