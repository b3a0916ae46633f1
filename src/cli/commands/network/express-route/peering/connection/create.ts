/**
 * arslab network express-route peering connection create — mirrors `az network express-route
 * peering connection create`: Global Reach between this circuit's private peering and
 * another circuit's (--peer-circuit, name or ID) over a /29 (--address-prefix). The two
 * circuits' MSEEs peer link by link (R-ER-6).
 */
import { ArmPaths } from '../../../../../../api/paths.js';
import { str } from '../../../../../args.js';
import type { Command } from '../../../../../command.js';
import { flattenArm } from '../../../../../flatten.js';
import { GLOBAL_REACH_ARGS, globalReachPath } from './common.js';

export const command: Command = {
  path: ['network', 'express-route', 'peering', 'connection', 'create'],
  summary: "Create a Global Reach connection between two circuits' private peerings (R-ER-6).",
  args: {
    ...GLOBAL_REACH_ARGS,
    peerCircuit: { flags: ['--peer-circuit'], help: 'Name or ID of the peer ExpressRoute circuit.', required: true },
    addressPrefix: {
      flags: ['--address-prefix'],
      help: '/29 IP address space to carve out customer addresses for tunnels.',
      required: true,
    },
    authorizationKey: { flags: ['--authorization-key'], help: 'The authorization key (accepted).' },
  },
  examples: [
    'arslab network express-route peering connection create -g rg --circuit-name c1 --peering-name AzurePrivatePeering -n c1-to-c2 --peer-circuit c2 --address-prefix 192.0.2.0/29',
  ],
  async run(ctx, args) {
    const c = await ctx.client();
    const rg = str(args, 'resourceGroup');
    const peer = str(args, 'peerCircuit');
    const peerId = peer.startsWith('/')
      ? peer
      : c.arm(ArmPaths.expressRouteCircuit, { resourceGroupName: rg, circuitName: peer });
    const own = c.arm(ArmPaths.circuitPeering, {
      resourceGroupName: rg,
      circuitName: str(args, 'circuitName'),
      peeringName: str(args, 'peeringName'),
    });
    const body = {
      properties: {
        expressRouteCircuitPeering: { id: own },
        peerExpressRouteCircuitPeering: { id: `${peerId}/peerings/${str(args, 'peeringName')}` },
        addressPrefix: str(args, 'addressPrefix'),
      },
    };
    return flattenArm(await c.call('PUT', globalReachPath(c, args), body));
  },
};
