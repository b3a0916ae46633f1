/**
 * Configuration files of the route-server benchmark: the sender (BIRD with N static /24s and
 * one shared attribute set, or GoBGP fed from an MRT file), the three reference receivers
 * (BIRD, FRR bgpd, GoBGP) and the ARSLab lab file. Everything lives on 127.90.0.0/16.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The i-th benchmark prefix: 11.0.0.0/24, 11.0.1.0/24, … (300,000 of them end at 15.147.223.0/24). */
export function prefixAddr(i: number): number {
  return ((11 << 24) + i * 256) >>> 0;
}

export function formatV4(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export const SENDER_ASN = 65001;
export const RS_ASN = 65515;
/** The one attribute set every route carries (besides ORIGIN, AS_PATH [65001] and NEXT_HOP = the sender). */
export const COMMUNITY = '65001:100';
export const LARGE_COMMUNITY = '65001:0:1';

export interface PeerDef {
  /** BIRD protocol name. */
  name: string;
  address: string;
  asn: number;
}

/**
 * BIRD as the sender: `routes.conf` holds N `route P blackhole;` lines, included by a static
 * protocol; one `protocol bgp` per receiver, all `disabled` (the benchmark enables one at a
 * time through the control socket, so the table is loaded before the clock starts). The
 * export filter adds the shared communities; BIRD interns the result (one `rta`), so every
 * route leaves in a full UPDATE of one attribute set. `timeformat protocol iso long ms` gives
 * the Established time to the millisecond in `show protocols`. NEXT_HOP is `nextHop` (the
 * sender VM's address, 10.90.0.4) for every receiver: FRR drops UPDATEs with a 127.x next hop
 * as martian, and ARSLab keeps a non-loopback next hop as sent.
 */
export function writeBirdSender(
  dir: string,
  o: {
    routes: number;
    address: string;
    peers: PeerDef[];
    routerId: string;
    nextHop: string;
    attrsIn?: 'static' | 'export-filter';
  },
): string {
  const lines: string[] = [];
  const [c1, c2] = COMMUNITY.split(':');
  const [l1, l2, l3] = LARGE_COMMUNITY.split(':');
  const attrs =
    o.attrsIn === 'static'
      ? ` { bgp_community.add((${c1}, ${c2})); bgp_large_community.add((${l1}, ${l2}, ${l3})); }`
      : '';
  for (let i = 0; i < o.routes; i++) lines.push(`route ${formatV4(prefixAddr(i))}/24 blackhole${attrs};`);
  writeFileSync(join(dir, 'routes.conf'), lines.join('\n') + '\n');
  const conf = `# ARSLab route-server benchmark: sender
router id ${o.routerId};
timeformat protocol iso long ms;
protocol device { }
protocol static bench_routes {
  ipv4;
  include "routes.conf";
}
filter bench_out {
  if proto != "bench_routes" then reject;
${o.attrsIn === 'static' ? '' : `  bgp_community.add((${c1}, ${c2}));\n  bgp_large_community.add((${l1}, ${l2}, ${l3}));\n`}  accept;
}
template bgp bench_peer {
  local ${o.address} as ${SENDER_ASN};
  strict bind yes;
  multihop;
  hold time 180;
  connect delay time 1;
  connect retry time 1;
  error wait time 1, 4;
  ipv4 { import none; next hop address ${o.nextHop}; ${o.attrsIn === 'static' ? 'export all' : 'export filter bench_out'}; };
}
${o.peers.map((p) => `protocol bgp ${p.name} from bench_peer { neighbor ${p.address} as ${p.asn}; disabled; }`).join('\n')}
`;
  const file = join(dir, 'sender.conf');
  writeFileSync(file, conf);
  return file;
}

/** BIRD as the receiving route server: import everything into master4, export nothing. */
export function writeBirdReceiver(dir: string, o: { address: string; sender: string; routerId: string }): string {
  const file = join(dir, 'bird-rs.conf');
  writeFileSync(
    file,
    `# ARSLab route-server benchmark: BIRD as the receiving route server
router id ${o.routerId};
timeformat protocol iso long ms;
protocol device { }
# The sender's next hop (its VM address) resolves through "lo", so the routes are valid.
protocol static nh4 { ipv4; route 0.0.0.0/0 via "lo"; }
protocol bgp sender {
  local ${o.address} as ${RS_ASN};
  neighbor ${o.sender} as ${SENDER_ASN};
  strict bind yes;
  multihop;
  hold time 180;
  connect delay time 1;
  connect retry time 1;
  ipv4 { import all; export none; };
}
`,
  );
  return file;
}

/** FRR bgpd (no zebra) receiving: everything accepted, nothing advertised back. */
export function writeFrrReceiver(dir: string, o: { address: string; sender: string; routerId: string }): string {
  const file = join(dir, 'frr-rs.conf');
  writeFileSync(
    file,
    `! ARSLab route-server benchmark: FRR bgpd as the receiver
frr defaults traditional
router bgp ${RS_ASN}
 bgp router-id ${o.routerId}
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor ${o.sender} remote-as ${SENDER_ASN}
 neighbor ${o.sender} update-source ${o.address}
 neighbor ${o.sender} disable-connected-check
 neighbor ${o.sender} timers connect 1
 address-family ipv4 unicast
  neighbor ${o.sender} route-map BENCH-NONE out
 exit-address-family
!
route-map BENCH-NONE deny 10
!
`,
  );
  return file;
}

/** GoBGP receiving: the global RIB takes everything; an export policy rejects everything. */
export function writeGobgpReceiver(dir: string, o: { address: string; sender: string; routerId: string }): string {
  const file = join(dir, 'gobgp-rs.toml');
  writeFileSync(
    file,
    `# ARSLab route-server benchmark: GoBGP as the receiver
[global.config]
  as = ${RS_ASN}
  router-id = "${o.routerId}"
  port = 179
  local-address-list = ["${o.address}"]
[global.apply-policy.config]
  default-export-policy = "reject-route"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${o.sender}"
    peer-as = ${SENDER_ASN}
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 180
    keepalive-interval = 60
  [neighbors.transport.config]
    local-address = "${o.address}"
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 64
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`,
  );
  return file;
}

/**
 * The lab as a user writes it: one VNet with a Route Server whose only peering is the sender
 * VM, the sender as a node of kind `bird` (none when the benchmark's blaster is the sender),
 * the R-ARS-5 limits raised above the route count, and explicit 127.90.x.y mappings (ADR 0001).
 */
export function writeLabFile(
  dir: string,
  o: {
    name: string;
    senderConfig?: string;
    maxRoutes: number;
    senderIp: string;
    senderLoopback: string;
    rsLoopback: [string, string];
  },
): string {
  const file = join(dir, 'lab.yml');
  writeFileSync(
    file,
    `# ARSLab route-server benchmark lab (generated by bench/routeserver.ts)
name: ${o.name}
location: uksouth
settings:
  bgpPort: 179
  connectRetryTime: 1
  loopbackAddresses:
    "${o.senderIp}": ${o.senderLoopback}
    "10.90.1.4": ${o.rsLoopback[0]}
    "10.90.1.5": ${o.rsLoopback[1]}
  routeServer:
    maxRoutesPerPeer: ${o.maxRoutes}
    maxRoutesTotal: ${o.maxRoutes}
resourceGroups:
  bench-rg:
    virtualNetworks:
      bench-vnet:
        addressPrefixes: [10.90.0.0/16]
        subnets:
          default: { addressPrefix: 10.90.0.0/24 }
          RouteServerSubnet: { addressPrefix: 10.90.1.0/24 }
    routeServers:
      bench-rs:
        subnet: bench-vnet/RouteServerSubnet
        peerings:
          sender: { peerIp: ${o.senderIp}, peerAsn: ${SENDER_ASN} }
    virtualMachines:
      sender: { subnet: bench-vnet/default, privateIPAddress: ${o.senderIp}, enableIPForwarding: true }
${
  o.senderConfig
    ? `nodes:
  sender:
    kind: bird
    vm: sender
    config: ${o.senderConfig}
`
    : '# no node: the sender is the benchmark blaster, on the sender VM address\n'
}`,
  );
  return file;
}
