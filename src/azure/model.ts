/**
 * @module azure/model
 * The Azure resources ARSLab models, with Azure's property names, as plain immutable
 * data. A model is built from a lab file (src/lab/topology) or changed by API calls;
 * every rule in src/azure is a pure function of a model and its inputs.
 */
import type { Prefix } from '../bgp/wire/index.js';

export type NextHopType = 'VirtualAppliance' | 'VirtualNetworkGateway' | 'VnetLocal' | 'Internet' | 'None';

export type HubRoutingPreference = 'ExpressRoute' | 'VpnGateway' | 'ASPath';

/** Which list of default system routes to show (R-NIC-1). */
export type SystemRouteProfile = 'current' | 'seed-2021';

export interface Route {
  readonly name: string;
  readonly addressPrefix: string;
  readonly nextHopType: NextHopType;
  readonly nextHopIpAddress?: string;
}

export interface RouteTable {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly disableBgpRoutePropagation: boolean;
  readonly routes: readonly Route[];
}

export interface Subnet {
  readonly id: string;
  readonly name: string;
  readonly addressPrefix: string;
  readonly prefix: Prefix;
  /** Route table id, if associated. */
  readonly routeTable?: string;
  /** NSG id, if associated (only checked: ARSLab does not filter traffic). */
  readonly networkSecurityGroup?: string;
}

export interface VirtualNetworkPeering {
  readonly id: string;
  readonly name: string;
  /** id of the remote VNet. */
  readonly remoteVirtualNetwork: string;
  readonly allowVirtualNetworkAccess: boolean;
  readonly allowForwardedTraffic: boolean;
  readonly allowGatewayTransit: boolean;
  readonly useRemoteGateways: boolean;
}

export interface VirtualNetwork {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly addressPrefixes: readonly string[];
  readonly prefixes: readonly Prefix[];
  readonly subnets: readonly Subnet[];
  readonly virtualNetworkPeerings: readonly VirtualNetworkPeering[];
}

export interface IpConfiguration {
  readonly name: string;
  readonly privateIPAddress: string;
  /** Subnet id. */
  readonly subnet: string;
  readonly primary: boolean;
}

export interface NetworkInterface {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly enableIPForwarding: boolean;
  readonly ipConfigurations: readonly IpConfiguration[];
  /** The VM it is attached to (id), if any. */
  readonly virtualMachine?: string;
}

export interface VirtualMachine {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  /** NIC ids, primary first. */
  readonly networkInterfaces: readonly string[];
}

/** Route Server peering (ARM: virtualHubs/bgpConnections). */
export interface BgpConnection {
  readonly id: string;
  readonly name: string;
  readonly peerIp: string;
  readonly peerAsn: number;
}

/** Azure Route Server (ARM: Microsoft.Network/virtualHubs, kind RouteServer). */
export interface RouteServer {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  /** RouteServerSubnet id. */
  readonly subnet: string;
  /** Id of the VNet it lives in. */
  readonly virtualNetwork: string;
  /** R-ARS-1: always 65515. */
  readonly virtualRouterAsn: number;
  /** R-ARS-1: the 4th and 5th addresses of the subnet: IN_0, IN_1. */
  readonly virtualRouterIps: readonly [string, string];
  readonly allowBranchToBranchTraffic: boolean;
  readonly hubRoutingPreference: HubRoutingPreference;
  readonly publicIpAddress?: string;
  readonly bgpConnections: readonly BgpConnection[];
}

export interface RouteServerSettings {
  /** R-ARS-5: routes a peer may advertise (held + one UPDATE); 4,000 since late 2025, 1,000 before. */
  readonly maxRoutesPerPeer: number;
  /** R-ARS-5: total routes an instance holds. */
  readonly maxRoutesTotal: number;
  /** R-ARS-7: ECMP width cap (Azure documents none; 4 observed; ARSLab default 8). */
  readonly maxEcmpPaths: number;
  /** R-ARS-4: hold time and keepalive offered (seconds). */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  /** R-ARS-3: most peerings per Route Server. */
  readonly maxPeerings: number;
}

export const DEFAULT_ROUTE_SERVER_SETTINGS: RouteServerSettings = Object.freeze({
  maxRoutesPerPeer: 4000,
  maxRoutesTotal: 10000,
  maxEcmpPaths: 8,
  holdTime: 180,
  keepaliveTime: 60,
  maxPeerings: 8,
});

export interface AzureModel {
  readonly subscriptionId: string;
  readonly systemRouteProfile: SystemRouteProfile;
  readonly routeServerSettings: RouteServerSettings;
  /** Resource group name → location. */
  readonly resourceGroups: readonly { readonly name: string; readonly location: string }[];
  readonly virtualNetworks: readonly VirtualNetwork[];
  readonly routeTables: readonly RouteTable[];
  readonly networkInterfaces: readonly NetworkInterface[];
  readonly virtualMachines: readonly VirtualMachine[];
  readonly routeServers: readonly RouteServer[];
}
