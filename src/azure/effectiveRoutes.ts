/**
 * @module azure/effectiveRoutes
 * A NIC's effective routes (R-NIC-1 to R-NIC-5): system routes, routes programmed by
 * Route Servers (R-ARS-8, R-NIC-2) and user routes, with Azure's selection and row order.
 *
 * @see https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview
 */
import { formatPrefix, parsePrefix, prefixContains, prefixEquals, type Prefix } from '../bgp/wire/index.js';
import type { Path } from '../rib/index.js';
import type { GatewayRouteOrigin, GatewayRoutes } from './gatewayRoutes.js';
import { byId, connectedPeers, findSubnet, primaryIpConfig, routeTableOf } from './lookup.js';
import type { AzureModel, NetworkInterface, VirtualNetwork } from './model.js';
import { NONE_RANGES } from './systemRoutes.js';

export type RouteSourceName = 'Default' | 'User' | 'VirtualNetworkGateway';
export type EffectiveNextHopType =
  | 'VnetLocal'
  | 'VNetPeering'
  | 'VNetGlobalPeering'
  | 'Internet'
  | 'None'
  | 'VirtualAppliance'
  | 'VirtualNetworkGateway';

/** One entry of `show-effective-route-table`, keys in Azure's order (R-NIC-5). */
export interface EffectiveRoute {
  source: RouteSourceName;
  state: 'Active' | 'Invalid';
  addressPrefix: string[];
  nextHopType: EffectiveNextHopType;
  nextHopIpAddress: string[];
  name: string | null;
  disableBgpRoutePropagation: boolean;
}

/** Why each row is what it is, for `explain` (not part of Azure's answer). */
export interface EffectiveRouteDetail {
  readonly route: EffectiveRoute;
  readonly prefix: Prefix;
  /** For gateway rows: which gateway programmed it, and the paths behind it. */
  readonly origin?: GatewayRouteOrigin;
  readonly paths?: readonly Path[];
  /** For Invalid rows and removed candidates: the rule and reason. */
  readonly note?: { rule: string; reason: string };
  /** Candidates that were considered and not shown at all (R-ARS-8 filters, R-NIC-4 removals). */
  readonly hidden?: boolean;
  /** Name of the user route table, for user rows. */
  readonly routeTableId?: string;
}

/** The gateway routes of a VNet, computed by the lab from its speakers (gatewayRoutes.ts). */
export type GatewayRoutesOf = (vnet: VirtualNetwork) => GatewayRoutes;

export interface EffectiveRoutes {
  readonly value: EffectiveRoute[];
  /** Every candidate with its reason, shown rows first; for `explain`. */
  readonly details: EffectiveRouteDetail[];
}

/**
 * @rule R-NIC-1 R-NIC-2 R-NIC-3 R-NIC-4 R-NIC-5 R-ARS-8
 */
