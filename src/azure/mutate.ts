/**
 * @module azure/mutate
 * Changes to a model, as ARM PUT/DELETE would make them: each returns a new model (the old
 * one is untouched) or throws the AzureError Azure would answer with. Every change is
 * checked as a whole with validateModel, so a change that breaks a rule is refused.
 */
import { AzureErrors } from './errors.js';
import { idKey, sameName } from './ids.js';
import { byId } from './lookup.js';
import type { AzureModel, NextHopType, Route, RouteTable, VirtualNetworkPeering } from './model.js';
import { assertModelValid } from './validate.js';

function checked(next: AzureModel): AzureModel {
  assertModelValid(next);
  return next;
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
  if (!vnet) throw AzureErrors.invalidParameter('virtualNetwork', `${vnetId} not found`);
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
  if (!vnet) throw AzureErrors.invalidParameter('virtualNetwork', `${vnetId} not found`);
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
