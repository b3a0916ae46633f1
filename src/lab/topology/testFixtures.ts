/**
 * @module lab/topology/testFixtures
 * Lab files shared by the topology tests (not a test itself).
 */
import assert from 'node:assert/strict';
import { loadLabText, type LoadResult } from './load.js';
import { formatLabFileError, type LabFileError } from './index.js';

/** Where fixture labs pretend to live; node files resolve against its folder. */
export const LAB_PATH = '/labs/next-hop/lab.yml';

/** Node files that "exist" for loadLabText fixtures (see `load`). */
export const FIXTURE_FILES = new Set([
  '/labs/next-hop/watch1/exabgp.conf',
  '/labs/next-hop/watch1/exabgp.loopback.conf',
]);

/**
 * The lab of seed 000 (Azure Route Server next hop IP fast failover), as the seed deploys
 * it: one VNet with a Route Server, the webservers, the load tester, two watchers, a
 * route table with a route to the watcher, and the watcher running ExaBGP.
 */
export const SEED_000_LAB = `# yaml-language-server: $schema=../../schemas/arslab-lab.schema.json
name: next-hop-failover
subscriptionId: 11111111-2222-3333-4444-555555555555
location: uksouth
systemRouteProfile: seed-2021
settings:
  bgpPort: auto
  addressing: loopback
  loopbackAddresses: { 10.10.0.7: 127.10.0.7 }
  connectRetryTime: 5
  capture: false
  routeServer: { maxRoutesPerPeer: 4000, maxRoutesTotal: 10000, maxEcmpPaths: 8, holdTime: 180, keepaliveTime: 60, maxPeerings: 8 }
resourceGroups:
  next-hop-ip-rg:
    location: uksouth
    virtualNetworks:
      next-hop-ip-vnet:
        addressPrefixes: [10.10.0.0/16]
        subnets:
          default: { addressPrefix: 10.10.0.0/24, routeTable: next-hop-ip-rt }
          RouteServerSubnet: { addressPrefix: 10.10.1.0/24 }
          AzureBastionSubnet: { addressPrefix: 10.10.2.0/24 }
    routeTables:
      next-hop-ip-rt:
        disableBgpRoutePropagation: false
        routes:
          to-nva: { addressPrefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIpAddress: 10.10.0.7 }
    routeServers:
      next-hop-ip-routeserver:
        subnet: next-hop-ip-vnet/RouteServerSubnet
        allowBranchToBranchTraffic: false
        hubRoutingPreference: ExpressRoute
        peerings:
          watcher: { peerIp: 10.10.0.7, peerAsn: 65001 }
  next-hop-ip-vm-rg:
    virtualMachines:
      ws1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.4, enableIPForwarding: true }
      ws2: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.5, enableIPForwarding: true }
      lt1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.6 }
      watch1: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.7 }
      watch2: { subnet: next-hop-ip-rg/next-hop-ip-vnet/default, privateIPAddress: 10.10.0.8 }
nodes:
  watch1: { kind: exabgp, vm: next-hop-ip-vm-rg/watch1, config: watch1/exabgp.conf, loopbackConfig: watch1/exabgp.loopback.conf, env: { exabgp_api_ack: false } }
`;

/** Loads fixture text against FIXTURE_FILES (no disk). */
export function load(text: string, files: ReadonlySet<string> = FIXTURE_FILES): LoadResult {
  return loadLabText(text, LAB_PATH, { checkFile: (p) => (files.has(p) ? 'file' : 'missing') });
}

export function errorsOf(result: LoadResult): readonly LabFileError[] {
  return result.ok ? [] : result.errors;
}

export function formatted(list: readonly LabFileError[]): string {
  return list.map(formatLabFileError).join('\n');
}

/** Asserts one error at `field` on `line` whose message matches `message`; returns it. */
export function expectError(
  result: LoadResult,
  expected: { field: string; line: number; message: RegExp; column?: number },
): LabFileError {
  assert.equal(result.ok, false, 'the lab should not load');
  const errors = errorsOf(result);
  const hit = errors.find((e) => e.field === expected.field && expected.message.test(e.message));
  assert.ok(hit, `no error at ${expected.field} matching ${expected.message}; got:\n${formatted(errors)}`);
  assert.equal(hit.line, expected.line, `line of ${formatLabFileError(hit)}`);
  if (expected.column !== undefined) assert.equal(hit.column, expected.column, `column of ${formatLabFileError(hit)}`);
  assert.equal(hit.file, LAB_PATH);
  return hit;
}

