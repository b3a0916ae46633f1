/**
 * @module azure/mutate
 * Changes to a model, as ARM PUT/DELETE would make them: each returns a new model (the old
 * one is untouched) or throws the AzureError Azure would answer with. Every change is
 * checked as a whole with validateModel, so a change that breaks a rule is refused.
 */
import { formatIpv4, parseIpv4, parsePrefix, prefixContains, v4Prefix, type Ipv4Prefix } from '../bgp/wire/index.js';
import { AzureErrors, type AzureError } from './errors.js';
import { idKey, lastSegment, resourceGroupOf, resourceId, sameName, vmId } from './ids.js';
import { byId, findSubnet } from './lookup.js';
import type {
  AzureModel,
  BgpConnection,
  ExpressRouteCircuit,
  ExpressRouteCircuitPeering,
  GatewayType,
  GlobalReachConnection,
  HubRoutingPreference,
  IpConfiguration,
  LocalNetworkGateway,
  NetworkInterface,
  NextHopType,
  PendingRouteServer,
  Route,
  RouteServer,
  RouteTable,
  Subnet,
  VirtualMachine,
  VirtualNetwork,
  VirtualNetworkGateway,
  VirtualNetworkGatewayConnection,
  VirtualNetworkPeering,
} from './model.js';
import { DEFAULT_GATEWAY_SKU, MIN_SPECIAL_SUBNET_PREFIX, ROUTE_SERVER_ASN } from './constants.js';
import { defaultInstanceAddresses, derivedMseeAddresses, freeMseePeerPair } from './hybridAddresses.js';
import { virtualRouterIps } from './routeServer.js';
import { assertModelValid } from './validate.js';

function checked(next: AzureModel): AzureModel {
  assertModelValid(next);
  return next;
}

/** ParentResourceNotFound for a child of the resource `parentId` (its group and name read from the id). */
function parentNotFoundOf(childType: string, parentId: string): AzureError {
  return AzureErrors.parentNotFound(childType, lastSegment(parentId), resourceGroupOf(parentId) ?? '');
}

export interface VnetPeeringInput {
  readonly name: string;
  readonly remoteVirtualNetwork: string;
  readonly allowVirtualNetworkAccess?: boolean;
  readonly allowForwardedTraffic?: boolean;
  readonly allowGatewayTransit?: boolean;
  readonly useRemoteGateways?: boolean;
}

/** PUT virtualNetworks/{vnet}/virtualNetworkPeerings/{name}: create or replace. */
export function putVnetPeering(model: AzureModel, vnetId: string, p: VnetPeeringInput): AzureModel {
  const vnet = byId(model.virtualNetworks, vnetId);
  if (!vnet) throw parentNotFoundOf('Microsoft.Network/virtualNetworks/virtualNetworkPeerings', vnetId);
  const remote = byId(model.virtualNetworks, p.remoteVirtualNetwork);
  if (!remote)
    throw AzureErrors.invalidResourceReference(p.remoteVirtualNetwork, `${vnetId}/virtualNetworkPeerings/${p.name}`);
  if (idKey(remote.id) === idKey(vnet.id))
    throw AzureErrors.invalidParameter('remoteVirtualNetwork', 'a virtual network cannot be peered with itself');
  const peering: VirtualNetworkPeering = {
    id: `${vnet.id}/virtualNetworkPeerings/${p.name}`,
    name: p.name,
    remoteVirtualNetwork: remote.id,
    allowVirtualNetworkAccess: p.allowVirtualNetworkAccess ?? true,
    allowForwardedTraffic: p.allowForwardedTraffic ?? false,
    allowGatewayTransit: p.allowGatewayTransit ?? false,
    useRemoteGateways: p.useRemoteGateways ?? false,
  };
  const others = vnet.virtualNetworkPeerings.filter((x) => !sameName(x.name, p.name));
  if (others.some((x) => idKey(x.remoteVirtualNetwork) === idKey(remote.id))) {
    throw AzureErrors.invalidParameter(
      'remoteVirtualNetwork',
      `virtual network '${vnet.name}' is already peered with '${remote.name}'`,
    );
  }
  const had = vnet.virtualNetworkPeerings.findIndex((x) => sameName(x.name, p.name));
  const list = [...vnet.virtualNetworkPeerings];
  if (had >= 0) list[had] = peering;
  else list.push(peering);
  return checked({
    ...model,
    virtualNetworks: model.virtualNetworks.map((v) => (v === vnet ? { ...v, virtualNetworkPeerings: list } : v)),
  });
}

/** DELETE virtualNetworks/{vnet}/virtualNetworkPeerings/{name}. */
export function deleteVnetPeering(model: AzureModel, vnetId: string, name: string): AzureModel {
  const vnet = byId(model.virtualNetworks, vnetId);
  if (!vnet) throw parentNotFoundOf('Microsoft.Network/virtualNetworks/virtualNetworkPeerings', vnetId);
  if (!vnet.virtualNetworkPeerings.some((x) => sameName(x.name, name))) {
    throw AzureErrors.resourceNotFound(
      'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
      `${vnet.name}/${name}`,
      vnet.resourceGroup,
    );
  }
  const list = vnet.virtualNetworkPeerings.filter((x) => !sameName(x.name, name));
  return checked({
    ...model,
    virtualNetworks: model.virtualNetworks.map((v) => (v === vnet ? { ...v, virtualNetworkPeerings: list } : v)),
  });
}

/** The route table `name` of resource group `rg` (case-insensitive), or ResourceNotFound. */
export function getRouteTable(model: AzureModel, rg: string, name: string): RouteTable {
  const t = model.routeTables.find((x) => sameName(x.resourceGroup, rg) && sameName(x.name, name));
  if (!t) throw AzureErrors.resourceNotFound('Microsoft.Network/routeTables', name, rg);
  return t;
}

const NEXT_HOP_TYPES: readonly NextHopType[] = [
  'VirtualAppliance',
  'VirtualNetworkGateway',
  'VnetLocal',
  'Internet',
  'None',
];

/**
 * PUT routeTables/{table}/routes/{name}: create or replace a user route (R-NIC-3). The
 * whole model is checked, so a prefix another route of the table has is refused
 * (RouteConflict), as is VirtualAppliance without an address.
 */
