/**
 * @module lab/topology/testFixtures
 * Lab files shared by the topology tests (not a test itself).
 */
import { loadLabText, type LoadResult } from './load.js';
import { formatLabFileError, type LabFileError } from './errors.js';

/** Where fixture labs pretend to live; node files resolve against its folder. */
export const LAB_PATH = '/labs/next-hop/lab.yml';

/** Node files that "exist" for loadLabText fixtures (see `load`). */
export const FIXTURE_FILES = new Set(['/labs/next-hop/watch1/exabgp.conf', '/labs/next-hop/watch1/exabgp.loopback.conf']);

/**
 * The lab of seed 000 (Azure Route Server next hop IP fast failover), as the brief writes
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
