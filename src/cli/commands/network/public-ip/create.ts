/** arslab network public-ip create — mirrors `az network public-ip create`: accepted, nothing kept (a public IP routes nothing in a lab). */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

export const command: Command = {
  path: ['network', 'public-ip', 'create'],
  summary: 'Create a public IP address (accepted and not kept: it routes nothing in a lab).',
  args: {
    name: { flags: ['--name', '-n'], help: 'The name of the public IP address.', required: true },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    sku: { flags: ['--sku'], help: 'Basic or Standard (accepted).' },
    location: { flags: ['--location', '-l'], help: "Location (default: the resource group's)." },
  },
  examples: ['arslab network public-ip create -g next-hop-ip-rg -n routeserver-ip --sku Standard'],
  async run(ctx, args) {
    const c = await ctx.client();
    const sku = args['sku'];
    const location = args['location'];
    ctx.stderr('note: ARSLab accepts public IPs and keeps nothing of them (they route nothing in a lab).\n');
    return flattenArm(
      await c.call(
        'PUT',
        c.arm(ArmPaths.publicIPAddress, {
          resourceGroupName: str(args, 'resourceGroup'),
          publicIpAddressName: str(args, 'name'),
        }),
        {
          ...(typeof location === 'string' ? { location } : {}),
          ...(typeof sku === 'string' ? { sku: { name: sku } } : {}),
        },
      ),
    );
  },
};