export function putRoute(model: AzureModel, rg: string, tableName: string, route: Route): AzureModel {
  const table = getRouteTable(model, rg, tableName);
  if (!NEXT_HOP_TYPES.includes(route.nextHopType)) {
    throw AzureErrors.invalidParameter(
      'nextHopType',
      `'${String(route.nextHopType)}' is not one of ${NEXT_HOP_TYPES.join(', ')}`,
    );
  }
  const had = table.routes.findIndex((r) => sameName(r.name, route.name));
  const routes = [...table.routes];
  if (had >= 0) routes[had] = route;
  else routes.push(route);
  return checked({ ...model, routeTables: model.routeTables.map((t) => (t === table ? { ...t, routes } : t)) });
}

/** DELETE routeTables/{table}/routes/{name}. */
export function deleteRoute(model: AzureModel, rg: string, tableName: string, name: string): AzureModel {
  const table = getRouteTable(model, rg, tableName);
  if (!table.routes.some((r) => sameName(r.name, name)))
    throw AzureErrors.resourceNotFound('Microsoft.Network/routeTables/routes', `${table.name}/${name}`, rg);
  const routes = table.routes.filter((r) => !sameName(r.name, name));
  return checked({ ...model, routeTables: model.routeTables.map((t) => (t === table ? { ...t, routes } : t)) });
}

// ---------------------------------------------------------------------------
// Run-time create, update and delete of the resources a hybrid design is made of (issue 13,
// item 2). Each is what ARM's PUT or DELETE does to the model; the whole result is checked
// by validateModel — the lab file's checks — so a bad body gets the same error, with
// Azure's code, as the same mistake in a lab file.

/** Replaces the item whose id matches (case-insensitively), or appends it. */
function upsert<T extends { readonly id: string }>(list: readonly T[], item: T): T[] {
  const k = idKey(item.id);
  const i = list.findIndex((x) => idKey(x.id) === k);
  if (i < 0) return [...list, item];
  const out = [...list];
  out[i] = item;
  return out;
}

const without = <T extends { readonly id: string }>(list: readonly T[], id: string): T[] =>
  list.filter((x) => idKey(x.id) !== idKey(id));

function groupOf(model: AzureModel, rg: string): { readonly name: string; readonly location: string } {
  const g = model.resourceGroups.find((x) => sameName(x.name, rg));
  if (!g) throw AzureErrors.resourceGroupNotFound(rg);
  return g;
}

/** PUT subscriptions/{sub}/resourcegroups/{rg}: create, or keep (a group's location cannot change). */
export function putResourceGroup(model: AzureModel, name: string, location: string): AzureModel {
  const had = model.resourceGroups.find((g) => sameName(g.name, name));
  if (had) {
    if (had.location !== location)
      throw AzureErrors.invalidParameter(
        'location',
        `resource group '${had.name}' is in ${had.location}; a resource group's location cannot be changed`,
      );
    return model;
  }
  return { ...model, resourceGroups: [...model.resourceGroups, { name, location }] };
}

/**
 * DELETE subscriptions/{sub}/resourcegroups/{rg}: the group and everything in it, as ARM
 * does (its resources deleted in dependency order; a reference from another group's
 * resource fails the whole delete, here as the check of the rest).
 */
export function deleteResourceGroup(model: AzureModel, name: string): AzureModel {
  groupOf(model, name);
  const out = <T extends { readonly resourceGroup: string }>(l: readonly T[]) =>
    l.filter((x) => !sameName(x.resourceGroup, name));
  return checked({
    ...model,
    resourceGroups: model.resourceGroups.filter((g) => !sameName(g.name, name)),
    virtualNetworks: out(model.virtualNetworks),
    routeTables: out(model.routeTables),
    networkInterfaces: out(model.networkInterfaces),
    virtualMachines: out(model.virtualMachines),
    routeServers: out(model.routeServers),
    ...(model.pendingRouteServers ? { pendingRouteServers: out(model.pendingRouteServers) } : {}),
    virtualNetworkGateways: out(model.virtualNetworkGateways),
    localNetworkGateways: out(model.localNetworkGateways),
    connections: out(model.connections),
    expressRouteCircuits: out(model.expressRouteCircuits),
  });
}

function prefixOf(field: string, text: string): Ipv4Prefix {
  const p = parsePrefix(text);
  if (p?.afi !== 1)
    throw AzureErrors.invalidParameter(
      field,
      `'${text}' is not a valid IPv4 prefix (InvalidCIDRNotation: host bits must be zero)`,
    );
  return p as Ipv4Prefix;
}

export interface SubnetInput {
  readonly name: string;
  readonly addressPrefix: string;
  /** Route table id, if associated. */
  readonly routeTable?: string;
  readonly networkSecurityGroup?: string;
}

function subnetOf(vnetId: string, s: SubnetInput): Subnet {
  return {
    id: `${vnetId}/subnets/${s.name}`,
    name: s.name,
    addressPrefix: s.addressPrefix,
    prefix: prefixOf('addressPrefix', s.addressPrefix),
    ...(s.routeTable ? { routeTable: s.routeTable } : {}),
    ...(s.networkSecurityGroup ? { networkSecurityGroup: s.networkSecurityGroup } : {}),
  };
}

export interface VirtualNetworkInput {
  readonly location?: string;
  readonly addressPrefixes: readonly string[];
  /** The VNet's subnets as the body lists them: ARM's PUT replaces the list. */
  readonly subnets: readonly SubnetInput[];
}

/** Who uses a subnet (a NIC, a route server, a gateway), for InUseSubnetCannotBeDeleted. */
function subnetUser(model: AzureModel, subnetId: string): string | undefined {
  const k = idKey(subnetId);
  const nic = model.networkInterfaces.find((n) => n.ipConfigurations.some((c) => idKey(c.subnet) === k));
  if (nic) return `network interface ${nic.name}`;
  const rs = model.routeServers.find((r) => idKey(r.subnet) === k);
  if (rs) return `route server ${rs.name}`;
  const gw = model.virtualNetworkGateways.find((g) => idKey(g.subnet) === k);
  return gw ? `virtual network gateway ${gw.name}` : undefined;
}

/**
 * PUT virtualNetworks/{vnet}: create or replace. The subnets in the body replace the VNet's
 * (ARM's semantics; az and the SDK send the ones to keep); one in use that the body drops
 * is refused (InUseSubnetCannotBeDeleted). Peerings are child resources: kept as they are.
 */
