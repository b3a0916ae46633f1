/** arslab network watcher show-next-hop — mirrors `az network watcher show-next-hop` (R-NIC-5). */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import type { Command } from '../../../command.js';

export const command: Command = {
  path: ['network', 'watcher', 'show-next-hop'],
  summary: 'Get information on the "next hop" of a VM.',
  args: {
    resourceGroup: {
      flags: ['--resource-group', '-g'],
      help: 'Name of the resource group the target VM is in.',
      required: true,
    },
    vm: { flags: ['--vm'], help: 'Name or ID of the VM to target.', required: true },
    sourceIp: { flags: ['--source-ip'], help: 'Source IPv4 address (one of the VM NIC addresses).', required: true },
    destIp: { flags: ['--dest-ip'], help: 'Destination IPv4 address.', required: true },
    nic: { flags: ['--nic'], help: 'Name or ID of the NIC resource to test (default: the VM primary NIC).' },
  },
  examples: [
    'arslab network watcher show-next-hop -g next-hop-ip-vm-rg --vm lt1 --source-ip 10.10.0.6 --dest-ip 100.64.0.1',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const rg = str(args, 'resourceGroup');
    const vm = str(args, 'vm');
    const vmId = vm.startsWith('/') ? vm : c.arm(ArmPaths.virtualMachine, { resourceGroupName: rg, vmName: vm });
    const vmRes = (await c.call('GET', vmId)) as { location?: string };
    const body: Record<string, string> = {
      targetResourceId: vmId,
      sourceIPAddress: str(args, 'sourceIp'),
      destinationIPAddress: str(args, 'destIp'),
    };
    const nic = args['nic'];
    if (typeof nic === 'string')
      body['targetNicResourceId'] = nic.startsWith('/')
        ? nic
        : c.arm(ArmPaths.networkInterface, { resourceGroupName: rg, networkInterfaceName: nic });
    // az finds the regional watcher NetworkWatcher_<location> in NetworkWatcherRG.
    const loc = vmRes.location ?? 'local';
    return c.call(
      'POST',
      c.arm(ArmPaths.nextHop, { resourceGroupName: 'NetworkWatcherRG', networkWatcherName: `NetworkWatcher_${loc}` }),
      body,
    );
  },
};
