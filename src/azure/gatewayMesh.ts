/**
 * @module azure/gatewayMesh
 * The gateways' iBGP mesh of one VNet (R-VPN-2, R-ARS-11) and whether GatewaySubnet's route
 * table breaks it. The mesh: every route-server instance ↔ every gateway instance (only with
 * branch-to-branch on, R-ARS-11) and every ExpressRoute gateway instance ↔ every VPN gateway
 * instance (R-VPN-2). A session's packets leave GatewaySubnet toward the peer's address; the
 * route they follow is GatewaySubnet's user route with the longest prefix, a user route
 * beating a system route of the same prefix (R-NIC-4), the VNet's own system routes
 * otherwise. RouteServerSubnet cannot carry a route table (validateModel refuses it), so
 * only GatewaySubnet's table matters.
 *
 * Broken: the chosen route is a user route with next hop VirtualAppliance (the NVA in
 * between does not carry the iBGP, as the reference says) or None (dropped). A more specific
 * user route with next hop VnetLocal for the GatewaySubnet / RouteServerSubnet ranges
 * restores it. Next hops Internet and VirtualNetworkGateway for those ranges are not
 * modelled as breaking: the reference says nothing of them (docs/azure-differences.md).
 */
import { formatPrefix, parseIpv4, prefixContains, v4Prefix, type Prefix } from '../bgp/wire/index.js';
import { gatewaysOfVnet } from './gatewayRoutes.js';
import { routeServerOfVnet, routeTableOf } from './lookup.js';
import type { AzureModel, NextHopType, Route, RouteTable, VirtualNetwork } from './model.js';

/** One end of a mesh session: a gateway instance or a route-server instance. */
export interface MeshEnd {
  /** "er1/0", "hub1rs/IN_1". */
  readonly name: string;
  readonly address: string;
  readonly kind: 'expressroute-gateway' | 'vpn-gateway' | 'route-server';
}

/** The route a packet from GatewaySubnet toward `destination` follows (R-NIC-3, R-NIC-4). */
export interface GatewaySubnetHop {
  readonly destination: string;
  readonly source: 'User' | 'Default';
  readonly prefix: string;
  readonly nextHopType: NextHopType | 'VNetPeering';
  readonly nextHopIpAddress?: string;
  /** User routes: the route and its table. */
  readonly route?: Route;
  readonly routeTable?: RouteTable;
}

export interface MeshBreak {
  readonly rule: 'R-VPN-2';
  /** The hop that sends the session's packets where they are lost. */
  readonly hop: GatewaySubnetHop;
  /** "route table gwrt route to-nva (10.150.0.0/16 → VirtualAppliance 10.150.1.4) of GatewaySubnet sends 10.150.0.4 to an NVA that drops BGP". */
  readonly reason: string;
}

export interface MeshSessionPath {
  /** The gateway instance (always in GatewaySubnet). */
  readonly a: MeshEnd;
  /** The route-server instance or the other gateway's instance. */
  readonly b: MeshEnd;
  /** Set when the path between them is broken (either direction leaving GatewaySubnet). */
  readonly broken?: MeshBreak;
}

/**
 * The route GatewaySubnet uses toward `destination`: the longest user route of its table
 * (a user route wins over a system route of equal length), else the VNet's address space
 * (VnetLocal). Only destinations inside the VNet are asked for, so peering, default and
 * None system routes never come into it.
 */
export function gatewaySubnetHop(
  model: AzureModel,
  vnet: VirtualNetwork,
  destination: string,
): GatewaySubnetHop | undefined {
  const a = parseIpv4(destination);
  if (a === undefined) return undefined;
  const dst = v4Prefix(a, 32);
  const gwSubnet = vnet.subnets.find((s) => s.name === 'GatewaySubnet');
  const table = gwSubnet ? routeTableOf(model, gwSubnet) : undefined;
  let user: { route: Route; prefix: Prefix } | undefined;
  for (const route of table?.routes ?? []) {
    const p = parseUserPrefix(route.addressPrefix);
    if (!p || !prefixContains(p, dst)) continue;
    if (!user || p.len > user.prefix.len) user = { route, prefix: p };
  }
  let system: Prefix | undefined;
  for (const p of vnet.prefixes) if (prefixContains(p, dst) && (!system || p.len > system.len)) system = p;
  if (user && (!system || user.prefix.len >= system.len)) {
    return {
      destination,
      source: 'User',
      prefix: formatPrefix(user.prefix),
      nextHopType: user.route.nextHopType,
      ...(user.route.nextHopIpAddress ? { nextHopIpAddress: user.route.nextHopIpAddress } : {}),
      route: user.route,
      routeTable: table!,
    };
  }
  if (system) return { destination, source: 'Default', prefix: formatPrefix(system), nextHopType: 'VnetLocal' };
  return undefined;
}

