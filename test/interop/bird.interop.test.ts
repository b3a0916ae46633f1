/** Route-server interop with BIRD 2 (the seed-001 NVAs' daemon). */
import { routeServerInterop } from './routeServer.case.js';

routeServerInterop({
  kind: 'bird',
  octet: 31,
  config: (n) => `
router id 10.${n}.1.4;
protocol device { }
# Received next hops (the route-server instances) must resolve (shared/test-peers.md, BIRD).
protocol static nh { ipv4; route 0.0.0.0/0 via "lo"; }
# Like seed 001's TO_RS filter: our own routes only, 10.202.0.0/16 tagged no-advertise.
filter to_rs {
  if proto !~ "arslab_*" then reject;
  if net = 10.202.0.0/16 then bgp_community.add((65535,65282));
  accept;
}
template bgp rsbase {
  local 127.${n}.1.4 as 65001;
  strict bind yes;
  multihop;
  hold time 9;
  keepalive time 3;
  connect retry time 2;
  error wait time 1, 4;
  ipv4 { import all; export filter to_rs; next hop keep; };
}
protocol bgp rs0 from rsbase { neighbor 127.${n}.0.4 as 65515; }
protocol bgp rs1 from rsbase { neighbor 127.${n}.0.5 as 65515; }
`,
  announceNoAdvertise: async (d, n) => d.daemon!.announce({ prefix: '10.202.0.0/16', nextHop: `10.${n}.1.4` }),
});
