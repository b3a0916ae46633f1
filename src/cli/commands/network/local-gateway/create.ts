/**
 * arslab network local-gateway create — mirrors `az network local-gateway create`: a VPN
 * site, its address prefixes (static routes without BGP, R-VPN-4) and its BGP settings (the
 * device's ASN and peering address, R-VPN-1).
 */
import { ArmPaths } from '../../../../api/paths.js';
import { listArg as list, str } from '../../../args.js';
import type { Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

export const command: Command = {
  path: ['network', 'local-gateway', 'create'],
  summary: 'Create a local network gateway (a VPN site: its prefixes, its BGP ASN and peering address).',
  args: {
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    name: { flags: ['--name', '-n'], help: 'Name of the local network gateway.', required: true },
    gatewayIpAddress: {
      flags: ['--gateway-ip-address'],
      help: "Gateway's public IP address (e.g. 203.0.113.10).",
      required: true,
    },
    localAddressPrefixes: {
      flags: ['--local-address-prefixes'],
      help: 'Space-separated list of CIDR prefixes of the site.',
      multiple: true,
    },
    asn: { flags: ['--asn'], help: "Autonomous System Number of the site's device (BGP)." },
    bgpPeeringAddress: { flags: ['--bgp-peering-address'], help: "IP address of the site's BGP speaker." },
    peerWeight: { flags: ['--peer-weight'], help: 'Accepted (Azure reserves it).' },
    location: { flags: ['--location', '-l'], help: "Location (default: the resource group's)." },
    noWait: { flags: ['--no-wait'], help: 'Accepted: the lab creates at once.', boolean: true },
  },
  positionals: [{ name: 'more-prefixes', required: false, rest: true }],
  examples: [
    'arslab network local-gateway create -g rg -n site1 --gateway-ip-address 203.0.113.10 --asn 65020 --bgp-peering-address 169.254.21.1',
    'arslab network local-gateway create -g rg -n site2 --gateway-ip-address 203.0.113.20 --local-address-prefixes 10.130.0.0/16',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const asn = typeof args['asn'] === 'string' ? Number(args['asn']) : undefined;
    const peer = typeof args['bgpPeeringAddress'] === 'string' ? args['bgpPeeringAddress'] : undefined;
    const body = {
      ...(typeof args['location'] === 'string' ? { location: args['location'] } : {}),
      properties: {
        gatewayIpAddress: str(args, 'gatewayIpAddress'),
        localNetworkAddressSpace: { addressPrefixes: [...list(args['localAddressPrefixes']), ...args._] },
        ...(asn !== undefined || peer !== undefined
          ? { bgpSettings: { ...(asn !== undefined ? { asn } : {}), ...(peer ? { bgpPeeringAddress: peer } : {}) } }
          : {}),
      },
    };
    return flattenArm(
      await c.call(
        'PUT',
        c.arm(ArmPaths.localNetworkGateway, {
          resourceGroupName: str(args, 'resourceGroup'),
          localNetworkGatewayName: str(args, 'name'),
        }),
        body,
      ),
    );
  },
};
