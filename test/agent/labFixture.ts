/**
 * A lab like scenarios/next-hop-failover, without a node on watch1: the agent under test
 * plays watch1 (or ws1/ws2 for the per-backend pattern). Every emulated address is mapped
 * into 127.N.0.0/16 (N from 120 to 129: the agent tests' own range), so several tests run
 * side by side and beside other engineers' tests.
 */
import { startTestLab, type TestLab } from '../helpers/lab.js';
import type { EffectiveRoute } from '../../src/azure/effectiveRoutes.js';

export function agentLabYaml(name: string, n: number, peers: readonly { name: string; ip: string }[]): string {
  const addrs = ['10.10.1.4', '10.10.1.5', '10.10.0.4', '10.10.0.5', '10.10.0.6', '10.10.0.7'];
  const map = addrs.map((a) => `${a}: 127.${n}.${a.split('.').slice(2).join('.')}`).join(', ');
  return `
name: ${name}
location: uksouth
settings:
  connectRetryTime: 1
  loopbackAddresses: { ${map} }
resourceGroups:
  next-hop-ip-rg:
    virtualNetworks:
      next-hop-ip-vnet:
        addressPrefixes: [10.10.0.0/16]
        subnets:
          default: { addressPrefix: 10.10.0.0/24, routeTable: next-hop-ip-rt }
          RouteServerSubnet: { addressPrefix: 10.10.1.0/24 }
    routeTables:
      next-hop-ip-rt:
        disableBgpRoutePropagation: false
    routeServers:
      next-hop-ip-routeserver:
        subnet: next-hop-ip-vnet/RouteServerSubnet
        peerings:
${peers.map((p) => `          ${p.name}: { peerIp: ${p.ip}, peerAsn: 65001 }`).join('\n')}
  next-hop-ip-vm-rg:
    virtualMachines:
      ws1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.4, enableIPForwarding: true }
      ws2: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.5, enableIPForwarding: true }
      lt1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.6 }
      watch1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.7 }
`;
}

export async function startAgentLab(
  name: string,
  n: number,
  peers: readonly { name: string; ip: string }[],
): Promise<TestLab> {
  return startTestLab(name, agentLabYaml(name, n, peers));
}

/** lt1VMNic's rows for the VIP (what `arslab network nic show-effective-route-table` prints). */
export function vipRows(t: TestLab, prefix = '100.64.0.1/32'): EffectiveRoute[] {
  const nic = t.lab.model.networkInterfaces.find((x) => x.name === 'lt1VMNic')!;
  return t.lab.effectiveRoutes(nic).value.filter((r) => r.addressPrefix.includes(prefix) && r.state === 'Active');
}

/** The next hops lt1 uses for the VIP, sorted ('' when none). */
export function vipNextHops(t: TestLab, prefix = '100.64.0.1/32'): string {
  return vipRows(t, prefix)
    .flatMap((r) => r.nextHopIpAddress)
    .sort()
    .join(',');
}

export function agentConfig(o: {
  n: number;
  self: string;
  port: number;
  failback?: boolean;
  backends?: readonly { name: string; nextHop: string; url: string }[];
  api?: string;
  extra?: string;
  vipBlock?: string;
}): string {
  const self = `127.${o.n}.${o.self.split('.').slice(2).join('.')}`;
  const vip =
    o.vipBlock ??
    `  - prefix: 100.64.0.1/32
    pattern: watcher
    failback: ${o.failback ?? true}
    backends:
${o
  .backends!.map(
    (b) => `      - name: ${b.name}
        nextHop: ${b.nextHop}
        check: { type: http, url: "${b.url}", interval: 1s, fastInterval: 100ms, timeout: 1s, rise: 2, fall: 2 }`,
  )
  .join('\n')}`;
  return `asn: 65001
routerId: ${o.self}
localAddress: ${self}
listenPort: ${o.port}
connectRetry: 1s
neighbors:
  - { address: 127.${o.n}.1.4, asn: 65515, port: ${o.port}, holdTime: 9 }
  - { address: 127.${o.n}.1.5, asn: 65515, port: ${o.port}, holdTime: 9 }
${o.api ? `api: ${o.api}\n` : ''}${o.extra ?? ''}vips:
${vip}
`;
}
