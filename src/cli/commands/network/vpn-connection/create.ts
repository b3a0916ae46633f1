/**
 * arslab network vpn-connection create — mirrors `az network vpn-connection create`: a
 * gateway's connection to a VPN site (--local-gateway2: IPsec) or to a circuit
 * (--express-route-circuit2: ExpressRoute), with its routing weight and BGP switch. The
 * sessions come up at once (R-ER-3, R-VPN-1).
 */
import { ArmPaths } from '../../../../api/paths.js';
import { str } from '../../../args.js';
import { UsageError, type Command } from '../../../command.js';
import { flattenArm } from '../../../flatten.js';
import { BGP_ARG, CONNECTION_ARGS, connectionPath, idOf, numberArg, WEIGHT_ARG } from './common.js';

export const command: Command = {
  path: ['network', 'vpn-connection', 'create'],
  summary: 'Create a connection of a gateway to a VPN site or an ExpressRoute circuit.',
  args: {
    ...CONNECTION_ARGS,
    vnetGateway1: {
      flags: ['--vnet-gateway1'],
      help: 'Name or ID of the source virtual network gateway.',
      required: true,
    },
    localGateway2: { flags: ['--local-gateway2'], help: 'Name or ID of the destination local network gateway.' },
    expressRouteCircuit2: {
      flags: ['--express-route-circuit2'],
      help: 'Name or ID of the destination ExpressRoute circuit.',
    },
    vnetGateway2: { flags: ['--vnet-gateway2'], help: 'Vnet2Vnet: not modelled by ARSLab.' },
    routingWeight: WEIGHT_ARG,
    enableBgp: BGP_ARG,
    sharedKey: { flags: ['--shared-key'], help: 'Shared IPsec key (accepted; the lab runs no IPsec).' },
    authorizationKey: { flags: ['--authorization-key'], help: 'Circuit authorization key (accepted).' },
    location: { flags: ['--location', '-l'], help: "Location (default: the resource group's)." },
    noWait: { flags: ['--no-wait'], help: 'Accepted: the lab connects at once.', boolean: true },
  },
  examples: [
    'arslab network vpn-connection create -g rg -n er1-c1 --vnet-gateway1 er1 --express-route-circuit2 c1 --routing-weight 10',
    'arslab network vpn-connection create -g rg -n vpn1-site1 --vnet-gateway1 vpn1 --local-gateway2 site1 --enable-bgp --shared-key abc',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const site = args['localGateway2'];
    const circuit = args['expressRouteCircuit2'];
    if (typeof args['vnetGateway2'] === 'string')
      throw new UsageError('argument --vnet-gateway2: ARSLab does not model Vnet2Vnet connections');
    if ((typeof site === 'string') === (typeof circuit === 'string'))
      throw new UsageError('usage error: give one of --local-gateway2 and --express-route-circuit2');
    const weight = numberArg(args, 'routingWeight');
    const body = {
      ...(typeof args['location'] === 'string' ? { location: args['location'] } : {}),
      properties: {
        connectionType: typeof circuit === 'string' ? 'ExpressRoute' : 'IPsec',
        virtualNetworkGateway1: { id: idOf(c, args, str(args, 'vnetGateway1'), ArmPaths.virtualNetworkGateway) },
        ...(typeof site === 'string'
          ? { localNetworkGateway2: { id: idOf(c, args, site, ArmPaths.localNetworkGateway) } }
          : {}),
        ...(typeof circuit === 'string' ? { peer: { id: idOf(c, args, circuit, ArmPaths.expressRouteCircuit) } } : {}),
        ...(weight !== undefined ? { routingWeight: weight } : {}),
        enableBgp: args['enableBgp'] === true,
        ...(typeof args['sharedKey'] === 'string' ? { sharedKey: args['sharedKey'] } : {}),
      },
    };
    return flattenArm(await c.call('PUT', connectionPath(c, args), body));
  },
};
