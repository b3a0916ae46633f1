/** arslab network nic update — mirrors `az network nic update` (GET, change, PUT): --ip-forwarding. */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

export const command: Command = {
  path: ['network', 'nic', 'update'],
  summary: 'Update a network interface: IP forwarding (what an NVA needs to forward).',
  args: {
    name: { flags: ['--name', '-n'], help: 'The network interface (NIC).', required: true },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    ipForwarding: { flags: ['--ip-forwarding'], help: 'Enable IP forwarding (true/false).', boolean: true },
  },
  examples: ['arslab network nic update -g next-hop-ip-vm-rg -n ws1VMNic --ip-forwarding true'],
  async run(ctx, args) {
    const c = await ctx.client();
    const path = c.arm(ArmPaths.networkInterface, {
      resourceGroupName: str(args, 'resourceGroup'),
      networkInterfaceName: str(args, 'name'),
    });
    const now = (await c.call('GET', path)) as { location: string; properties: Record<string, unknown> };
    const fwd = args['ipForwarding'];
    return flattenArm(
      await c.call('PUT', path, {
        location: now.location,
        properties: { ...now.properties, ...(typeof fwd === 'boolean' ? { enableIPForwarding: fwd } : {}) },
      }),
    );
  },
};
