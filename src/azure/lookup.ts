/**
 * @module azure/lookup
 * Finding resources in a model by name or id, and the relations between them (a NIC's
 * subnet and VNet, a VNet's peerings, the VNets a Route Server serves). Names and ids
 * compare case-insensitively, as in Azure. Every lookup goes through the maps of
 * azure/modelIndex: one hash probe, not a scan of the collection.
 */
import { AzureErrors } from './errors.js';
import { idKey } from './ids.js';
import {
  hasResourceGroup,
  indexedById,
  indexedByName,
  indexedConnectedPeers,
  indexedNicByAddress,
  indexedPeering,
  indexedRouteServerOfVnet,
  indexedSubnet,
  type ConnectedPeer,
} from './modelIndex.js';
import type {
  AzureModel,
  NetworkInterface,
  RouteServer,
  RouteTable,
  Subnet,
  VirtualMachine,
  VirtualNetwork,
  VirtualNetworkPeering,
} from './model.js';

export function byId<T extends { id: string }>(list: readonly T[], id: string | undefined): T | undefined {
  if (!id) return undefined;
  return indexedById(list, id);
}

function byName<T extends { name: string; resourceGroup: string }>(
  list: readonly T[],
  rg: string,
  name: string,
): T | undefined {
  return indexedByName(list, rg, name);
}

function requireGroup(model: AzureModel, rg: string): void {
  if (!hasResourceGroup(model, rg)) throw AzureErrors.resourceGroupNotFound(rg);
}

export function getRouteServer(model: AzureModel, rg: string, name: string): RouteServer {
  requireGroup(model, rg);
  const rs = byName(model.routeServers, rg, name);
  if (!rs) throw AzureErrors.resourceNotFound('Microsoft.Network/virtualHubs', name, rg);
  return rs;
}

export function getNetworkInterface(model: AzureModel, rg: string, name: string): NetworkInterface {
  requireGroup(model, rg);
  const nic = byName(model.networkInterfaces, rg, name);
  if (!nic) throw AzureErrors.resourceNotFound('Microsoft.Network/networkInterfaces', name, rg);
  return nic;
}

export function getVirtualMachine(model: AzureModel, rg: string, name: string): VirtualMachine {
  requireGroup(model, rg);
  const vm = byName(model.virtualMachines, rg, name);
  if (!vm) throw AzureErrors.resourceNotFound('Microsoft.Compute/virtualMachines', name, rg);
  return vm;
}

export function getVirtualNetwork(model: AzureModel, rg: string, name: string): VirtualNetwork {
  requireGroup(model, rg);
  const v = byName(model.virtualNetworks, rg, name);
  if (!v) throw AzureErrors.resourceNotFound('Microsoft.Network/virtualNetworks', name, rg);
  return v;
}

export function findSubnet(
  model: AzureModel,
  subnetId: string,
): { readonly vnet: VirtualNetwork; readonly subnet: Subnet } | undefined {
  return indexedSubnet(model, subnetId);
}

export function routeTableOf(model: AzureModel, subnet: Subnet): RouteTable | undefined {
  return byId(model.routeTables, subnet.routeTable);
}

export function primaryIpConfig(nic: NetworkInterface) {
  return nic.ipConfigurations.find((c) => c.primary) ?? nic.ipConfigurations[0];
}

/** The NIC that owns a private IP address (any of its IP configurations). */
export function nicByAddress(model: AzureModel, ip: string): NetworkInterface | undefined {
  return indexedNicByAddress(model, ip);
}

export function routeServerOfVnet(model: AzureModel, vnet: VirtualNetwork): RouteServer | undefined {
  return indexedRouteServerOfVnet(model, vnet.id);
}

/** The peering object from `from` to `to`, if any. Scans `from`'s peerings (a VNet has a few). */
export function peeringBetween(from: VirtualNetwork, to: VirtualNetwork): VirtualNetworkPeering | undefined {
  const k = idKey(to.id);
  return from.virtualNetworkPeerings.find((p) => idKey(p.remoteVirtualNetwork) === k);
}

export type PeeringState = 'Connected' | 'Initiated' | 'Disconnected';

/** Azure shows "Connected" only when both VNets have a peering to each other. */
export function peeringState(model: AzureModel, from: VirtualNetwork, p: VirtualNetworkPeering): PeeringState {
  const remote = byId(model.virtualNetworks, p.remoteVirtualNetwork);
  if (!remote) return 'Disconnected';
  return indexedPeering(model, remote.id, from.id) ? 'Connected' : 'Initiated';
}

/**
 * VNets connected to `vnet` by a peering in Connected state, with both directions' objects,
 * in the order of `vnet`'s peerings. The list is shared (the model's index): do not change it.
 */
export function connectedPeers(model: AzureModel, vnet: VirtualNetwork): readonly ConnectedPeer[] {
  return indexedConnectedPeers(model, vnet.id);
}

/** R-ARS-8/R-ARS-9: the VNets a Route Server serves: its own and its useRemoteGateways spokes. */
export function vnetsServedBy(model: AzureModel, rs: RouteServer): VirtualNetwork[] {
  const hub = byId(model.virtualNetworks, rs.virtualNetwork);
  if (!hub) return [];
  const out = [hub];
  for (const { remote, local, back } of connectedPeers(model, hub)) {
    if (local.allowGatewayTransit && back.useRemoteGateways) out.push(remote);
  }
  return out;
}
