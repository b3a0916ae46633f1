/** arslab network nic show-effective-route-table — mirrors `az network nic show-effective-route-table` (R-NIC-5). */
import { ArmPaths } from '../../../../api/paths.js';
import { UsageError, type Command } from '../../../command.js';

/** azure-cli network/_format.py transform_effective_route_table: one row per entry, lists joined by spaces. */
export function transformEffectiveRouteTable(result: unknown): unknown {
  const value = (result as { value?: Record<string, unknown>[] }).value ?? [];
  return value.map((item) => ({
    Source: item['source'],
    State: item['state'],
    'Address Prefix': ((item['addressPrefix'] as string[] | null) ?? []).join(' '),
    'Next Hop Type': item['nextHopType'],
    'Next Hop IP': ((item['nextHopIpAddress'] as string[] | null) ?? []).join(' '),
  }));
}

export const command: Command = {
  path: ['network', 'nic', 'show-effective-route-table'],
  summary: 'Show the effective route table applied to a network interface.',
  args: {
    name: { flags: ['--name', '-n'], help: 'Name of the network interface (az vm create names it <vm>VMNic).' },
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.' },
    ids: { flags: ['--ids'], help: 'Resource ID of the network interface.' },
  },
  examples: [
    'arslab network nic show-effective-route-table --name lt1VMNic --resource-group next-hop-ip-vm-rg --output table',
    'arslab network nic show-effective-route-table --ids /subscriptions/…/networkInterfaces/lt1VMNic -o table',
  ],
  tableTransformer: transformEffectiveRouteTable,
  async run(ctx, args) {
    // --ids is resolved into --name and --resource-group by the CLI (args.ts applyIds).
    const rg = args['resourceGroup'] as string | undefined;
    const name = args['name'] as string | undefined;
    if (!rg || !name) throw new UsageError('usage error: --ids | --name NAME --resource-group NAME');
    const c = await ctx.client();
    return c.call('POST', c.arm(ArmPaths.effectiveRouteTable, { resourceGroupName: rg, networkInterfaceName: name }));
  },
};