function parseUserPrefix(text: string): Prefix | undefined {
  const [addr, len] = text.split('/');
  const a = parseIpv4(addr ?? '');
  const l = Number(len);
  if (a === undefined || !Number.isInteger(l) || l < 0 || l > 32) return undefined;
  return v4Prefix(a, l);
}

/** Why a hop breaks the iBGP, or undefined when it carries it. */
function breakOf(hop: GatewaySubnetHop | undefined, from: MeshEnd, to: MeshEnd): MeshBreak | undefined {
  if (hop?.source !== 'User' || !hop.route || !hop.routeTable) return undefined;
  if (hop.nextHopType !== 'VirtualAppliance' && hop.nextHopType !== 'None') return undefined;
  const r = hop.route;
  const where = `route table ${hop.routeTable.name}, route ${r.name} (${r.addressPrefix} → ${r.nextHopType}${r.nextHopIpAddress ? ` ${r.nextHopIpAddress}` : ''}) on GatewaySubnet`;
  const what = r.nextHopType === 'None' ? 'drops the packets' : 'sends them to an NVA that does not carry the iBGP';
  return { rule: 'R-VPN-2', hop, reason: `${where}: ${from.name} → ${to.name} (${to.address}) ${what}` };
}

/**
 * @rule R-VPN-2 R-ARS-11
 * Every iBGP session of the VNet's gateway mesh, and for each whether GatewaySubnet's route
 * table breaks its path. Empty when the VNet has no such sessions (one gateway, no route
 * server with branch-to-branch on).
 */
export function gatewayMeshPaths(model: AzureModel, vnet: VirtualNetwork): MeshSessionPath[] {
  const gws = gatewaysOfVnet(model, vnet);
  const instancesOf = (g: (typeof gws)[number]): MeshEnd[] => {
    const count = g.gatewayType === 'ExpressRoute' || g.activeActive ? 2 : 1;
    const kind = g.gatewayType === 'ExpressRoute' ? 'expressroute-gateway' : 'vpn-gateway';
    return g.instanceAddresses.slice(0, count).map((address, i) => ({ name: `${g.name}/${i}`, address, kind }));
  };
  const out: MeshSessionPath[] = [];
  const add = (a: MeshEnd, b: MeshEnd): void => {
    // Both directions leave GatewaySubnet when b is a gateway; toward a route server only a→b
    // does (RouteServerSubnet has no route table).
    const broken =
      breakOf(gatewaySubnetHop(model, vnet, b.address), a, b) ??
      (b.kind !== 'route-server' ? breakOf(gatewaySubnetHop(model, vnet, a.address), b, a) : undefined);
    out.push({ a, b, ...(broken ? { broken } : {}) });
  };
  const rs = routeServerOfVnet(model, vnet);
  if (rs?.allowBranchToBranchTraffic) {
    const rsEnds: MeshEnd[] = rs.virtualRouterIps.map((address, i) => ({
      name: `${rs.name}/IN_${i}`,
      address,
      kind: 'route-server',
    }));
    for (const g of gws) for (const gi of instancesOf(g)) for (const ri of rsEnds) add(gi, ri);
  }
  const er = gws.find((g) => g.gatewayType === 'ExpressRoute');
  const vpn = gws.find((g) => g.gatewayType === 'Vpn');
  if (er && vpn) for (const e of instancesOf(er)) for (const v of instancesOf(vpn)) add(e, v);
  return out;
}

/** The broken sessions of the VNet's mesh (R-VPN-2). */
export function brokenMeshSessions(model: AzureModel, vnet: VirtualNetwork): MeshSessionPath[] {
  return gatewayMeshPaths(model, vnet).filter((s) => s.broken);
}