export function putVirtualNetwork(model: AzureModel, rg: string, name: string, v: VirtualNetworkInput): AzureModel {
  const g = groupOf(model, rg);
  const id = resourceId(model.subscriptionId, g.name, 'virtualNetworks', name);
  const before = byId(model.virtualNetworks, id);
  const vid = before?.id ?? id;
  if (v.addressPrefixes.length === 0)
    throw AzureErrors.invalidParameter(
      'addressSpace.addressPrefixes',
      'a virtual network needs at least one address prefix',
    );
  const subnets = v.subnets.map((s) => subnetOf(vid, s));
  for (const old of before?.subnets ?? []) {
    if (subnets.some((s) => sameName(s.name, old.name))) continue;
    const by = subnetUser(model, old.id);
    if (by) throw AzureErrors.inUseSubnetCannotBeDeleted(old.name, by);
  }
  const vnet: VirtualNetwork = {
    id: vid,
    name: before?.name ?? name,
    resourceGroup: g.name,
    location: v.location ?? before?.location ?? g.location,
    addressPrefixes: [...v.addressPrefixes],
    prefixes: v.addressPrefixes.map((p) => prefixOf('addressSpace.addressPrefixes', p)),
    subnets,
    virtualNetworkPeerings: before?.virtualNetworkPeerings ?? [],
  };
  return checked({ ...model, virtualNetworks: upsert(model.virtualNetworks, vnet) });
}

/** DELETE virtualNetworks/{vnet}: refused while a subnet is in use or another VNet peers with it. */
export function deleteVirtualNetwork(model: AzureModel, vnetId: string): AzureModel {
  const vnet = byId(model.virtualNetworks, vnetId);
  if (!vnet) return model;
  for (const s of vnet.subnets) {
    const by = subnetUser(model, s.id);
    if (by) throw AzureErrors.inUseVirtualNetworkCannotBeDeleted(vnet.name, by);
  }
  // ARM deletes the VNet's own peerings with it; the remote side's peering is left
  // Disconnected, which a lab cannot hold (a peering needs its remote VNet): refused.
  const k = idKey(vnet.id);
  const peer = model.virtualNetworks.find((x) =>
    x.virtualNetworkPeerings.some((p) => idKey(p.remoteVirtualNetwork) === k),
  );
  if (peer)
    throw AzureErrors.invalidParameter(
      'virtualNetwork',
      `virtual network '${vnet.name}' is peered from '${peer.name}': delete that peering first (ARSLab keeps no Disconnected peerings)`,
    );
  return checked({ ...model, virtualNetworks: without(model.virtualNetworks, vnet.id) });
}

/** PUT virtualNetworks/{vnet}/subnets/{name}: create or replace one subnet (route table association). */
export function putSubnet(model: AzureModel, vnetId: string, s: SubnetInput): AzureModel {
  const vnet = byId(model.virtualNetworks, vnetId);
  if (!vnet) throw parentNotFoundOf('Microsoft.Network/virtualNetworks/subnets', vnetId);
  const i = vnet.subnets.findIndex((x) => sameName(x.name, s.name));
  const subnet = subnetOf(vnet.id, { ...s, name: i >= 0 ? vnet.subnets[i]!.name : s.name });
  const subnets = [...vnet.subnets];
  if (i >= 0) subnets[i] = subnet;
  else subnets.push(subnet);
  return checked({
    ...model,
    virtualNetworks: model.virtualNetworks.map((v) => (v === vnet ? { ...v, subnets } : v)),
  });
}

/** DELETE virtualNetworks/{vnet}/subnets/{name}: refused while a NIC, route server or gateway uses it. */
export function deleteSubnet(model: AzureModel, vnetId: string, name: string): AzureModel {
  const vnet = byId(model.virtualNetworks, vnetId);
  const subnet = vnet?.subnets.find((x) => sameName(x.name, name));
  if (!vnet || !subnet) return model;
  const by = subnetUser(model, subnet.id);
  if (by) throw AzureErrors.inUseSubnetCannotBeDeleted(subnet.name, by);
  return checked({
    ...model,
    virtualNetworks: model.virtualNetworks.map((v) =>
      v === vnet ? { ...v, subnets: v.subnets.filter((x) => x !== subnet) } : v,
    ),
  });
}

export interface RouteTableInput {
  readonly location?: string;
  readonly disableBgpRoutePropagation?: boolean;
  /** The routes as the body lists them: ARM's PUT replaces the list. */
  readonly routes: readonly Route[];
}

/** PUT routeTables/{table}: create or replace, its routes with it (R-NIC-3). */
export function putRouteTable(model: AzureModel, rg: string, name: string, t: RouteTableInput): AzureModel {
  const g = groupOf(model, rg);
  const id = resourceId(model.subscriptionId, g.name, 'routeTables', name);
  const before = byId(model.routeTables, id);
  for (const r of t.routes) {
    if (!NEXT_HOP_TYPES.includes(r.nextHopType))
      throw AzureErrors.invalidParameter(
        'nextHopType',
        `'${String(r.nextHopType)}' is not one of ${NEXT_HOP_TYPES.join(', ')}`,
      );
  }
  const table: RouteTable = {
    id: before?.id ?? id,
    name: before?.name ?? name,
    resourceGroup: g.name,
    location: t.location ?? before?.location ?? g.location,
    disableBgpRoutePropagation: t.disableBgpRoutePropagation ?? false,
    routes: [...t.routes],
  };
  return checked({ ...model, routeTables: upsert(model.routeTables, table) });
}

/** DELETE routeTables/{table}: refused while a subnet is associated with it. */
export function deleteRouteTable(model: AzureModel, tableId: string): AzureModel {
  const t = byId(model.routeTables, tableId);
  if (!t) return model;
  const k = idKey(t.id);
  for (const v of model.virtualNetworks)
    for (const s of v.subnets)
      if (s.routeTable && idKey(s.routeTable) === k)
        throw AzureErrors.inUseRouteTableCannotBeDeleted(t.name, `${v.name}/${s.name}`);
  return checked({ ...model, routeTables: without(model.routeTables, t.id) });
}

export interface VirtualHubInput {
  readonly location?: string;
  readonly allowBranchToBranchTraffic?: boolean;
  readonly hubRoutingPreference?: HubRoutingPreference;
}

/**
 * PUT virtualHubs/{hub} (a route server's first request): a new hub waits for its IP
 * configuration (PendingRouteServer); an existing one takes the new settings.
 */
