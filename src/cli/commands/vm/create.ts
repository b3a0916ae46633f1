/**
 * arslab vm create — mirrors `az vm create` as far as routing needs a VM: its NIC
 * `{name}VMNic` with IP configuration `ipconfig{name}` in --subnet at --private-ip-address
 * (the lowest free address without one), then the VM on it — the names az gives them. The
 * image, size, credentials, zone and custom data are accepted and ignored (a note says so).
 */
import { ArmPaths } from '../../../api/paths.js';
import { str } from '../../args.js';
import { UsageError, type ArgSpec, type Command } from '../../command.js';
import { flattenArm } from '../../flatten.js';

const IGNORED = ['image', 'custom-data', 'admin-username', 'admin-password', 'ssh-key-values', 'zone', 'size', 'nsg'];

export const command: Command = {
  path: ['vm', 'create'],
  summary: 'Create a VM as routing needs it: its NIC in a subnet (image, size, credentials accepted and ignored).',
  args: {
    name: { flags: ['--name', '-n'], help: 'Name of the virtual machine.', required: true },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    subnet: { flags: ['--subnet'], help: 'The ID of the subnet of its NIC.', required: true },
    privateIpAddress: { flags: ['--private-ip-address'], help: 'Static private IP (default: the lowest free).' },
    publicIpAddress: { flags: ['--public-ip-address'], help: 'Accepted: "" (none) as the seeds write it.' },
    location: { flags: ['--location', '-l'], help: "Location (default: the resource group's)." },
    ...Object.fromEntries(
      IGNORED.map((f): [string, ArgSpec] => [f, { flags: [`--${f}`], help: 'Accepted and ignored (not routing).' }]),
    ),
  },
  examples: [
    'arslab vm create -g next-hop-ip-vm-rg -n ws1 --image UbuntuLTS --private-ip-address 10.10.0.4 --subnet $SUBNET_ID --public-ip-address \'""\' --nsg \'""\'',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const rg = str(args, 'resourceGroup');
    const name = str(args, 'name');
    const pip = args['publicIpAddress'];
    if (typeof pip === 'string' && pip !== '' && pip !== '""')
      throw new UsageError('argument --public-ip-address: ARSLab VMs have no public IP: give "" as the seeds do');
    const ignored = IGNORED.filter((f) => args[f] !== undefined);
    if (ignored.length > 0)
      ctx.stderr(`note: accepted and ignored (not routing): ${ignored.map((f) => `--${f}`).join(', ')}\n`);
    const location = args['location'];
    const loc = typeof location === 'string' ? { location } : {};
    const ip = args['privateIpAddress'];
    const nicName = `${name}VMNic`;
    const nic = c.arm(ArmPaths.networkInterface, { resourceGroupName: rg, networkInterfaceName: nicName });
    await c.call('PUT', nic, {
      ...loc,
      properties: {
        ipConfigurations: [
          {
            name: `ipconfig${name}`,
            properties: {
              subnet: { id: str(args, 'subnet') },
              ...(typeof ip === 'string' ? { privateIPAddress: ip, privateIPAllocationMethod: 'Static' } : {}),
            },
          },
        ],
      },
    });
    return flattenArm(
      await c.call('PUT', c.arm(ArmPaths.virtualMachine, { resourceGroupName: rg, vmName: name }), {
        ...loc,
        properties: { networkProfile: { networkInterfaces: [{ id: nic, properties: { primary: true } }] } },
      }),
    );
  },
};