/** The 1-based line of the first line containing `marker`: fixtures mark offending lines with `# <-`. */
export function lineOf(text: string, marker: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(marker));
  if (index < 0) throw new Error(`marker ${marker} not in fixture`);
  return index + 1;
}

/** The fixture with `from` replaced by `to` (exactly one occurrence, so tests fail loudly when the fixture changes). */
export function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`fixture edit: '${from}' must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/**
 * A hybrid lab in the shape of seed 001 ("Connecting your NVAs to ExpressRoute with Azure
 * Route Server"): hub1 with a Route Server (branch-to-branch on), an NVA, an ExpressRoute
 * gateway er1 in GatewaySubnet 10.1.3.0/24, a spoke using the hub's gateways, a circuit whose
 * private peering has the seed's /30s and peerASN 133937, a connection with routingWeight
 * 10, and the on-premises router onprem1 on both links announcing 1.2.3.0/24.
 */
export const SEED_001_LAB = `# yaml-language-server: $schema=../../schemas/arslab-lab.schema.json
name: ars-expressroute
location: westeurope
systemRouteProfile: seed-2021
resourceGroups:
  routeserver:
    virtualNetworks:
      hub1:
        addressPrefixes: [10.1.0.0/20]
        subnets:
          RouteServerSubnet: { addressPrefix: 10.1.0.0/24 }
          nva: { addressPrefix: 10.1.1.0/24 }
          GatewaySubnet: { addressPrefix: 10.1.3.0/24 }
        virtualNetworkPeerings:
          hub1-to-spoke11: { remoteVirtualNetwork: spoke11, allowGatewayTransit: true, allowForwardedTraffic: true }
      spoke11:
        addressPrefixes: [10.1.16.0/24]
        subnets:
          vm: { addressPrefix: 10.1.16.0/24 }
        virtualNetworkPeerings:
          spoke11-to-hub1: { remoteVirtualNetwork: hub1, useRemoteGateways: true, allowForwardedTraffic: true }
    routeServers:
      hub1rs:
        subnet: hub1/RouteServerSubnet
        allowBranchToBranchTraffic: true
        peerings:
          hub1nva: { peerIp: 10.1.1.4, peerAsn: 65001 }
    virtualMachines:
      hub1nva: { subnet: hub1/nva, privateIPAddress: 10.1.1.4, enableIPForwarding: true }
      spoke11-vm: { subnet: spoke11/vm }
    virtualNetworkGateways:
      er1:
        gatewayType: ExpressRoute
        sku: Standard
        virtualNetwork: hub1
    connections:
      er1-conn:
        connectionType: ExpressRoute
        virtualNetworkGateway1: er1
        peer: er-circuit-1
        routingWeight: 10
    expressRouteCircuits:
      er-circuit-1:
        serviceProviderName: Equinix
        peeringLocation: Amsterdam
        bandwidthInMbps: 1000
        peerings:
          AzurePrivatePeering: { peerASN: 133937, primaryPeerAddressPrefix: 169.254.1.88/30, secondaryPeerAddressPrefix: 169.254.1.92/30, vlanId: 100 }
        mseeAddresses: [10.2.146.35, 10.2.146.36]
nodes:
  hub1nva: { kind: speaker, vm: hub1nva, asn: 65001, routes: [{ prefix: 10.1.0.0/16 }] }
routers:
  onprem1:
    asn: 133937
    attach:
      - { circuit: er-circuit-1, link: primary }
      - { circuit: er-circuit-1, link: secondary }
    routes:
      - { prefix: 1.2.3.0/24, origin: incomplete }
      - { prefix: 169.254.1.88/30, origin: incomplete, on: [0] }
      - { prefix: 169.254.1.92/30, origin: incomplete, on: [1] }
`;