export function putVirtualHub(model: AzureModel, rg: string, name: string, h: VirtualHubInput): AzureModel {
  const g = groupOf(model, rg);
  const id = resourceId(model.subscriptionId, g.name, 'virtualHubs', name);
  const settings = (before?: { allowBranchToBranchTraffic: boolean; hubRoutingPreference: HubRoutingPreference }) => ({
    allowBranchToBranchTraffic: h.allowBranchToBranchTraffic ?? before?.allowBranchToBranchTraffic ?? false,
    hubRoutingPreference: h.hubRoutingPreference ?? before?.hubRoutingPreference ?? 'ExpressRoute',
  });
  const rs = byId(model.routeServers, id);
  if (rs) return checked({ ...model, routeServers: upsert(model.routeServers, { ...rs, ...settings(rs) }) });
  const pending = model.pendingRouteServers ?? [];
  const was = byId(pending, id);
  const hub: PendingRouteServer = {
    id: was?.id ?? id,
    name: was?.name ?? name,
    resourceGroup: g.name,
    location: h.location ?? was?.location ?? g.location,
    ...settings(was),
  };
  return { ...model, pendingRouteServers: upsert(pending, hub) };
}

/**
 * PUT virtualHubs/{hub}/ipConfigurations/{name} with the RouteServerSubnet: the hub becomes
 * a route server, its two instances on the subnet's 4th and 5th addresses (R-ARS-1). The
 * subnet's rules (its name, size, no route table: R-ARS-2) are validateModel's.
 */
export function putVirtualHubIpConfiguration(model: AzureModel, hubId: string, subnetId: string): AzureModel {
  const existing = byId(model.routeServers, hubId);
  if (existing) {
    if (idKey(existing.subnet) !== idKey(subnetId))
      throw AzureErrors.invalidParameter(
        'subnet',
        `route server '${existing.name}' is already in subnet ${existing.subnet}; its subnet cannot change`,
      );
    return model;
  }
  const hub = byId(model.pendingRouteServers ?? [], hubId);
  if (!hub) throw parentNotFoundOf('Microsoft.Network/virtualHubs/ipConfigurations', hubId);
  const w = findSubnet(model, subnetId);
  if (!w) throw AzureErrors.invalidResourceReference(subnetId, `${hub.id}/ipConfigurations`);
  const rs: RouteServer = {
    id: hub.id,
    name: hub.name,
    resourceGroup: hub.resourceGroup,
    location: hub.location,
    subnet: w.subnet.id,
    virtualNetwork: w.vnet.id,
    virtualRouterAsn: ROUTE_SERVER_ASN,
    virtualRouterIps: virtualRouterIps(w.subnet.prefix),
    allowBranchToBranchTraffic: hub.allowBranchToBranchTraffic,
    hubRoutingPreference: hub.hubRoutingPreference,
    bgpConnections: [],
  };
  return checked({
    ...model,
    routeServers: [...model.routeServers, rs],
    pendingRouteServers: without(model.pendingRouteServers ?? [], hub.id),
  });
}

/** DELETE virtualHubs/{hub}: the route server (its instances stop) or a hub still pending. */
export function deleteVirtualHub(model: AzureModel, hubId: string): AzureModel {
  return checked({
    ...model,
    routeServers: without(model.routeServers, hubId),
    ...(model.pendingRouteServers ? { pendingRouteServers: without(model.pendingRouteServers, hubId) } : {}),
  });
}

/** PUT virtualHubs/{hub}/bgpConnections/{name}: a peering (R-ARS-3); peerAsn and peerIp as validateModel checks them. */
export function putBgpConnection(
  model: AzureModel,
  hubId: string,
  c: { readonly name: string; readonly peerIp: string; readonly peerAsn: number },
): AzureModel {
  const rs = byId(model.routeServers, hubId);
  if (!rs)
    throw byId(model.pendingRouteServers ?? [], hubId)
      ? AzureErrors.invalidParameter(
          'virtualHub',
          `${hubId} has no IP configuration yet: put its ipConfigurations first`,
        )
      : parentNotFoundOf('Microsoft.Network/virtualHubs/bgpConnections', hubId);
  const i = rs.bgpConnections.findIndex((x) => sameName(x.name, c.name));
  const name = i >= 0 ? rs.bgpConnections[i]!.name : c.name;
  const conn: BgpConnection = { id: `${rs.id}/bgpConnections/${name}`, name, peerIp: c.peerIp, peerAsn: c.peerAsn };
  const list = [...rs.bgpConnections];
  if (i >= 0) list[i] = conn;
  else list.push(conn);
  return checked({ ...model, routeServers: upsert(model.routeServers, { ...rs, bgpConnections: list }) });
}

/** DELETE virtualHubs/{hub}/bgpConnections/{name}: the peering's sessions close. */
export function deleteBgpConnection(model: AzureModel, hubId: string, name: string): AzureModel {
  const rs = byId(model.routeServers, hubId);
  if (!rs) return model;
  const list = rs.bgpConnections.filter((x) => !sameName(x.name, name));
  return checked({ ...model, routeServers: upsert(model.routeServers, { ...rs, bgpConnections: list }) });
}

export interface NetworkInterfaceInput {
  readonly location?: string;
  readonly enableIPForwarding?: boolean;
  readonly ipConfigurations: readonly {
    readonly name: string;
    readonly subnet: string;
    /** Absent: Azure's dynamic allocation, the subnet's lowest free address. */
    readonly privateIPAddress?: string;
    readonly primary?: boolean;
  }[];
}

/** The lowest free address of a subnet (Azure reserves the first four and the last). */
function lowestFreeAddress(model: AzureModel, subnetId: string, except: string): string | undefined {
  const w = findSubnet(model, subnetId);
  if (w?.subnet.prefix.afi !== 1) return undefined;
  const taken = new Set<string>();
  for (const n of model.networkInterfaces)
    if (idKey(n.id) !== idKey(except)) for (const c of n.ipConfigurations) taken.add(c.privateIPAddress);
  const p = w.subnet.prefix as Ipv4Prefix;
  const size = 2 ** (32 - p.len);
  for (let offset = 4; offset < size - 1; offset++) {
    const a = formatIpv4((p.addr + offset) >>> 0);
    if (!taken.has(a)) return a;
  }
  return undefined;
}

