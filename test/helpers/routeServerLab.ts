/**
 * The lab file most route-server tests need: per hub (second octet N) a VNet 10.N.0.0/16 with
 * RouteServerSubnet 10.N.0.0/26 (instances 10.N.0.4 and .5) and an `nva` subnet 10.N.1.0/24,
 * one route server peering with each listed NVA, a VM per NVA, and the nodes given verbatim.
 * One hub is named `hub` with route server `rs`; several are `hub0`, `rs0`, `hub1`, `rs1`…, and
 * their VMs `NAME-hub0`….
 */
export interface HubPeer {
  /** Peering name, also the VM's (with the hub's index after it when there are several hubs). */
  readonly name: string;
  /** Last octet of the NVA's address 10.N.1.host. */
  readonly host: number;
  readonly asn: number;
}

export interface HubSpec {
  readonly octet: number;
  readonly peers: readonly HubPeer[];
  /** VMs with no peering (a client whose NIC the test reads), 10.N.1.host. */
  readonly vms?: readonly { readonly name: string; readonly host: number }[];
}

export function routeServerLabYaml(name: string, hubs: readonly HubSpec[], nodes = ''): string {
  const one = hubs.length === 1;
  const hub = (k: number) => (one ? 'hub' : `hub${k}`);
  const vm = (n: string, k: number) => (one ? n : `${n}-hub${k}`);
  const block = (lines: string[]) => lines.join('\n');
  return `name: ${name}
location: westeurope
settings: { connectRetryTime: 1 }
resourceGroups:
  rg:
    virtualNetworks:
${block(
  hubs.map(
    (h, k) => `      ${hub(k)}:
        addressPrefixes: [10.${h.octet}.0.0/16]
        subnets:
          RouteServerSubnet: { addressPrefix: 10.${h.octet}.0.0/26 }
          nva: { addressPrefix: 10.${h.octet}.1.0/24 }`,
  ),
)}
    routeServers:
${block(
  hubs.map(
    (h, k) => `      ${one ? 'rs' : `rs${k}`}:
        subnet: ${hub(k)}/RouteServerSubnet
        peerings:
${block(h.peers.map((p) => `          ${p.name}: { peerIp: 10.${h.octet}.1.${p.host}, peerAsn: ${p.asn} }`))}`,
  ),
)}
    virtualMachines:
${block(
  hubs.flatMap((h, k) =>
    [...h.peers, ...(h.vms ?? [])].map(
      (p) => `      ${vm(p.name, k)}: { subnet: ${hub(k)}/nva, privateIPAddress: 10.${h.octet}.1.${p.host} }`,
    ),
  ),
)}
${nodes ? `nodes:\n${nodes}` : ''}`;
}
