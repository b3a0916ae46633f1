/**
 * A lab at Azure's maximum scale for the web page's benchmark (bench/web.ts): by default 500
 * VNets and 4,000 VMs — H hubs, each with a route server and two built-in speakers (NVAs)
 * announcing routes, hub 0 with an ExpressRoute gateway, a circuit and an on-premises router;
 * the other VNets are spokes peered to a hub (gateway transit), the VMs spread over them.
 * Azure's limits it stays within: 500 peerings per VNet, 8 peerings per route server
 * (R-ARS-3). Every address is in 10.241.0.0–10.245.255.255 (loopback 127.241–127.245) by
 * default, or five second octets from `octet` on: the web tests' other labs use 127.246–127.248
 * and test/web/expand.test.ts 127.227–127.231.
 *
 * A scale generator of its own (branch `scale` writes another in bench/scale); the two are
 * to be unified at merge.
 */
export interface ScaleOptions {
  readonly vnets: number;
  readonly vms: number;
  readonly hubs: number;
  /** Routes each NVA speaker announces. */
  readonly routesPerNva: number;
  /** The first of the five second octets the lab's addresses use (hubs, spokes, routes): 241 by default. */
  readonly octet?: number;
}

export const AZURE_MAX: ScaleOptions = { vnets: 500, vms: 4000, hubs: 2, routesPerNva: 16 };

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function scaleLabYaml(o: ScaleOptions, name = 'web-scale'): string {
  const b0 = o.octet ?? 241;
  if (o.hubs < 1 || o.hubs > 2) throw new Error('1 or 2 hubs (10.241/16 and 10.242/16)');
  const spokes = o.vnets - o.hubs;
  if (spokes < 0 || spokes > 2 * 256) throw new Error('at most 512 spokes (10.243/16 and 10.244/16)');
  if (o.routesPerNva > 32) throw new Error('at most 32 routes per NVA (10.245.0.0/19 per hub)');
  if (Math.ceil(spokes / o.hubs) > 499) throw new Error('a VNet peers with at most 500 others');
  const hubVms = o.hubs * 2;
  const spokeVms = Math.max(0, o.vms - hubVms);
  if (spokes > 0 && Math.ceil(spokeVms / spokes) > 250) throw new Error('at most 250 VMs per spoke (/24)');
  const L: string[] = [`name: ${name}`, 'location: westeurope', 'resourceGroups:', '  scale:', '    virtualNetworks:'];
  const spokeName = (s: number) => `spoke${pad(s, 3)}`;
  const hubOf = (s: number) => s % o.hubs;
  for (let h = 0; h < o.hubs; h++) {
    const b = `10.${b0 + h}`;
    L.push(
      `      hub${h}:`,
      `        addressPrefixes: [${b}.0.0/16]`,
      '        subnets:',
      `          RouteServerSubnet: { addressPrefix: ${b}.0.0/26 }`,
      `          nva: { addressPrefix: ${b}.1.0/24 }`,
      ...(h === 0 ? [`          GatewaySubnet: { addressPrefix: ${b}.3.0/24 }`] : []),
      '        virtualNetworkPeerings:',
    );
    for (let s = 0; s < spokes; s++)
      if (hubOf(s) === h)
        L.push(
          `          hub${h}-to-${spokeName(s)}: { remoteVirtualNetwork: ${spokeName(s)}, allowGatewayTransit: true, allowForwardedTraffic: true }`,
        );
  }
  for (let s = 0; s < spokes; s++) {
    const p = `10.${b0 + 2 + Math.floor(s / 256)}.${s % 256}.0/24`;
    L.push(
      `      ${spokeName(s)}:`,
      `        addressPrefixes: [${p}]`,
      `        subnets: { vm: { addressPrefix: ${p} } }`,
      `        virtualNetworkPeerings: { ${spokeName(s)}-to-hub${hubOf(s)}: { remoteVirtualNetwork: hub${hubOf(s)}, useRemoteGateways: true, allowForwardedTraffic: true } }`,
    );
  }
  L.push('    routeServers:');
  for (let h = 0; h < o.hubs; h++)
    L.push(
      `      hub${h}rs:`,
      `        subnet: hub${h}/RouteServerSubnet`,
      '        allowBranchToBranchTraffic: true',
      '        peerings:',
      `          nva${h}a: { peerIp: 10.${b0 + h}.1.4, peerAsn: ${65001 + 2 * h} }`,
      `          nva${h}b: { peerIp: 10.${b0 + h}.1.5, peerAsn: ${65002 + 2 * h} }`,
    );
  L.push(
    '    virtualNetworkGateways:',
    '      er1: { gatewayType: ExpressRoute, sku: Standard, virtualNetwork: hub0 }',
    '    connections:',
    '      er1-conn: { connectionType: ExpressRoute, virtualNetworkGateway1: er1, peer: er-circuit, routingWeight: 10 }',
    '    expressRouteCircuits:',
    '      er-circuit:',
    '        serviceProviderName: Equinix',
    '        peeringLocation: Amsterdam',
    '        bandwidthInMbps: 1000',
    '        peerings:',
    '          AzurePrivatePeering: { peerASN: 133937, primaryPeerAddressPrefix: 169.254.1.88/30, secondaryPeerAddressPrefix: 169.254.1.92/30, vlanId: 100 }',
    `        mseeAddresses: [10.${b0 + 4}.146.35, 10.${b0 + 4}.146.36]`,
    '    virtualMachines:',
  );
  for (let h = 0; h < o.hubs; h++)
    for (const [k, x] of [
      [4, 'a'],
      [5, 'b'],
    ] as const)
      L.push(
        `      nva${h}${x}: { subnet: hub${h}/nva, privateIPAddress: 10.${b0 + h}.1.${k}, enableIPForwarding: true }`,
      );
  for (let s = 0, placed = 0; s < spokes; s++) {
    const n = Math.floor(((s + 1) * spokeVms) / spokes) - placed;
    placed += n;
    for (let k = 0; k < n; k++)
      L.push(
        `      vm${pad(s, 3)}-${pad(k, 2)}: { subnet: ${spokeName(s)}/vm, privateIPAddress: 10.${b0 + 2 + Math.floor(s / 256)}.${s % 256}.${4 + k} }`,
      );
  }
  L.push('nodes:');
  for (let h = 0; h < o.hubs; h++)
    for (const [x, asn] of [
      ['a', 65001 + 2 * h],
      ['b', 65002 + 2 * h],
    ] as const) {
      const routes = Array.from({ length: o.routesPerNva }, (_, r) => `{ prefix: 10.${b0 + 4}.${32 * h + r}.0/24 }`);
      L.push(`  nva${h}${x}: { kind: speaker, vm: nva${h}${x}, asn: ${asn}, routes: [${routes.join(', ')}] }`);
    }
  L.push(
    'routers:',
    '  onprem:',
    '    asn: 133937',
    '    attach:',
    '      - { circuit: er-circuit, link: primary }',
    '      - { circuit: er-circuit, link: secondary }',
    '    routes:',
    '      - { prefix: 172.16.0.0/16, origin: incomplete }',
  );
  return `${L.join('\n')}\n`;
}