/** PUT networkInterfaces/{nic}: create or replace (IP forwarding, IP configurations); its VM stays. */
export function putNetworkInterface(model: AzureModel, rg: string, name: string, n: NetworkInterfaceInput): AzureModel {
  const g = groupOf(model, rg);
  const id = resourceId(model.subscriptionId, g.name, 'networkInterfaces', name);
  const before = byId(model.networkInterfaces, id);
  if (n.ipConfigurations.length === 0)
    throw AzureErrors.invalidParameter('ipConfigurations', 'a network interface needs at least one IP configuration');
  const configs: IpConfiguration[] = n.ipConfigurations.map((c, i) => {
    const address =
      c.privateIPAddress ??
      before?.ipConfigurations.find((x) => sameName(x.name, c.name) && idKey(x.subnet) === idKey(c.subnet))
        ?.privateIPAddress ??
      lowestFreeAddress(model, c.subnet, id);
    if (address === undefined)
      throw findSubnet(model, c.subnet)
        ? AzureErrors.invalidParameter('privateIPAddress', `subnet ${c.subnet} has no free address left`)
        : AzureErrors.invalidResourceReference(c.subnet, id);
    if (c.privateIPAddress !== undefined && parseIpv4(c.privateIPAddress) === undefined)
      throw AzureErrors.invalidParameter('privateIPAddress', `'${c.privateIPAddress}' is not an IPv4 address`);
    return {
      name: c.name,
      privateIPAddress: address,
      subnet: findSubnet(model, c.subnet)?.subnet.id ?? c.subnet,
      primary: c.primary ?? i === 0,
    };
  });
  const nic: NetworkInterface = {
    id: before?.id ?? id,
    name: before?.name ?? name,
    resourceGroup: g.name,
    location: n.location ?? before?.location ?? g.location,
    enableIPForwarding: n.enableIPForwarding ?? false,
    ipConfigurations: configs,
    ...(before?.virtualMachine ? { virtualMachine: before.virtualMachine } : {}),
  };
  return checked({ ...model, networkInterfaces: upsert(model.networkInterfaces, nic) });
}

/** DELETE networkInterfaces/{nic}: refused while a VM has it (NicInUse). */
export function deleteNetworkInterface(model: AzureModel, nicId: string): AzureModel {
  const nic = byId(model.networkInterfaces, nicId);
  if (!nic) return model;
  if (nic.virtualMachine) throw AzureErrors.nicInUse(nic.name, nic.virtualMachine);
  return checked({ ...model, networkInterfaces: without(model.networkInterfaces, nic.id) });
}

/**
 * PUT Microsoft.Compute/virtualMachines/{vm}: as far as routing needs a VM — its NICs
 * (networkProfile.networkInterfaces, primary first), which must exist, in its region and
 * not be another VM's.
 */
export function putVirtualMachine(
  model: AzureModel,
  rg: string,
  name: string,
  v: { readonly location?: string; readonly networkInterfaces: readonly string[] },
): AzureModel {
  const g = groupOf(model, rg);
  const id = vmId(model.subscriptionId, g.name, name);
  const before = byId(model.virtualMachines, id);
  const vid = before?.id ?? id;
  const location = v.location ?? before?.location ?? g.location;
  if (v.networkInterfaces.length === 0)
    throw AzureErrors.invalidParameter(
      'networkProfile.networkInterfaces',
      'a virtual machine needs a network interface',
    );
  const nics = v.networkInterfaces.map((nicId) => {
    const nic = byId(model.networkInterfaces, nicId);
    if (!nic) throw AzureErrors.invalidResourceReference(nicId, vid);
    if (nic.virtualMachine && idKey(nic.virtualMachine) !== idKey(vid))
      throw AzureErrors.nicInUse(nic.name, nic.virtualMachine);
    if (nic.location !== location)
      throw AzureErrors.locationMismatch(
        `virtual machine '${name}'`,
        location,
        `network interface '${nic.name}'`,
        nic.location,
      );
    return nic;
  });
  const vm: VirtualMachine = {
    id: vid,
    name: before?.name ?? name,
    resourceGroup: g.name,
    location,
    networkInterfaces: nics.map((n) => n.id),
  };
  const mine = new Set(nics.map((n) => idKey(n.id)));
  return checked({
    ...model,
    virtualMachines: upsert(model.virtualMachines, vm),
    networkInterfaces: model.networkInterfaces.map((n) => {
      if (mine.has(idKey(n.id))) return { ...n, virtualMachine: vid };
      // A NIC the VM had and the body dropped is detached.
      if (n.virtualMachine && idKey(n.virtualMachine) === idKey(vid)) {
        const { virtualMachine: _, ...rest } = n;
        return rest;
      }
      return n;
    }),
  });
}

/** DELETE virtualMachines/{vm}: the VM; its NICs stay, detached (ARM's default deleteOption Detach). */
export function deleteVirtualMachine(model: AzureModel, id: string): AzureModel {
  const vm = byId(model.virtualMachines, id);
  if (!vm) return model;
  const k = idKey(vm.id);
  return checked({
    ...model,
    virtualMachines: without(model.virtualMachines, vm.id),
    networkInterfaces: model.networkInterfaces.map((n) => {
      if (!n.virtualMachine || idKey(n.virtualMachine) !== k) return n;
      const { virtualMachine: _, ...rest } = n;
      return rest;
    }),
  });
}

// ---------------------------------------------------------------------------
// Hybrid connectivity at run time: virtual network gateways, local network gateways,
// connections, circuits, their private peering and Global Reach (issue 13, item 2). The
// values the lab file lets the loader derive (instance, MSEE and MSEE peer addresses) are
// derived by the same functions (azure/hybridAddresses), so a design built through ARM
// equals the same design loaded from a file.

export interface VirtualNetworkGatewayInput {
  readonly location?: string;
  readonly gatewayType: GatewayType;
  readonly sku?: string;
  /** VPN only: an ExpressRoute gateway always runs two active instances (R-ER-3). */
  readonly activeActive?: boolean;
  /** GatewaySubnet id (ARM: ipConfigurations[].properties.subnet.id). */
  readonly subnet: string;
  readonly enableBgp?: boolean;
  /** bgpSettings.asn; 65515 by default (R-ER-3, R-VPN-1). */
  readonly asn?: number;
  /** bgpSettings.bgpPeeringAddresses[i].customBgpIpAddresses: VPN APIPA addresses, instance order. */
  readonly customBgpIpAddresses?: readonly string[];
}

const GATEWAY_TYPES: readonly GatewayType[] = ['ExpressRoute', 'Vpn'];

