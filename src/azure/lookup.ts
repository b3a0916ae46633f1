/**
 * @module azure/lookup
 * Finding resources in a model by name or id, and the relations between them (a NIC's
 * subnet and VNet, a VNet's peerings, the VNets a Route Server serves). Names and
 * ids compare case-insensitively, as in Azure.
 */
import { AzureErrors } from './errors.js';
import { idKey, sameName } from './ids.js';
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
  const k = idKey(id);
  return list.find((x) => idKey(x.id) === k);
}

function byName<T extends { name: string; resourceGroup: string }>(
  list: readonly T[],
  rg: string,
  name: string,
): T | undefined {
  return list.find((x) => sameName(x.resourceGroup, rg) && sameName(x.name, name));
}

function requireGroup(model: AzureModel, rg: string): void {
  if (!model.resourceGroups.some((g) => sameName(g.name, rg))) throw AzureErrors.resourceGroupNotFound(rg);
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

export function findSubnet(model: AzureModel, subnetId: string): { vnet: VirtualNetwork; subnet: Subnet } | undefined {
  const k = idKey(subnetId);
  for (const vnet of model.virtualNetworks) {
    const subnet = vnet.subnets.find((s) => idKey(s.id) === k);
    if (subnet) return { vnet, subnet };
  }
  return undefined;
}

export function routeTableOf(model: AzureModel, subnet: Subnet): RouteTable | undefined {
  return byId(model.routeTables, subnet.routeTable);
}

export function primaryIpConfig(nic: NetworkInterface) {
  return nic.ipConfigurations.find((c) => c.primary) ?? nic.ipConfigurations[0];
}

/** The NIC that owns a private IP address (any of its IP configurations). */
export function nicByAddress(model: AzureModel, ip: string): NetworkInterface | undefined {
  return model.networkInterfaces.find((n) => n.ipConfigurations.some((c) => c.privateIPAddress === ip));
}

export function routeServerOfVnet(model: AzureModel, vnet: VirtualNetwork): RouteServer | undefined {
  return model.routeServers.find((rs) => idKey(rs.virtualNetwork) === idKey(vnet.id));
}

/** The peering object from `from` to `to`, if any. */
export function peeringBetween(from: VirtualNetwork, to: VirtualNetwork): VirtualNetworkPeering | undefined {
  return from.virtualNetworkPeerings.find((p) => idKey(p.remoteVirtualNetwork) === idKey(to.id));
}

export type PeeringState = 'Connected' | 'Initiated' | 'Disconnected';

/** Azure shows "Connected" only when both VNets have a peering to each other. */
export function peeringState(model: AzureModel, from: VirtualNetwork, p: VirtualNetworkPeering): PeeringState {
  const remote = byId(model.virtualNetworks, p.remoteVirtualNetwork);
  if (!remote) return 'Disconnected';
  return peeringBetween(remote, from) ? 'Connected' : 'Initiated';
}

/** VNets connected to `vnet` by a peering in Connected state, with both directions' objects. */
export function connectedPeers(
  model: AzureModel,
  vnet: VirtualNetwork,
): { remote: VirtualNetwork; local: VirtualNetworkPeering; back: VirtualNetworkPeering }[] {
  const out = [];
  for (const local of vnet.virtualNetworkPeerings) {
    const remote = byId(model.virtualNetworks, local.remoteVirtualNetwork);
    if (!remote) continue;
    const back = peeringBetween(remote, vnet);
    if (back) out.push({ remote, local, back });
  }
  return out;
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
