/** arslab network vnet-gateway list-bgp-peer-status — mirrors `az network vnet-gateway list-bgp-peer-status`. */
import type { Command } from '../../../command.js';
import { BGP_PEER_STATUS_KEYS, GATEWAY_ARGS, gatewayOperation, sdkRows, transformBgpPeerStatus } from './common.js';

export const command: Command = {
  path: ['network', 'vnet-gateway', 'list-bgp-peer-status'],
  summary: 'Retrieve the status of BGP peers.',
  args: { ...GATEWAY_ARGS, peer: { flags: ['--peer'], help: 'The IP address of the peer to retrieve the status of.' } },
  examples: ['arslab network vnet-gateway list-bgp-peer-status -g MyResourceGroup -n MyVnetGateway -o table'],
  tableTransformer: transformBgpPeerStatus,
  async run(ctx, args) {
    const peer = typeof args['peer'] === 'string' ? args['peer'] : undefined;
    return sdkRows(await gatewayOperation(await ctx.client(), args, 'getBgpPeerStatus', peer), BGP_PEER_STATUS_KEYS);
  },
};
