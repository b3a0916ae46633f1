/** arslab network bastion create — mirrors `az network bastion create`: accepted and ignored with a note (a bastion routes nothing ARSLab models). */
import type { Command } from '../../../command.js';

export const command: Command = {
  path: ['network', 'bastion', 'create'],
  summary: 'Create a bastion: accepted and ignored (ARSLab does not model bastions; SSH to a node with arslab node).',
  args: {
    name: { flags: ['--name', '-n'], help: 'Name of the bastion (ignored).' },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group (ignored).' },
    location: { flags: ['--location', '-l'], help: 'Location (ignored).' },
    publicIpAddress: { flags: ['--public-ip-address'], help: 'Its public IP (ignored).' },
    vnetName: { flags: ['--vnet-name'], help: 'Its VNet (ignored).' },
    sku: { flags: ['--sku'], help: 'SKU (ignored).' },
  },
  examples: [
    'arslab network bastion create -g next-hop-ip-rg -n next-hop-ip-bastion --vnet-name next-hop-ip-vnet --public-ip-address bastion-public-ip',
  ],
  async run(ctx) {
    ctx.stderr('note: ARSLab does not model bastions: nothing created (reach a VM with arslab node).\n');
    return undefined;
  },
};
