/**
 * @module api/arm
 * The Azure model rendered as Azure Resource Manager JSON (resource envelope with
 * `properties`), as the REST API returns it. The CLI flattens it the way az does.
 */
import { createHash } from 'node:crypto';
import {
  byId,
  lastSegment,
  peeringState,
  type AzureModel,
  type BgpConnection,
  type NetworkInterface,
  type Route,
  type RouteTable,
  type RouteServer,
  type Subnet,
  type VirtualMachine,
  type VirtualNetwork,
  type VirtualNetworkPeering,
} from '../azure/index.js';

/** A stable weak ETag per resource (Azure's are opaque; stable is enough). */
export function etag(id: string): string {
  const h = createHash('sha1').update(id.toLowerCase()).digest('hex');
  return `W/"${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}"`;
}

export function routeServerJson(rs: RouteServer): Record<string, unknown> {
  return {
    name: rs.name,
    id: rs.id,
    etag: etag(rs.id),
    type: 'Microsoft.Network/virtualHubs',
    location: rs.location,
    kind: 'RouteServer',
    properties: {
      provisioningState: 'Succeeded',
      virtualRouterAsn: rs.virtualRouterAsn,
      virtualRouterIps: [...rs.virtualRouterIps],
      allowBranchToBranchTraffic: rs.allowBranchToBranchTraffic,
      hubRoutingPreference: rs.hubRoutingPreference,
      routingState: 'Provisioned',
      sku: 'Standard',
      virtualRouterAutoScaleConfiguration: { minCapacity: 2 },
      routeTable: { routes: [] },
      ipConfigurations: [{ id: `${rs.id}/ipConfigurations/ipconfig1` }],
    },
  };
}

export function bgpConnectionJson(
  _rs: RouteServer,
  c: BgpConnection,
  connectionState?: string,
): Record<string, unknown> {
  return {
    name: c.name,
    id: c.id,
    etag: etag(c.id),
    type: 'Microsoft.Network/virtualHubs/bgpConnections',
    properties: {
      peerAsn: c.peerAsn,
      peerIp: c.peerIp,
      provisioningState: 'Succeeded',
      ...(connectionState ? { connectionState } : {}),
    },
  };
}

export function nicJson(nic: NetworkInterface): Record<string, unknown> {
  return {
    name: nic.name,
    id: nic.id,
    etag: etag(nic.id),
    type: 'Microsoft.Network/networkInterfaces',
    location: nic.location,
    properties: {
      provisioningState: 'Succeeded',
      enableIPForwarding: nic.enableIPForwarding,
      enableAcceleratedNetworking: false,
      ipConfigurations: nic.ipConfigurations.map((c) => ({
        name: c.name,
        id: `${nic.id}/ipConfigurations/${c.name}`,
        type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
        properties: {
          primary: c.primary,
          privateIPAddress: c.privateIPAddress,
          privateIPAddressVersion: 'IPv4',
          privateIPAllocationMethod: 'Static',
          provisioningState: 'Succeeded',
          subnet: { id: c.subnet },
        },
      })),
      ...(nic.virtualMachine ? { virtualMachine: { id: nic.virtualMachine } } : {}),
    },
  };
}

export function vmJson(vm: VirtualMachine): Record<string, unknown> {
  return {
    name: vm.name,
    id: vm.id,
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    properties: {
      provisioningState: 'Succeeded',
      networkProfile: {
        networkInterfaces: vm.networkInterfaces.map((id, i) => ({ id, properties: { primary: i === 0 } })),
      },
    },
  };
}

export function vnetJson(model: AzureModel, vnet: VirtualNetwork): Record<string, unknown> {
  return {
    name: vnet.name,
    id: vnet.id,
    etag: etag(vnet.id),
    type: 'Microsoft.Network/virtualNetworks',
    location: vnet.location,
    properties: {
      provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: [...vnet.addressPrefixes] },
      subnets: vnet.subnets.map((s) => subnetJson(model, s)),
      virtualNetworkPeerings: vnet.virtualNetworkPeerings.map((p) => vnetPeeringJson(model, vnet, p)),
      enableDdosProtection: false,
    },
  };
}

/** A subnet of a VNet (ARM: virtualNetworks/subnets), with the NIC ip configurations in it. */
export function subnetJson(model: AzureModel, s: Subnet): Record<string, unknown> {
  return {
    name: s.name,
    id: s.id,
    etag: etag(s.id),
    type: 'Microsoft.Network/virtualNetworks/subnets',
    properties: {
      addressPrefix: s.addressPrefix,
      provisioningState: 'Succeeded',
      ...(s.routeTable ? { routeTable: { id: s.routeTable } } : {}),
      ...(s.networkSecurityGroup ? { networkSecurityGroup: { id: s.networkSecurityGroup } } : {}),
      ipConfigurations: model.networkInterfaces.flatMap((n) =>
        n.ipConfigurations
          .filter((c) => c.subnet.toLowerCase() === s.id.toLowerCase())
          .map((c) => ({ id: `${n.id}/ipConfigurations/${c.name}` })),
      ),
    },
  };
}

/** A VNet peering (ARM: virtualNetworks/virtualNetworkPeerings), its state read from both sides. */
export function vnetPeeringJson(
  model: AzureModel,
  vnet: VirtualNetwork,
  p: VirtualNetworkPeering,
): Record<string, unknown> {
  const remote = byId(model.virtualNetworks, p.remoteVirtualNetwork);
  return {
    name: p.name,
    id: p.id,
    etag: etag(p.id),
    type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
    properties: {
      peeringState: peeringState(model, vnet, p),
      peeringSyncLevel: 'FullyInSync',
      remoteVirtualNetwork: { id: p.remoteVirtualNetwork },
      remoteAddressSpace: { addressPrefixes: remote ? [...remote.addressPrefixes] : [] },
      allowVirtualNetworkAccess: p.allowVirtualNetworkAccess,
      allowForwardedTraffic: p.allowForwardedTraffic,
      allowGatewayTransit: p.allowGatewayTransit,
      useRemoteGateways: p.useRemoteGateways,
      provisioningState: 'Succeeded',
    },
  };
}

/** A route table (ARM: routeTables) with its routes and the subnets associated with it. */
export function routeTableJson(model: AzureModel, t: RouteTable): Record<string, unknown> {
  const subnets = model.virtualNetworks.flatMap((v) =>
    v.subnets.filter((s) => s.routeTable?.toLowerCase() === t.id.toLowerCase()).map((s) => ({ id: s.id })),
  );
  return {
    name: t.name,
    id: t.id,
    etag: etag(t.id),
    type: 'Microsoft.Network/routeTables',
    location: t.location,
    properties: {
      provisioningState: 'Succeeded',
      disableBgpRoutePropagation: t.disableBgpRoutePropagation,
      routes: t.routes.map((r) => routeJson(t, r)),
      subnets,
    },
  };
}

export { lastSegment };

/** A route of a route table (ARM: routeTables/routes), as `az network route-table route show` gets it. */
export function routeJson(table: RouteTable, r: Route): Record<string, unknown> {
  const id = `${table.id}/routes/${r.name}`;
  return {
    name: r.name,
    id,
    etag: etag(id),
    type: 'Microsoft.Network/routeTables/routes',
    properties: {
      provisioningState: 'Succeeded',
      addressPrefix: r.addressPrefix,
      nextHopType: r.nextHopType,
      ...(r.nextHopIpAddress ? { nextHopIpAddress: r.nextHopIpAddress } : {}),
      hasBgpOverride: false,
    },
  };
}
