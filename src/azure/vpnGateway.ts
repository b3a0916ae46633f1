/**
 * @module azure/vpnGateway
 * VPN gateways (azure-routing.md §3): the policy of a VPN gateway instance toward its
 * BGP-enabled local network gateways (eBGP over the tunnels), the route server and the
 * ExpressRoute gateway (iBGP), and what it programs into NICs.
 *
 * @see https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-bgp-overview
 */
import { parsePrefix, prefixContains, type Prefix } from '../bgp/wire/index.js';
import {
  formatAsPathAzure,
  internAttrs,
  pathContains,
  prependAsPath,
  wellKnownBlock,
  withAttrs,
  type BestPathConfig,
  type SpeakerPolicy,
} from '../rib/index.js';
import { gatewayPreference } from './expressRoute.js';
import { idKey } from './ids.js';
import type { AzureModel, LocalNetworkGateway, VirtualNetworkGateway } from './model.js';

/** R-VPN-6: prefixes one BGP peer of a VPN gateway may advertise. */
export const VPN_PREFIX_LIMIT = 4000;

export type VpnNeighborRole = 'local-network-gateway' | 'route-server' | 'expressroute-gateway';

export const VPN_BEST_PATH: BestPathConfig = {
  steps: [
    'locally-originated',
    'weight',
    'local-pref',
    'as-path-length',
    'origin',
    'med',
    'preference', // R-VPN-3: in a tie of iBGP copies, the route server's before the ER gateway's direct one
    'ebgp-over-ibgp',
    'neighbor-address',
  ],
  multipathThrough: 'ebgp-over-ibgp',
  maxPaths: 8,
};

export interface VpnGatewayContext {
  readonly gateway: VirtualNetworkGateway;
  readonly instance: 0 | 1;
  /** The address space of the VNets this gateway serves (R-VPN-1: never advertised as anything but themselves). */
  readonly vnetPrefixes: readonly Prefix[];
}

/** The instance's BGP address toward tunnels: its APIPA address if set, else its private address. */
export function vpnBgpAddress(gw: VirtualNetworkGateway, instance: 0 | 1): string {
  return gw.customBgpIpAddresses[instance] ?? gw.instanceAddresses[instance];
}

/**
 * One VPN gateway instance (R-VPN-1, R-VPN-2).
 * @rule R-VPN-1 R-VPN-2
 */
export function vpnGatewayPolicy(c: VpnGatewayContext): SpeakerPolicy {
  const bgpAddress = vpnBgpAddress(c.gateway, c.instance);
  const self = c.gateway.instanceAddresses[c.instance];
  return {
    bestPath: VPN_BEST_PATH,
    exportDependsOnPrefix: true,
    import(from, attrs) {
      if ((from.info?.['role'] as VpnNeighborRole) === 'local-network-gateway' && pathContains(attrs, c.gateway.asn)) {
        return {
          accept: false,
          rule: 'RFC4271-9.1.2',
          reason: `AS_PATH ${formatAsPathAzure(attrs.asPath)} contains our AS ${c.gateway.asn}`,
        };
      }
      return { accept: true, weight: 32768, preference: gatewayPreference(String(from.info?.['role'] ?? '')) };
    },
    export(to, path, prefix) {
      const role = to.info?.['role'] as VpnNeighborRole;
      const block = wellKnownBlock(path.attrs, role === 'local-network-gateway' ? 'ebgp' : 'ibgp');
      if (block) return { rule: 'R-ARS-9', reason: `${block} community` };
      if (role === 'local-network-gateway') {
        // The instance's BGP address on this connection (its gatewayCustomBgpIpAddresses), else its own.
        const nextHop = String(to.info?.['localAddress'] ?? bgpAddress);
        // R-VPN-1: never a default route, never a prefix overlapping the VNets but their own ranges.
        if (prefix.len === 0) return { rule: 'R-VPN-1', reason: 'a VPN gateway never advertises a default route' };
        if (
          path.source.kind !== 'local' &&
          c.vnetPrefixes.some((v) => prefixContains(v, prefix) || prefixContains(prefix, v))
        ) {
          return { rule: 'R-VPN-1', reason: 'overlaps a VNet range: not advertised over VPN' };
        }
        // R-VPN-2: ExpressRoute routes reach VPN sites only through a route server with branch-to-branch.
        if (path.source.role === 'expressroute-gateway')
          return {
            rule: 'R-VPN-2',
            reason: 'learned from the ExpressRoute gateway: ER↔VPN transit needs a route server with branch-to-branch',
          };
        if (path.source.kind === 'local')
          return internAttrs({ origin: 0, asPath: [{ type: 2, asns: [c.gateway.asn] }], nextHop });
        return internAttrs({
          origin: path.attrs.origin,
          asPath: prependAsPath(path.attrs.asPath, c.gateway.asn),
          nextHop,
          ...(path.attrs.communities ? { communities: path.attrs.communities } : {}),
        });
      }
      // iBGP toward the route server and the ER gateway: our ranges with us as next hop, tunnel routes as learned.
      if (path.source.kind === 'ibgp')
        return { rule: 'RFC4271-9.2', reason: 'learned over iBGP: not advertised to iBGP peers' };
      if (path.source.kind === 'local') return internAttrs({ origin: 0, asPath: [], nextHop: self });
      return withAttrs(path.attrs, { med: undefined, localPref: undefined });
    },
  };
}