/**
 * PUT virtualNetworkGateways/{gw}: create or update. Its type and subnet cannot change (ARM
 * refuses both); its instances take the subnet's default addresses, as the loader gives them.
 */
export function putVirtualNetworkGateway(
  model: AzureModel,
  rg: string,
  name: string,
  v: VirtualNetworkGatewayInput,
): AzureModel {
  const g = groupOf(model, rg);
  const id = resourceId(model.subscriptionId, g.name, 'virtualNetworkGateways', name);
  const before = byId(model.virtualNetworkGateways, id);
  const type = GATEWAY_TYPES.find((t) => sameName(t, v.gatewayType));
  if (!type)
    throw AzureErrors.invalidParameter('gatewayType', `'${v.gatewayType}' is not one of ${GATEWAY_TYPES.join(', ')}`);
  const w = findSubnet(model, v.subnet);
  if (!w) throw AzureErrors.invalidResourceReference(v.subnet, id);
  if (before && before.gatewayType !== type)
    throw AzureErrors.invalidParameter(
      'gatewayType',
      `gateway '${before.name}' is ${before.gatewayType}; its type cannot change`,
    );
  if (before && idKey(before.subnet) !== idKey(w.subnet.id))
    throw AzureErrors.invalidParameter(
      'ipConfigurations',
      `gateway '${before.name}' is in ${before.subnet}; its subnet cannot change`,
    );
  const location = v.location ?? before?.location ?? g.location;
  if (location !== w.vnet.location)
    throw AzureErrors.locationMismatch(
      `virtual network gateway '${name}'`,
      location,
      `virtual network '${w.vnet.name}'`,
      w.vnet.location,
    );
  const isEr = type === 'ExpressRoute';
  const instanceAddresses = before?.instanceAddresses ?? defaultInstanceAddresses(type, w.subnet.prefix);
  const gw: VirtualNetworkGateway = {
    id: before?.id ?? id,
    name: before?.name ?? name,
    resourceGroup: g.name,
    location,
    gatewayType: type,
    sku: v.sku ?? DEFAULT_GATEWAY_SKU[type],
    activeActive: isEr || (v.activeActive ?? false),
    virtualNetwork: w.vnet.id,
    subnet: w.subnet.id,
    enableBgp: v.enableBgp ?? isEr,
    asn: v.asn ?? ROUTE_SERVER_ASN,
    instanceAddresses: [instanceAddresses[0], instanceAddresses[1]],
    // Public IPs are placeholders (ADR 0034): the next hop of VPN routes is the instances'.
    publicIpAddresses: before?.publicIpAddresses ?? [],
    customBgpIpAddresses: [...(v.customBgpIpAddresses ?? [])],
  };
  return checked({ ...model, virtualNetworkGateways: upsert(model.virtualNetworkGateways, gw) });
}

/** The first connection naming `id` in `key` (a gateway, site or circuit in use). */
function connectionUsing(
  model: AzureModel,
  key: 'virtualNetworkGateway1' | 'localNetworkGateway2' | 'peer',
  id: string,
): VirtualNetworkGatewayConnection | undefined {
  return model.connections.find((c) => c[key] !== undefined && idKey(c[key]) === idKey(id));
}

/** DELETE virtualNetworkGateways/{gw}: refused while a connection uses it; its instances stop. */
export function deleteVirtualNetworkGateway(model: AzureModel, gatewayId: string): AzureModel {
  const gw = byId(model.virtualNetworkGateways, gatewayId);
  if (!gw) return model;
  const c = connectionUsing(model, 'virtualNetworkGateway1', gw.id);
  if (c) throw AzureErrors.virtualNetworkGatewayInUse(gw.name, c.name);
  return checked({ ...model, virtualNetworkGateways: without(model.virtualNetworkGateways, gw.id) });
}

export interface LocalNetworkGatewayInput {
  readonly location?: string;
  readonly gatewayIpAddress: string;
  /** localNetworkAddressSpace.addressPrefixes. */
  readonly addressPrefixes: readonly string[];
  readonly bgpSettings?: { readonly asn: number; readonly bgpPeeringAddress: string };
}

/** PUT localNetworkGateways/{lng}: create or replace a VPN site (its prefixes are static routes without BGP, R-VPN-4). */
export function putLocalNetworkGateway(
  model: AzureModel,
  rg: string,
  name: string,
  l: LocalNetworkGatewayInput,
): AzureModel {
  const g = groupOf(model, rg);
  const id = resourceId(model.subscriptionId, g.name, 'localNetworkGateways', name);
  const before = byId(model.localNetworkGateways, id);
  if (parseIpv4(l.gatewayIpAddress) === undefined)
    throw AzureErrors.invalidParameter('gatewayIpAddress', `'${l.gatewayIpAddress}' is not an IPv4 address`);
  l.addressPrefixes.forEach((p, i) => prefixOf(`localNetworkAddressSpace.addressPrefixes[${i}]`, p));
  if (l.bgpSettings && parseIpv4(l.bgpSettings.bgpPeeringAddress) === undefined)
    throw AzureErrors.invalidParameter(
      'bgpSettings.bgpPeeringAddress',
      `'${l.bgpSettings.bgpPeeringAddress}' is not an IPv4 address`,
    );
  const lng: LocalNetworkGateway = {
    id: before?.id ?? id,
    name: before?.name ?? name,
    resourceGroup: g.name,
    location: l.location ?? before?.location ?? g.location,
    gatewayIpAddress: l.gatewayIpAddress,
    addressPrefixes: [...l.addressPrefixes],
    ...(l.bgpSettings ? { bgpSettings: { ...l.bgpSettings } } : {}),
  };
  return checked({ ...model, localNetworkGateways: upsert(model.localNetworkGateways, lng) });
}

/** DELETE localNetworkGateways/{lng}: refused while a connection uses it. */
export function deleteLocalNetworkGateway(model: AzureModel, lngId: string): AzureModel {
  const lng = byId(model.localNetworkGateways, lngId);
  if (!lng) return model;
  const c = connectionUsing(model, 'localNetworkGateway2', lng.id);
  if (c) throw AzureErrors.localNetworkGatewayInUse(lng.name, c.name);
  return checked({ ...model, localNetworkGateways: without(model.localNetworkGateways, lng.id) });
}

export interface ConnectionInput {
  readonly location?: string;
  readonly connectionType: string;
  readonly virtualNetworkGateway1: string;
  /** ExpressRoute: the circuit id. */
  readonly peer?: string;
  /** IPsec: the local network gateway id. */
  readonly localNetworkGateway2?: string;
  readonly routingWeight?: number;
  readonly enableBgp?: boolean;
}

