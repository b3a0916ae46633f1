/** Route-server interop with FRR bgpd (no zebra; the seed-003 Quagga config's successor). */
import { routeServerInterop } from './routeServer.case.js';

routeServerInterop({
  kind: 'frr',
  octet: 32,
  config: (n) => `
frr defaults traditional
hostname nva1
!
router bgp 65001
 bgp router-id 10.${n}.1.4
 no bgp ebgp-requires-policy
 no bgp network import-check
 timers bgp 3 9
 neighbor RS peer-group
 neighbor RS remote-as 65515
 neighbor RS update-source 127.${n}.1.4
 neighbor RS disable-connected-check
 neighbor RS timers connect 2
 neighbor 127.${n}.0.4 peer-group RS
 neighbor 127.${n}.0.5 peer-group RS
 !
 address-family ipv4 unicast
  neighbor RS attribute-unchanged next-hop
  neighbor RS route-map TO-RS out
 exit-address-family
!
! Only our own routes go out (FRR would echo the route server's routes back otherwise),
! 10.202.0.0/16 tagged no-advertise on the way out.
ip prefix-list NOADV seq 5 permit 10.202.0.0/16
ip prefix-list OWN seq 5 permit 10.200.0.0/14 le 16
ip prefix-list OWN seq 10 permit 10.220.0.0/16 le 24
route-map TO-RS permit 5
 match ip address prefix-list NOADV
 set community no-advertise additive
route-map TO-RS permit 10
 match ip address prefix-list OWN
!
`,
  announceNoAdvertise: async (d, n) => d.daemon!.announce({ prefix: '10.202.0.0/16', nextHop: `10.${n}.1.4` }),
});
