/**
 * arslab network routeserver create — mirrors `az network routeserver create`: ARM's two
 * requests, as az makes them — the virtual hub (PUT virtualHubs/{name}), then its IP
 * configuration in the RouteServerSubnet (PUT …/ipConfigurations/ipconfig1), which brings the
 * two instances up (R-ARS-1; at once, ADR 0034). --public-ip-address is accepted (a public IP
 * routes nothing ARSLab models).
 */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

export const command: Command = {
  path: ['network', 'routeserver', 'create'],
  summary: 'Create a route server in a RouteServerSubnet: its two instances come up at once.',
  args: {
    name: { flags: ['--name', '-n'], help: 'Name of the route server.', required: true },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    hostedSubnet: {
      flags: ['--hosted-subnet'],
      help: 'The ID of the RouteServerSubnet the route server is in.',
      required: true,
    },
    publicIpAddress: { flags: ['--public-ip-address'], help: 'Its public IP (accepted; routes nothing in a lab).' },
    location: { flags: ['--location', '-l'], help: "Location (default: the resource group's)." },
  },
  examples: [
    'arslab network routeserver create -g next-hop-ip-rg -n next-hop-ip-routeserver --hosted-subnet $SUBNET_ID --public-ip-address next-hop-ip-routeserver-pip',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const params = { resourceGroupName: str(args, 'resourceGroup'), virtualHubName: str(args, 'name') };
    const location = args['location'];
    await c.call('PUT', c.arm(ArmPaths.virtualHub, params), {
      ...(typeof location === 'string' ? { location } : {}),
      kind: 'RouteServer',
      properties: { sku: 'Standard' },
    });
    await c.call('PUT', c.arm(ArmPaths.virtualHubIpConfiguration, { ...params, ipConfigName: 'ipconfig1' }), {
      name: 'ipconfig1',
      properties: { subnet: { id: str(args, 'hostedSubnet') } },
    });
    return flattenArm(await c.call('GET', c.arm(ArmPaths.virtualHub, params)));
  },
};