const CONNECTION_TYPES = ['ExpressRoute', 'IPsec'] as const;

/** A referenced resource's own id when it exists; the id as given otherwise (validateModel names it). */
const canonical = (list: readonly { readonly id: string }[], id: string): string => byId(list, id)?.id ?? id;

/**
 * PUT connections/{name}: a gateway to a circuit (ExpressRoute) or to a VPN site (IPsec), its
 * routingWeight (R-ER-3) and enableBgp. An ExpressRoute connection's MSEE peer addresses are
 * the first free pair of GatewaySubnet, as the loader allocates them.
 */
export function putConnection(model: AzureModel, rg: string, name: string, c: ConnectionInput): AzureModel {
  const g = groupOf(model, rg);
  const id = resourceId(model.subscriptionId, g.name, 'connections', name);
  const before = byId(model.connections, id);
  const type = CONNECTION_TYPES.find((t) => sameName(t, c.connectionType));
  if (!type)
    throw AzureErrors.invalidParameter(
      'connectionType',
      `'${c.connectionType}' is not one of ${CONNECTION_TYPES.join(', ')} (ARSLab models no Vnet2Vnet or VPNClient connection)`,
    );
  const gw = byId(model.virtualNetworkGateways, c.virtualNetworkGateway1);
  const location = c.location ?? before?.location ?? g.location;
  if (gw && location !== gw.location)
    throw AzureErrors.locationMismatch(`connection '${name}'`, location, `its gateway '${gw.name}'`, gw.location);
  const isEr = type === 'ExpressRoute';
  const peer = c.peer !== undefined ? canonical(model.expressRouteCircuits, c.peer) : undefined;
  const site =
    c.localNetworkGateway2 !== undefined ? canonical(model.localNetworkGateways, c.localNetworkGateway2) : undefined;
  const kept =
    before?.mseePeerAddresses &&
    gw &&
    idKey(before.virtualNetworkGateway1) === idKey(gw.id) &&
    idKey(before.peer ?? '') === idKey(peer ?? '')
      ? before.mseePeerAddresses
      : undefined;
  const mseePeerAddresses =
    kept ?? (isEr && gw?.gatewayType === 'ExpressRoute' ? mseePeerPairFor(model, gw, id) : undefined);
  const conn: VirtualNetworkGatewayConnection = {
    id: before?.id ?? id,
    name: before?.name ?? name,
    resourceGroup: g.name,
    location,
    connectionType: type,
    virtualNetworkGateway1: gw?.id ?? c.virtualNetworkGateway1,
    ...(peer !== undefined ? { peer } : {}),
    ...(site !== undefined ? { localNetworkGateway2: site } : {}),
    routingWeight: c.routingWeight ?? 0,
    enableBgp: c.enableBgp ?? isEr,
    ...(mseePeerAddresses ? { mseePeerAddresses } : {}),
  };
  return checked({ ...model, connections: upsert(model.connections, conn) });
}

/** The next free MSEE peer pair of a gateway's subnet (connection `except` left out of the taken ones). */
function mseePeerPairFor(
  model: AzureModel,
  gw: VirtualNetworkGateway,
  except: string,
): readonly [string, string] | undefined {
  const w = findSubnet(model, gw.subnet);
  if (!w) return undefined;
  const k = idKey(w.subnet.id);
  const taken = new Set<string>();
  for (const x of model.virtualNetworkGateways)
    if (idKey(x.subnet) === k) for (const a of x.instanceAddresses) taken.add(a);
  for (const n of model.networkInterfaces)
    for (const ipc of n.ipConfigurations) if (idKey(ipc.subnet) === k) taken.add(ipc.privateIPAddress);
  for (const x of model.connections) {
    if (idKey(x.id) === idKey(except) || !x.mseePeerAddresses) continue;
    const xg = byId(model.virtualNetworkGateways, x.virtualNetworkGateway1);
    if (xg && idKey(xg.subnet) === k) for (const a of x.mseePeerAddresses) taken.add(a);
  }
  const pair = freeMseePeerPair(w.subnet.prefix, taken);
  if (!pair && w.subnet.prefix.len <= MIN_SPECIAL_SUBNET_PREFIX)
    throw AzureErrors.invalidParameter(
      'virtualNetworkGateway1',
      `GatewaySubnet ${w.subnet.addressPrefix} has no two free addresses left for the MSEE peer addresses of this connection`,
    );
  return pair;
}

/** DELETE connections/{name}: its sessions close (the MSEEs' or the tunnels'), its routes go. */
export function deleteConnection(model: AzureModel, connectionId: string): AzureModel {
  const c = byId(model.connections, connectionId);
  if (!c) return model;
  return checked({ ...model, connections: without(model.connections, c.id) });
}

export interface CircuitPeeringInput {
  readonly peerASN: number;
  readonly primaryPeerAddressPrefix: string;
  readonly secondaryPeerAddressPrefix: string;
  readonly vlanId: number;
}

export interface ExpressRouteCircuitInput {
  readonly location?: string;
  readonly serviceProviderName: string;
  readonly peeringLocation: string;
  readonly bandwidthInMbps: number;
  readonly skuTier?: string;
  /** Inline peerings (ARM's PUT replaces them when given; absent: kept). */
  readonly peerings?: readonly ({ readonly name: string } & CircuitPeeringInput)[];
}

const SKU_TIERS = ['Standard', 'Premium', 'Local'] as const;

/** Only the private peering routes VNets (R-ER-1); Microsoft peering carries no VNet routes. */
function privatePeering(name: string, p: CircuitPeeringInput): ExpressRouteCircuitPeering {
  if (!sameName(name, 'AzurePrivatePeering'))
    throw AzureErrors.invalidParameter(
      'peeringType',
      `'${name}': ARSLab models AzurePrivatePeering only (the peering that connects VNets, R-ER-1)`,
    );
  return {
    name: 'AzurePrivatePeering',
    peerASN: p.peerASN,
    primaryPeerAddressPrefix: p.primaryPeerAddressPrefix,
    secondaryPeerAddressPrefix: p.secondaryPeerAddressPrefix,
    vlanId: p.vlanId,
  };
}

