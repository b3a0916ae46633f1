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
import type { AzureModel, NetworkInterface, RouteTable, Subnet, SystemRouteProfile, VirtualNetwork } from './model.js';
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

/**
 * The gateway routes a NIC of a VNet gets, computed by the lab from its speakers
 * (gatewayRoutes.ts); per NIC because each NIC is programmed by one route-server instance
 * (R-ARS-21).
 */
export type GatewayRoutesOf = (vnet: VirtualNetwork, nic?: NetworkInterface) => GatewayRoutes;

export interface EffectiveRoutes {
  readonly value: EffectiveRoute[];
  /** Every candidate with its reason, shown rows first; for `explain`. */
  readonly details: EffectiveRouteDetail[];
}

/** One row of a NIC's table and why (a shown row when `hidden` is unset). */
export function effectiveRow(
  source: RouteSourceName,
  prefix: Prefix,
  nextHopType: EffectiveNextHopType,
  ips: string[],
  extra: Partial<EffectiveRouteDetail> & { name?: string | null; disable?: boolean } = {},
): EffectiveRouteDetail {
  return {
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
}

// ---------------------------------------------------------------------------
// The layers of a NIC's table. Each is a function of a few resources, shared by every NIC
// that has them (src/azure/effectiveRouteLayers keeps them across changes); `compose`
// applies R-NIC-4 across them. Rows are shared between NICs: compose never changes one,
// it copies the few whose state differs for this NIC.

/** R-NIC-1: a VNet's address spaces (VnetLocal), then its Connected peers' (VNetPeering). */
export interface SystemLayer {
  readonly vnetRows: readonly EffectiveRouteDetail[];
  readonly peerRows: readonly EffectiveRouteDetail[];
}

export function systemLayer(model: AzureModel, vnet: VirtualNetwork): SystemLayer {
  const vnetRows = vnet.prefixes.map((p) => effectiveRow('Default', p, 'VnetLocal', []));
  const peerRows: EffectiveRouteDetail[] = [];
  for (const { remote, local } of connectedPeers(model, vnet)) {
    if (!local.allowVirtualNetworkAccess) continue;
    const type: EffectiveNextHopType =
      remote.location.toLowerCase() === vnet.location.toLowerCase() ? 'VNetPeering' : 'VNetGlobalPeering';
    for (const p of remote.prefixes) peerRows.push(effectiveRow('Default', p, type, []));
  }
  return { vnetRows, peerRows };
}

/** R-NIC-3: the user routes of a subnet's route table, with what R-NIC-4 needs of them. */
export interface UserLayer {
  readonly rows: readonly EffectiveRouteDetail[];
  /** A user 0.0.0.0/0 to a virtual appliance removes the None ranges (R-NIC-4). */
  readonly defaultToAppliance: boolean;
  /** Gateway routes reach the subnet (R-ARS-8: the table does not disable propagation). */
  readonly propagation: boolean;
}

export function userLayer(table: RouteTable | undefined): UserLayer {
  const rows: EffectiveRouteDetail[] = [];
  for (const r of table?.routes ?? []) {
    const p = parsePrefix(r.addressPrefix, true);
    if (!p) continue;
    const ips = r.nextHopType === 'VirtualAppliance' && r.nextHopIpAddress ? [r.nextHopIpAddress] : [];
    rows.push(
      effectiveRow('User', p, r.nextHopType, ips, {
        name: r.name,
        disable: table!.disableBgpRoutePropagation,
        routeTableId: table!.id,
      }),
    );
  }
  return {
    rows,
    defaultToAppliance: rows.some((u) => u.prefix.len === 0 && u.route.nextHopType === 'VirtualAppliance'),
    propagation: !(table?.disableBgpRoutePropagation ?? false),
  };
}

/** R-NIC-1: the default route to the Internet and the None ranges of a profile. */
export interface DefaultLayer {
  readonly internet: EffectiveRouteDetail;
  readonly noneRows: readonly EffectiveRouteDetail[];
}

export function defaultLayer(profile: SystemRouteProfile): DefaultLayer {
  return {
    internet: effectiveRow('Default', parsePrefix('0.0.0.0/0')!, 'Internet', []),
    noneRows: NONE_RANGES[profile].map((t) => effectiveRow('Default', parsePrefix(t)!, 'None', [])),
  };
}

/** The gateway rows a NIC may show (R-NIC-2), in order, and where each prefix's rows are. */
export interface GatewaySegment {
  readonly rows: readonly EffectiveRouteDetail[];
  /** rows[i].route, as an array of its own (a NIC's value is made by copying it whole). */
  readonly routes: readonly EffectiveRoute[];
  /** The rows of exactly this prefix (positions in `rows`), if any. */
  positionsOf(prefix: Prefix): readonly number[] | undefined;
  /** Positions of the rows whose prefix has length 0 (a BGP default route, R-NIC-4). */
  readonly defaultPositions: readonly number[];
}

/** A GatewaySegment over rows in hand (a NIC computed alone). */
export function gatewaySegment(rows: readonly EffectiveRouteDetail[]): GatewaySegment {
  const at = new Map<string, number[]>();
  const defaults: number[] = [];
  rows.forEach((d, i) => {
    const k = formatPrefix(d.prefix);
    const l = at.get(k);
    if (l) l.push(i);
    else at.set(k, [i]);
    if (d.prefix.len === 0) defaults.push(i);
  });
  return {
    rows,
    routes: rows.map((d) => d.route),
    positionsOf: (p) => at.get(formatPrefix(p)),
    defaultPositions: defaults,
  };
}

const NO_ROWS: readonly EffectiveRouteDetail[] = Object.freeze([]);
const EMPTY_SEGMENT: GatewaySegment = gatewaySegment(NO_ROWS);

/** What compose needs: the layers of one NIC. */
export interface NicLayers {
  readonly system: SystemLayer;
  readonly gateway: GatewaySegment;
  readonly defaults: DefaultLayer;
  readonly user: UserLayer;
  /**
   * The VNet and peering spaces a gateway row may fall in (R-NIC-4), in row order. All of
   * them will do; a caller may leave out spaces no shown gateway row can be inside (those
   * inside a prefix the hub serves: such routes are not programmed, R-ARS-8).
   */
  readonly systemSpaces: readonly Prefix[];
  /** Gateway candidates not shown, with why (explain only). */
  readonly gatewayHidden?: readonly EffectiveRouteDetail[];
}

/**
 * One NIC's table as parts of its layers (R-NIC-5's row order: VnetLocal and peering rows,
 * gateway rows, the Internet route, the None ranges, user routes last), with the rows whose
 * state R-NIC-4 changes for this NIC replaced by copies. Shared rows are never changed.
 */
export interface ComposedTable {
  readonly system: readonly EffectiveRouteDetail[];
  readonly gateway: GatewaySegment;
  /** Gateway rows replaced for this NIC, by position (none in the common case). */
  readonly gatewayOver: ReadonlyMap<number, EffectiveRouteDetail>;
  readonly defaults: readonly EffectiveRouteDetail[];
  readonly user: readonly EffectiveRouteDetail[];
  /** Default rows removed by a 0.0.0.0/0 route (R-NIC-4), as they stood. */
  readonly removed: readonly EffectiveRouteDetail[];
}

/**
 * R-NIC-4 across the layers of one NIC.
 *
 * @rule R-NIC-4 R-NIC-5
 */
export function composeTable(layers: NicLayers): ComposedTable {
  const { system, gateway, defaults, user } = layers;
  const { vnetRows, peerRows } = system;
  const { internet, noneRows } = defaults;
  const gwRows = gateway.rows;
  // Rows whose state differs for this NIC: a copy, the shared row untouched.
  const over = new Map<EffectiveRouteDetail, EffectiveRouteDetail>();
  const gatewayOver = new Map<number, EffectiveRouteDetail>();
  const current = (d: EffectiveRouteDetail) => over.get(d) ?? d;
  const active = (d: EffectiveRouteDetail) => current(d).route.state === 'Active';
  const invalidated = (d: EffectiveRouteDetail, rule: string, reason: string): EffectiveRouteDetail => {
    const c = current(d);
    const copy = { ...c, route: { ...c.route, state: 'Invalid' as const }, note: { rule, reason } };
    over.set(d, copy);
    return copy;
  };
  const invalidGateway = (i: number, rule: string, reason: string) =>
    gatewayOver.set(i, invalidated(gwRows[i]!, rule, reason));

  // BGP cannot steer traffic to the VNet or its peers: a gateway route inside those spaces is not effective.
  if (layers.systemSpaces.length > 0) {
    gwRows.forEach((g, i) => {
      const sys = layers.systemSpaces.find((sp) => prefixContains(sp, g.prefix));
      if (sys) invalidGateway(i, 'R-NIC-4', `VNet and peering routes win over BGP: inside ${formatPrefix(sys)}`);
    });
  }
  // Same prefix: User > VirtualNetworkGateway > Default.
  for (const u of user.rows) {
    const reason = `user route ${u.route.name} overrides it`;
    for (const other of [...vnetRows, ...peerRows])
      if (prefixEquals(other.prefix, u.prefix) && active(other)) invalidated(other, 'R-NIC-4', reason);
    for (const i of gateway.positionsOf(u.prefix) ?? []) if (active(gwRows[i]!)) invalidGateway(i, 'R-NIC-4', reason);
    for (const other of [internet, ...noneRows])
      if (prefixEquals(other.prefix, u.prefix) && active(other)) invalidated(other, 'R-NIC-4', reason);
  }
  // An active BGP route overrides the default rows of its prefix.
  const bgpActive = (p: Prefix) => (gateway.positionsOf(p) ?? []).some((i) => active(gwRows[i]!));
  for (const other of [internet, ...noneRows]) {
    if (active(other) && bgpActive(other.prefix)) invalidated(other, 'R-NIC-4', 'a BGP route overrides it');
  }
  // A user 0.0.0.0/0 to a virtual appliance removes the None ranges; a BGP 0.0.0.0/0 removes
  // the default Internet route and the None ranges.
  const bgpDefault = gateway.defaultPositions.some((i) => active(gwRows[i]!));
  const removeNone = user.defaultToAppliance || bgpDefault;
  const kept: EffectiveRouteDetail[] = [];
  if (!bgpDefault) kept.push(current(internet));
  if (!removeNone) for (const d of noneRows) kept.push(current(d));
  return {
    system: [...vnetRows, ...peerRows].map(current),
    gateway,
    gatewayOver,
    defaults: kept,
    user: user.rows,
    removed: [...(removeNone ? noneRows : []), ...(bgpDefault ? [internet] : [])].map(current),
  };
}

/** The shown rows of a composed table, in order. */
export function composedDetails(c: ComposedTable): EffectiveRouteDetail[] {
  let gw = c.gateway.rows;
  if (c.gatewayOver.size > 0) {
    const copy = gw.slice();
    for (const [i, d] of c.gatewayOver) copy[i] = d;
    gw = copy;
  }
  return c.system.concat(gw, c.defaults, c.user);
}

/** `show-effective-route-table`'s value of a composed table: its routes copied whole, no rule evaluated. */
export function composedValue(c: ComposedTable): EffectiveRoute[] {
  let gw = c.gateway.routes;
  if (c.gatewayOver.size > 0) {
    const copy = gw.slice();
    for (const [i, d] of c.gatewayOver) copy[i] = d.route;
    gw = copy;
  }
  return c.system
    .map((d) => d.route)
    .concat(
      gw,
      c.defaults.map((d) => d.route),
      c.user.map((d) => d.route),
    );
}

/**
 * R-NIC-4 across the layers of one NIC, and R-NIC-5's row order; shown rows first in
 * `details`, then (with `explain`) the removed and hidden candidates with why.
 *
 * @rule R-NIC-4 R-NIC-5
 */
export function composeEffectiveRoutes(layers: NicLayers, explain: boolean): EffectiveRoutes {
  const c = composeTable(layers);
  const shown = composedDetails(c);
  const value = shown.map((d) => d.route);
  if (!explain) return { value, details: shown };
  const hidden = [
    ...c.removed.map((d) => ({
      ...d,
      hidden: true,
      note: { rule: 'R-NIC-4', reason: 'removed by a 0.0.0.0/0 route' },
    })),
    ...(layers.gatewayHidden ?? []),
  ];
  return { value, details: [...shown, ...hidden] };
}

/**
 * The gateway rows of a VNet's NICs (R-NIC-2, R-ARS-8): one row per next hop of each route,
 * in the routes' order; a route inside a served VNet's address space, or every route when
 * the subnet's table disables propagation, is hidden with why.
 */
export function gatewayRowsOf(
  g: GatewayRoutes,
  table: RouteTable | undefined,
): { shown: EffectiveRouteDetail[]; hidden: EffectiveRouteDetail[] } {
  const propagation = !(table?.disableBgpRoutePropagation ?? false);
  const shown: EffectiveRouteDetail[] = [];
  const hidden: EffectiveRouteDetail[] = [];
  for (const r of g.routes) {
    const inside = g.servedPrefixes.find((sp) => prefixContains(sp, r.prefix));
    for (const ip of r.nextHops) {
      const d = effectiveRow('VirtualNetworkGateway', r.prefix, 'VirtualNetworkGateway', [ip], {
        origin: r.origin,
        paths: r.paths,
      });
      if (inside) {
        hidden.push({
          ...d,
          hidden: true,
          note: { rule: 'R-ARS-8', reason: `not programmed: inside the VNet address space ${formatPrefix(inside)}` },
        });
      } else if (!propagation) {
        hidden.push({
          ...d,
          hidden: true,
          note: {
            rule: 'R-ARS-8',
            reason: `not programmed: route table ${table!.name} disables BGP route propagation`,
          },
        });
      } else shown.push(d);
    }
  }
  for (const x of g.dropped) {
    for (const ip of x.route.nextHops) {
      const d = effectiveRow('VirtualNetworkGateway', x.route.prefix, 'VirtualNetworkGateway', [ip], {
        origin: x.route.origin,
        paths: x.route.paths,
      });
      hidden.push({ ...d, hidden: true, note: { rule: x.rule, reason: x.reason } });
    }
  }
  return { shown, hidden };
}

/** Where a NIC is: its primary IP configuration's subnet and VNet, and the subnet's route table. */
export function nicPlace(
  model: AzureModel,
  nic: NetworkInterface,
): { vnet: VirtualNetwork; subnet: Subnet; table: RouteTable | undefined } | undefined {
  const ipc = primaryIpConfig(nic);
  const where = ipc ? findSubnet(model, ipc.subnet) : undefined;
  if (!ipc || !where) return undefined;
  return { vnet: where.vnet, subnet: where.subnet, table: routeTableOf(model, where.subnet) };
}

/**
 * A NIC's effective routes computed from scratch, with every candidate and why (explain).
 * The lab answers table queries from EffectiveRouteLayers, which keeps the same layers
 * across changes and must agree with this row for row.
 *
 * @rule R-NIC-1 R-NIC-2 R-NIC-3 R-NIC-4 R-NIC-5 R-ARS-8
 */
export function effectiveRoutes(
  model: AzureModel,
  nic: NetworkInterface,
  gatewayRoutes: GatewayRoutesOf,
): EffectiveRoutes {
  const place = nicPlace(model, nic);
  if (!place) return { value: [], details: [] };
  const { vnet, table } = place;
  const system = systemLayer(model, vnet);
  // R-NIC-2 / R-ARS-8: routes from the gateways (route server, ER, VPN) of this VNet's hub.
  const gw = gatewayRowsOf(gatewayRoutes(vnet, nic), table);
  return composeEffectiveRoutes(
    {
      system,
      gateway: gw.shown.length > 0 ? gatewaySegment(gw.shown) : EMPTY_SEGMENT,
      defaults: defaultLayer(model.systemRouteProfile),
      user: userLayer(table),
      systemSpaces: [...system.vnetRows, ...system.peerRows].map((d) => d.prefix),
      gatewayHidden: gw.hidden,
    },
    true,
  );
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
  return nextHopIn(effectiveRoutes(model, nic, gatewayRoutes).details, destination);
}

/** nextHop over a NIC's rows (hidden and Invalid ones are skipped). */
export function nextHopIn(details: readonly EffectiveRouteDetail[], destination: Prefix): NextHopResult {
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
