/**
 * arslab network express-route create — mirrors `az network express-route create`: a
 * circuit (provider, peering location, bandwidth, SKU). Its MSEE addresses are derived from
 * its name, as for a circuit of a lab file (R-ER-4).
 */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import { UsageError, type Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

/** az's --bandwidth: "INT {Mbps,Gbps}", Mbps by default. */
function mbps(args: readonly string[]): number {
  const text = args.join(' ').trim();
  const m = /^(\d+(?:\.\d+)?)\s*(mbps|gbps)?$/i.exec(text);
  if (!m) throw new UsageError(`argument --bandwidth: expected INT {Mbps,Gbps}, got '${text}'`);
  return Number(m[1]) * (m[2]?.toLowerCase() === 'gbps' ? 1000 : 1);
}

export const command: Command = {
  path: ['network', 'express-route', 'create'],
  summary: 'Create an ExpressRoute circuit (then its private peering: express-route peering create).',
  args: {
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    name: { flags: ['--name', '-n'], help: 'ExpressRoute circuit name.', required: true },
    bandwidth: {
      flags: ['--bandwidth'],
      help: 'Bandwidth of the circuit. Usage: INT {Mbps,Gbps}. Defaults to Mbps.',
      required: true,
    },
    peeringLocation: { flags: ['--peering-location'], help: 'Name of the peering location.', required: true },
    provider: { flags: ['--provider'], help: 'Name of the ExpressRoute Service Provider.', required: true },
    skuTier: { flags: ['--sku-tier'], help: 'SKU Tier: Local, Premium, Standard (default Standard).' },
    skuFamily: { flags: ['--sku-family'], help: 'SKU Family: MeteredData (default), UnlimitedData.' },
    location: { flags: ['--location', '-l'], help: "Location (default: the resource group's)." },
    noWait: { flags: ['--no-wait'], help: 'Accepted: the lab creates at once.', boolean: true },
  },
  positionals: [{ name: 'unit', required: false, rest: true }],
  examples: [
    'arslab network express-route create -g rg -n c1 --bandwidth 1000 --peering-location Amsterdam --provider Equinix',
    'arslab network express-route create -g rg -n c2 --bandwidth 1 Gbps --peering-location London --provider Equinix --sku-tier Premium',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const tier = typeof args['skuTier'] === 'string' ? args['skuTier'] : 'Standard';
    const family = typeof args['skuFamily'] === 'string' ? args['skuFamily'] : 'MeteredData';
    const body = {
      ...(typeof args['location'] === 'string' ? { location: args['location'] } : {}),
      sku: { name: `${tier}_${family}`, tier, family },
      properties: {
        serviceProviderProperties: {
          serviceProviderName: str(args, 'provider'),
          peeringLocation: str(args, 'peeringLocation'),
          // az's --bandwidth takes "1 Gbps" as two words (nargs +): the unit arrives as a positional.
          bandwidthInMbps: mbps([str(args, 'bandwidth'), ...args._]),
        },
      },
    };
    return flattenArm(
      await c.call(
        'PUT',
        c.arm(ArmPaths.expressRouteCircuit, {
          resourceGroupName: str(args, 'resourceGroup'),
          circuitName: str(args, 'name'),
        }),
        body,
      ),
    );
  },
};