/**
 * PUT expressRouteCircuits/{circuit}: create or update (provider, location, bandwidth, SKU
 * tier). A new circuit's MSEE addresses are derived from its name clear of the VNets and the
 * other circuits (R-ER-4), as the loader derives them; its Global Reach connections stay.
 */
export function putExpressRouteCircuit(
  model: AzureModel,
  rg: string,
  name: string,
  c: ExpressRouteCircuitInput,
): AzureModel {
  const g = groupOf(model, rg);
  const id = resourceId(model.subscriptionId, g.name, 'expressRouteCircuits', name);
  const before = byId(model.expressRouteCircuits, id);
  const tier = c.skuTier === undefined ? 'Standard' : SKU_TIERS.find((t) => sameName(t, c.skuTier!));
  if (!tier) throw AzureErrors.invalidParameter('sku.tier', `'${c.skuTier}' is not one of ${SKU_TIERS.join(', ')}`);
  if (!Number.isInteger(c.bandwidthInMbps) || c.bandwidthInMbps <= 0)
    throw AzureErrors.invalidParameter(
      'serviceProviderProperties.bandwidthInMbps',
      `${c.bandwidthInMbps} is not a bandwidth in Mbps`,
    );
  const used = new Set(
    model.expressRouteCircuits.filter((x) => idKey(x.id) !== idKey(id)).flatMap((x) => x.mseeAddresses),
  );
  const vnetPrefixes = model.virtualNetworks.flatMap((v) => v.prefixes);
  const mseeAddresses =
    before?.mseeAddresses ??
    derivedMseeAddresses(
      name,
      (a) => used.has(formatIpv4(a)) || vnetPrefixes.some((p) => prefixContains(p, v4Prefix(a, 32))),
    );
  const peerings = c.peerings ? c.peerings.map((p) => privatePeering(p.name, p)) : (before?.peerings ?? []);
  const circuit: ExpressRouteCircuit = {
    id: before?.id ?? id,
    name: before?.name ?? name,
    resourceGroup: g.name,
    location: c.location ?? before?.location ?? g.location,
    serviceProviderName: c.serviceProviderName,
    peeringLocation: c.peeringLocation,
    bandwidthInMbps: c.bandwidthInMbps,
    skuTier: tier,
    peerings,
    mseeAddresses: [mseeAddresses[0], mseeAddresses[1]],
    globalReachConnections: peerings.length > 0 ? (before?.globalReachConnections ?? []) : [],
  };
  return checked({ ...model, expressRouteCircuits: upsert(model.expressRouteCircuits, circuit) });
}

/** DELETE expressRouteCircuits/{circuit}: refused while a connection uses it. */
export function deleteExpressRouteCircuit(model: AzureModel, circuitId: string): AzureModel {
  const c = byId(model.expressRouteCircuits, circuitId);
  if (!c) return model;
  const conn = connectionUsing(model, 'peer', c.id);
  if (conn) throw AzureErrors.expressRouteCircuitInUse(c.name, conn.name);
  return checked({ ...model, expressRouteCircuits: without(model.expressRouteCircuits, c.id) });
}

function circuitOf(model: AzureModel, circuitId: string, childType: string): ExpressRouteCircuit {
  const c = byId(model.expressRouteCircuits, circuitId);
  if (!c) throw parentNotFoundOf(childType, circuitId);
  return c;
}

const withCircuit = (model: AzureModel, c: ExpressRouteCircuit): AzureModel =>
  checked({ ...model, expressRouteCircuits: upsert(model.expressRouteCircuits, c) });

/** PUT expressRouteCircuits/{circuit}/peerings/AzurePrivatePeering: the two links' /30s, the customer's ASN, the VLAN (R-ER-1). */
export function putCircuitPeering(
  model: AzureModel,
  circuitId: string,
  name: string,
  p: CircuitPeeringInput,
): AzureModel {
  const c = circuitOf(model, circuitId, 'Microsoft.Network/expressRouteCircuits/peerings');
  const peering = privatePeering(name, p);
  return withCircuit(model, { ...c, peerings: [...c.peerings.filter((x) => x.name !== peering.name), peering] });
}

/** DELETE …/peerings/{name}: refused (by the model check) while a connection uses the circuit; its Global Reach goes with it. */
export function deleteCircuitPeering(model: AzureModel, circuitId: string, name: string): AzureModel {
  const c = byId(model.expressRouteCircuits, circuitId);
  if (!c?.peerings.some((x) => sameName(x.name, name))) return model;
  return withCircuit(model, {
    ...c,
    peerings: c.peerings.filter((x) => !sameName(x.name, name)),
    globalReachConnections: [],
  });
}

/**
 * PUT …/peerings/AzurePrivatePeering/connections/{name}: Global Reach (R-ER-6) between this
 * circuit's private peering and another's (`peerCircuit`), over a /29 (`addressPrefix`).
 * The checks are validateModel's, as for the same link in a lab file.
 */
export function putGlobalReachConnection(
  model: AzureModel,
  circuitId: string,
  peeringName: string,
  name: string,
  gr: { readonly peerCircuit: string; readonly addressPrefix: string },
): AzureModel {
  const type = 'Microsoft.Network/expressRouteCircuits/peerings/connections';
  const c = circuitOf(model, circuitId, type);
  if (!sameName(peeringName, 'AzurePrivatePeering') || !c.peerings.some((x) => x.name === 'AzurePrivatePeering'))
    throw AzureErrors.parentNotFound(type, `${c.name}/${peeringName}`, c.resourceGroup);
  const i = c.globalReachConnections.findIndex((x) => sameName(x.name, name));
  const link: GlobalReachConnection = {
    name: i >= 0 ? c.globalReachConnections[i]!.name : name,
    peerCircuit: canonical(model.expressRouteCircuits, gr.peerCircuit),
    addressPrefix: gr.addressPrefix,
  };
  const list = [...c.globalReachConnections];
  if (i >= 0) list[i] = link;
  else list.push(link);
  return withCircuit(model, { ...c, globalReachConnections: list });
}

/** DELETE …/peerings/AzurePrivatePeering/connections/{name}: the MSEEs' Global Reach sessions close. */
export function deleteGlobalReachConnection(model: AzureModel, circuitId: string, name: string): AzureModel {
  const c = byId(model.expressRouteCircuits, circuitId);
  if (!c?.globalReachConnections.some((x) => sameName(x.name, name))) return model;
  return withCircuit(model, {
    ...c,
    globalReachConnections: c.globalReachConnections.filter((x) => !sameName(x.name, name)),
  });
}
