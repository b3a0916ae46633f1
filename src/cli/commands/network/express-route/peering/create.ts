/**
 * arslab network express-route peering create — mirrors `az network express-route peering
 * create` for the peering that connects VNets: AzurePrivatePeering, its two link /30s, the
 * customer's ASN and the VLAN (R-ER-1).
 */
import { ArmPaths } from '../../../../../api/paths.js';
import { str } from '../../../../args.js';
import { UsageError, type Command } from '../../../../command.js';
import { flattenArm } from '../../../../flatten.js';

export const command: Command = {
  path: ['network', 'express-route', 'peering', 'create'],
  summary: "Create a circuit's private peering (AzurePrivatePeering: R-ER-1).",
  args: {
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    circuitName: { flags: ['--circuit-name'], help: 'ExpressRoute circuit name.', required: true },
    peeringType: {
      flags: ['--peering-type'],
      help: 'BGP peering type: AzurePrivatePeering (ARSLab models that one).',
      required: true,
    },
    peerAsn: {
      flags: ['--peer-asn'],
      help: 'Autonomous system number of the customer/connectivity provider.',
      required: true,
    },
    vlanId: { flags: ['--vlan-id'], help: 'Identifier used to identify the customer.', required: true },
    primaryPeerSubnet: {
      flags: ['--primary-peer-subnet'],
      help: '/30 subnet used to configure IP addresses for primary interface.',
    },
    secondaryPeerSubnet: {
      flags: ['--secondary-peer-subnet'],
      help: '/30 subnet used to configure IP addresses for secondary interface.',
    },
    sharedKey: { flags: ['--shared-key'], help: 'Key for generating an MD5 for the BGP session (accepted).' },
  },
  examples: [
    'arslab network express-route peering create -g rg --circuit-name c1 --peering-type AzurePrivatePeering --peer-asn 65100 --vlan-id 100 --primary-peer-subnet 169.254.100.0/30 --secondary-peer-subnet 169.254.100.4/30',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const type = str(args, 'peeringType');
    if (!/^AzurePrivatePeering$/i.test(type))
      throw new UsageError(`argument --peering-type: ARSLab models AzurePrivatePeering only, not '${type}'`);
    const path = c.arm(ArmPaths.circuitPeering, {
      resourceGroupName: str(args, 'resourceGroup'),
      circuitName: str(args, 'circuitName'),
      peeringName: 'AzurePrivatePeering',
    });
    const body = {
      properties: {
        peeringType: 'AzurePrivatePeering',
        peerASN: Number(str(args, 'peerAsn')),
        vlanId: Number(str(args, 'vlanId')),
        ...(typeof args['primaryPeerSubnet'] === 'string'
          ? { primaryPeerAddressPrefix: args['primaryPeerSubnet'] }
          : {}),
        ...(typeof args['secondaryPeerSubnet'] === 'string'
          ? { secondaryPeerAddressPrefix: args['secondaryPeerSubnet'] }
          : {}),
      },
    };
    return flattenArm(await c.call('PUT', path, body));
  },
};