export function effectiveRoutes(
  model: AzureModel,
  nic: NetworkInterface,
  gatewayRoutes: GatewayRoutesOf,
): EffectiveRoutes {
  const ipc = primaryIpConfig(nic);
  const where = ipc ? findSubnet(model, ipc.subnet) : undefined;
  if (!ipc || !where) return { value: [], details: [] };
  const { vnet, subnet } = where;
  const table = routeTableOf(model, subnet);
  const propagation = !(table?.disableBgpRoutePropagation ?? false);

  const details: EffectiveRouteDetail[] = [];
  const row = (
    source: RouteSourceName,
    prefix: Prefix,
    nextHopType: EffectiveNextHopType,
    ips: string[],
    extra: Partial<EffectiveRouteDetail> & { name?: string | null; disable?: boolean } = {},
  ): EffectiveRouteDetail => {
    const d: EffectiveRouteDetail = {
      route: {
        source,
        state: 'Active',
        addressPrefix: [formatPrefix(prefix)],
        nextHopType,
        nextHopIpAddress: ips,
        name: extra.name ?? null,
        disableBgpRoutePropagation: extra.disable ?? false,
      },
      prefix,
      ...(extra.origin ? { origin: extra.origin } : {}),
      ...(extra.paths ? { paths: extra.paths } : {}),
      ...(extra.routeTableId ? { routeTableId: extra.routeTableId } : {}),
    };
    details.push(d);
    return d;
  };

  // R-NIC-1: VNet address spaces, then peered VNets' (Connected peerings only).
  const vnetRows = vnet.prefixes.map((p) => row('Default', p, 'VnetLocal', []));
  const peerRows: EffectiveRouteDetail[] = [];
  for (const { remote, local } of connectedPeers(model, vnet)) {
    if (!local.allowVirtualNetworkAccess) continue;
    const type: EffectiveNextHopType =
      remote.location.toLowerCase() === vnet.location.toLowerCase() ? 'VNetPeering' : 'VNetGlobalPeering';
    for (const p of remote.prefixes) peerRows.push(row('Default', p, type, []));
  }
  const systemSpaces = [...vnetRows, ...peerRows].map((d) => d.prefix);

  // R-NIC-2 / R-ARS-8: routes from the gateways (route server, ER, VPN) of this VNet's hub.
  const gatewayRows: EffectiveRouteDetail[] = [];
  const gatewayHidden: EffectiveRouteDetail[] = [];
  const g = gatewayRoutes(vnet);
  for (const r of g.routes) {
    const inside = g.servedPrefixes.find((sp) => prefixContains(sp, r.prefix));
    for (const ip of r.nextHops) {
      const d = row('VirtualNetworkGateway', r.prefix, 'VirtualNetworkGateway', [ip], {
        origin: r.origin,
        paths: r.paths,
      });
      if (inside) {
        details.pop();
        gatewayHidden.push({
          ...d,
          hidden: true,
          note: { rule: 'R-ARS-8', reason: `not programmed: inside the VNet address space ${formatPrefix(inside)}` },
        });
      } else if (!propagation) {
        details.pop();
        gatewayHidden.push({
          ...d,
          hidden: true,
          note: {
            rule: 'R-ARS-8',
            reason: `not programmed: route table ${table!.name} disables BGP route propagation`,
          },
        });
      } else gatewayRows.push(d);
    }
  }
  for (const x of g.dropped) {
    for (const ip of x.route.nextHops) {
      const d = row('VirtualNetworkGateway', x.route.prefix, 'VirtualNetworkGateway', [ip], {
        origin: x.route.origin,
        paths: x.route.paths,
      });
      details.pop();
      gatewayHidden.push({ ...d, hidden: true, note: { rule: x.rule, reason: x.reason } });
    }
  }

  // Default route and None ranges (R-NIC-1).
  const internet = row('Default', parsePrefix('0.0.0.0/0')!, 'Internet', []);
  const noneRows = NONE_RANGES[model.systemRouteProfile].map((t) => row('Default', parsePrefix(t)!, 'None', []));

  // R-NIC-3: user routes, last.
  const userRows: EffectiveRouteDetail[] = [];
  for (const r of table?.routes ?? []) {
    const p = parsePrefix(r.addressPrefix, true);
    if (!p) continue;
    const ips = r.nextHopType === 'VirtualAppliance' && r.nextHopIpAddress ? [r.nextHopIpAddress] : [];
    userRows.push(
      row('User', p, r.nextHopType, ips, {
        name: r.name,
        disable: table!.disableBgpRoutePropagation,
        routeTableId: table!.id,
      }),
    );
  }

  // R-NIC-4 selection.
  const invalid = (d: EffectiveRouteDetail, rule: string, reason: string): void => {
    d.route.state = 'Invalid';
    (d as { note?: { rule: string; reason: string } }).note = { rule, reason };
  };
  const removed = new Set<EffectiveRouteDetail>();
  // BGP cannot steer traffic to the VNet or its peers: a gateway route inside those spaces is not effective.
  for (const g of gatewayRows) {
    const sys = systemSpaces.find((sp) => prefixContains(sp, g.prefix));
    if (sys) invalid(g, 'R-NIC-4', `VNet and peering routes win over BGP: inside ${formatPrefix(sys)}`);
  }
  // Same prefix: User > VirtualNetworkGateway > Default.
  for (const u of userRows) {
    for (const other of [...vnetRows, ...peerRows, ...gatewayRows, internet, ...noneRows]) {
      if (prefixEquals(other.prefix, u.prefix) && other.route.state === 'Active') {
        invalid(other, 'R-NIC-4', `user route ${u.route.name} overrides it`);
      }
    }
  }
  for (const g of gatewayRows) {
    if (g.route.state !== 'Active') continue;
    for (const other of [internet, ...noneRows]) {
      if (prefixEquals(other.prefix, g.prefix) && other.route.state === 'Active')
        invalid(other, 'R-NIC-4', 'a BGP route overrides it');
    }
  }
  // A user 0.0.0.0/0 to a virtual appliance removes the None ranges; a BGP 0.0.0.0/0 removes
  // the default Internet route and the None ranges.
  const userDefaultToNva = userRows.some((u) => u.prefix.len === 0 && u.route.nextHopType === 'VirtualAppliance');
  const bgpDefault = gatewayRows.some((g) => g.prefix.len === 0 && g.route.state === 'Active');
  if (userDefaultToNva || bgpDefault) for (const n of noneRows) removed.add(n);
  if (bgpDefault) removed.add(internet);

  const ordered = [...vnetRows, ...peerRows, ...gatewayRows, internet, ...noneRows, ...userRows].filter(
    (d) => !removed.has(d),
  );
  const hidden = [
    ...[...removed].map((d) => ({
      ...d,
      hidden: true,
      note: { rule: 'R-NIC-4', reason: 'removed by a 0.0.0.0/0 route' },
    })),
    ...gatewayHidden,
  ];
  return { value: ordered.map((d) => d.route), details: [...ordered, ...hidden] };
}

/** Network Watcher next hop (R-NIC-5): the Active route with the longest matching prefix. */
export interface NextHopResult {
  nextHopType: string;
  nextHopIpAddress: string;
  routeTableId: string;
}

export function nextHop(
  model: AzureModel,
  nic: NetworkInterface,
  destination: Prefix,
  gatewayRoutes: GatewayRoutesOf,
): NextHopResult {
  const { details } = effectiveRoutes(model, nic, gatewayRoutes);
  let best: EffectiveRouteDetail | undefined;
  for (const d of details) {
    if (d.hidden || d.route.state !== 'Active') continue;
    if (!prefixContains(d.prefix, destination)) continue;
    if (!best || d.prefix.len > best.prefix.len) best = d;
  }
  if (!best) return { nextHopType: 'None', nextHopIpAddress: '', routeTableId: 'System Route' };
  const type =
    best.route.nextHopType === 'VNetPeering' || best.route.nextHopType === 'VNetGlobalPeering'
      ? best.route.nextHopType
      : best.route.nextHopType;
  return {
    nextHopType: type,
    nextHopIpAddress: best.route.nextHopIpAddress[0] ?? '',
    routeTableId: best.route.source === 'User' && best.routeTableId ? best.routeTableId : 'System Route',
  };
}

export { byId };
