/**
 * arslab network vnet-gateway create — mirrors `az network vnet-gateway create`: a gateway
 * in its VNet's GatewaySubnet; two public IPs make a VPN gateway active-active and --asn (or
 * --bgp-peering-address) turns BGP on, as az builds the request. Public IPs are accepted
 * placeholders (nothing routes on them in a lab).
 */
import { ArmPaths } from '../../../../api/paths.js';
import { listArg as list, str } from '../../../args.js';
import { UsageError, type Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';

export const command: Command = {
  path: ['network', 'vnet-gateway', 'create'],
  summary: 'Create a virtual network gateway (ExpressRoute or VPN): its instances come up and peer (R-ER-3, R-VPN-1).',
  args: {
    resourceGroup: { flags: ['--resource-group', '-g'], help: 'Name of resource group.', required: true },
    name: { flags: ['--name', '-n'], help: 'Name of the VNet gateway.', required: true },
    vnet: {
      flags: ['--vnet'],
      help: 'Name or ID of an existing virtual network which has a subnet named "GatewaySubnet".',
      required: true,
    },
    publicIpAddresses: {
      flags: ['--public-ip-addresses', '--public-ip-address'],
      help: 'Names or IDs of public IP addresses (placeholders); two make a VPN gateway active-active.',
      multiple: true,
    },
    gatewayType: { flags: ['--gateway-type'], help: 'The gateway type: ExpressRoute or Vpn (default Vpn).' },
    sku: { flags: ['--sku'], help: 'VNet gateway SKU (default: Standard for ExpressRoute, VpnGw1 for VPN).' },
    vpnType: { flags: ['--vpn-type'], help: 'VPN routing type (RouteBased; accepted).' },
    asn: { flags: ['--asn'], help: 'Autonomous System Number to use for the BGP settings (enables BGP).' },
    bgpPeeringAddress: {
      flags: ['--bgp-peering-address'],
      help: 'Custom (APIPA) BGP peering addresses, one per instance, space-separated (enables BGP).',
      multiple: true,
    },
    location: { flags: ['--location', '-l'], help: "Location (default: the resource group's)." },
    noWait: { flags: ['--no-wait'], help: 'Accepted: the lab creates the gateway at once.', boolean: true },
  },
  positionals: [{ name: 'more', required: false, rest: true }],
  examples: [
    'arslab network vnet-gateway create -g rg -n er1 --vnet hub --gateway-type ExpressRoute --sku Standard',
    'arslab network vnet-gateway create -g rg -n vpn1 --vnet hub --gateway-type Vpn --sku VpnGw1 --public-ip-addresses vpn1-pip1 vpn1-pip2 --asn 65515',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const rg = str(args, 'resourceGroup');
    const vnet = str(args, 'vnet');
    const vnetId = vnet.startsWith('/')
      ? vnet
      : c.arm(ArmPaths.virtualNetwork, { resourceGroupName: rg, virtualNetworkName: vnet });
    const subnet = { id: `${vnetId}/subnets/GatewaySubnet` };
    // az's --public-ip-addresses takes several values after one flag (nargs +): they arrive as positionals.
    const pips = [...list(args['publicIpAddresses']), ...args._];
    const type = typeof args['gatewayType'] === 'string' ? args['gatewayType'] : 'Vpn';
    if (!/^(ExpressRoute|Vpn)$/i.test(type))
      throw new UsageError(`argument --gateway-type: ARSLab models ExpressRoute and Vpn gateways, not '${type}'`);
    const isVpn = /^vpn$/i.test(type);
    const asn = typeof args['asn'] === 'string' ? Number(args['asn']) : undefined;
    const apipa = list(args['bgpPeeringAddress']);
    const activeActive = isVpn && pips.length > 1;
    const configs = (activeActive ? ['vnetGatewayConfig0', 'vnetGatewayConfig1'] : ['vnetGatewayConfig0']).map(
      (name) => ({
        name,
        properties: { privateIPAllocationMethod: 'Dynamic', subnet },
      }),
    );
    const sku = typeof args['sku'] === 'string' ? args['sku'] : isVpn ? 'VpnGw1' : 'Standard';
    const enableBgp = asn !== undefined || apipa.length > 0;
    const body = {
      ...(typeof args['location'] === 'string' ? { location: args['location'] } : {}),
      properties: {
        gatewayType: isVpn ? 'Vpn' : 'ExpressRoute',
        vpnType: 'RouteBased',
        sku: { name: sku, tier: sku },
        activeActive,
        enableBgp: isVpn && enableBgp,
        ipConfigurations: configs,
        ...(enableBgp
          ? {
              bgpSettings: {
                ...(asn !== undefined ? { asn } : {}),
                ...(apipa.length > 0
                  ? {
                      bgpPeeringAddresses: apipa.map((a, i) => ({
                        ipconfigurationId: configs[i]?.name ?? configs[0]!.name,
                        customBgpIpAddresses: [a],
                      })),
                    }
                  : {}),
              },
            }
          : {}),
      },
    };
    return flattenArm(
      await c.call(
        'PUT',
        c.arm(ArmPaths.virtualNetworkGateway, { resourceGroupName: rg, virtualNetworkGatewayName: str(args, 'name') }),
        body,
      ),
    );
  },
};