/**
 * R-VPN-1: where NICs send a VPN-learned prefix: each instance's private address (active-
 * active, ECMP), or the gateway's public address (active-standby).
 */
export function vpnNextHops(gw: VirtualNetworkGateway): string[] {
  if (gw.activeActive) return [...gw.instanceAddresses];
  return gw.publicIpAddresses.length ? [gw.publicIpAddresses[0]!] : [gw.instanceAddresses[0]];
}

/** R-VPN-4: one IPsec connection without BGP of a VPN gateway, and the site prefixes it routes. */
export interface StaticSite {
  readonly connection: string;
  readonly site: LocalNetworkGateway;
  readonly prefixes: readonly Prefix[];
  /** The gateway instances whose tunnels the connection brings up (absent: all). */
  readonly instances?: readonly (0 | 1)[];
}

/**
 * R-VPN-4: the static routes of a VPN gateway — for each IPsec connection with BGP off
 * (`enableBgp: false`, Azure's default), its local network gateway's `addressPrefixes`
 * (ARM `localNetworkAddressSpace.addressPrefixes`). Microsoft: "VPN gateways without BGP
 * learn routes from local network gateway definitions", and "regardless of BGP
 * configuration, VPN gateways advertise learned routes to Azure Route Server when route
 * exchange is enabled" (https://learn.microsoft.com/azure/route-server/expressroute-vpn-support);
 * they also go to BGP sites ("address prefixes for each local network gateway connected to
 * the Azure VPN gateway", https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-bgp-overview).
 * A BGP connection's site prefixes come over BGP instead (only its BGP peer address is routed).
 * @rule R-VPN-4
 */
export function staticSites(model: AzureModel, gw: VirtualNetworkGateway): StaticSite[] {
  if (gw.gatewayType !== 'Vpn') return [];
  const out: StaticSite[] = [];
  for (const c of model.connections) {
    if (c.connectionType !== 'IPsec' || c.enableBgp) continue;
    if (idKey(c.virtualNetworkGateway1) !== idKey(gw.id)) continue;
    const site = model.localNetworkGateways.find((l) => idKey(l.id) === idKey(c.localNetworkGateway2 ?? ''));
    if (!site) continue;
    const prefixes = site.addressPrefixes.map((t) => parsePrefix(t, true)).filter((p): p is Prefix => !!p);
    out.push({
      connection: c.name,
      site,
      prefixes,
      ...(c.gatewayInstances ? { instances: c.gatewayInstances } : {}),
    });
  }
  return out;
}
