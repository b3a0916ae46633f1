/** Route-server interop with GoBGP. */
import { routeServerInterop } from './routeServer.case.js';

routeServerInterop({
  kind: 'gobgp',
  octet: 33,
  config: (n) => {
    const neighbor = (ip: string) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${ip}"
    peer-as = 65515
  [neighbors.transport.config]
    local-address = "127.${n}.1.4"
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 64
  [neighbors.timers.config]
    connect-retry = 2
    hold-time = 9
    keepalive-interval = 3
    idle-hold-time-after-reset = 1
`;
    return `
[global.config]
  as = 65001
  router-id = "10.${n}.1.4"
  port = 179
  local-address-list = ["127.${n}.1.4"]
${neighbor(`127.${n}.0.4`)}${neighbor(`127.${n}.0.5`)}`;
  },
  announceNoAdvertise: async (d, n) =>
    d.daemon!.announce({ prefix: '10.202.0.0/16', nextHop: `10.${n}.1.4`, communities: ['65535:65282'] }),
});
