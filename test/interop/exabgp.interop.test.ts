/** Route-server interop with ExaBGP (the seed-000 watcher's daemon). */
import { routeServerInterop } from './routeServer.case.js';

routeServerInterop({
  kind: 'exabgp',
  octet: 34,
  config: (n) =>
    [4, 5]
      .map(
        (i) => `
neighbor 127.${n}.0.${i} {
    router-id 10.${n}.1.4;
    local-address 127.${n}.1.4;
    local-as 65001;
    peer-as 65515;
    hold-time 9;
    family { ipv4 unicast; }
}
`,
      )
      .join(''),
  announceNoAdvertise: async (d, n) =>
    d.daemon!.announce({ prefix: '10.202.0.0/16', nextHop: `10.${n}.1.4`, communities: ['65535:65282'] }),
});
