/** arslab network vnet create — mirrors `az network vnet create` (with its first subnet, as az makes it). */
import { ArmPaths } from '../../../../api/paths.js';
import { listArg as list, str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

export const command: Command = {
  path: ['network', 'vnet', 'create'],
  summary: 'Create a virtual network, with a first subnet if --subnet-name is given.',
  args: {
    name: { flags: ['--name', '-n'], help: 'The virtual network name.', required: true },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    addressPrefixes: {
      flags: ['--address-prefixes', '--address-prefix'],
      help: 'Space-separated IP address prefixes of the VNet (default 10.0.0.0/16).',
      multiple: true,
    },
    subnetName: { flags: ['--subnet-name'], help: 'Name of a new subnet to create within the VNet.' },
    subnetPrefixes: {
      flags: ['--subnet-prefixes', '--subnet-prefix'],
      help: "Space-separated prefixes of the new subnet (default: the VNet's first /24).",
      multiple: true,
    },
    location: { flags: ['--location', '-l'], help: "Location (default: the resource group's)." },
  },
  // az's --address-prefixes takes several values after one flag (nargs +): they arrive here.
  positionals: [{ name: 'more-prefixes', required: false, rest: true }],
  examples: [
    'arslab network vnet create -g next-hop-ip-rg -n next-hop-ip-vnet --address-prefix 10.10.0.0/16 --subnet-name default --subnet-prefix 10.10.0.0/24',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const prefixes = [...list(args['addressPrefixes']), ...args._];
    const space = prefixes.length > 0 ? prefixes : ['10.0.0.0/16'];
    const subnetName = args['subnetName'];
    const subnetPrefix = list(args['subnetPrefixes'])[0] ?? space[0]!.replace(/\/\d+$/, '/24');
    const location = args['location'];
    return flattenArm(
      await c.call(
        'PUT',
        c.arm(ArmPaths.virtualNetwork, {
          resourceGroupName: str(args, 'resourceGroup'),
          virtualNetworkName: str(args, 'name'),
        }),
        {
          ...(typeof location === 'string' ? { location } : {}),
          properties: {
            addressSpace: { addressPrefixes: space },
            subnets:
              typeof subnetName === 'string' ? [{ name: subnetName, properties: { addressPrefix: subnetPrefix } }] : [],
          },
        },
      ),
    );
  },
};
