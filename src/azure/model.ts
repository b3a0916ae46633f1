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

/**
 * A virtual hub of kind RouteServer that has no IP configuration yet: ARM creates a route
 * server in two requests (PUT virtualHubs, then PUT virtualHubs/{hub}/ipConfigurations/{name}
 * with the RouteServerSubnet), and between them the hub exists without a subnet, addresses
 * or instances. It becomes a RouteServer when its IP configuration is put.
 */
export interface PendingRouteServer {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly allowBranchToBranchTraffic: boolean;
  readonly hubRoutingPreference: HubRoutingPreference;
}

// ---------------------------------------------------------------------------
// Hybrid connectivity (azure-routing.md §2, §3)

/** ExpressRoute private peering of a circuit (R-ER-1): two links, each a /30. */
export interface ExpressRouteCircuitPeering {
  readonly name: 'AzurePrivatePeering';
  /** The customer's (or provider's) ASN on the links. */
  readonly peerASN: number;
  /** /30 of the primary link: first host the customer edge, second the MSEE (R-ER-1). */
  readonly primaryPeerAddressPrefix: string;
  readonly secondaryPeerAddressPrefix: string;
  readonly vlanId: number;
}

/** Global Reach (R-ER-6): this circuit's private peering linked to another circuit's. */
export interface GlobalReachConnection {
  readonly name: string;
  /** Id of the other circuit. */
  readonly peerCircuit: string;
  /** /29 for the link between the two circuits' MSEEs. */
  readonly addressPrefix: string;
}

export interface ExpressRouteCircuit {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly serviceProviderName: string;
  readonly peeringLocation: string;
  readonly bandwidthInMbps: number;
  readonly skuTier: 'Standard' | 'Premium' | 'Local';
  readonly peerings: readonly ExpressRouteCircuitPeering[];
  /**
   * Where the circuit's routes point in NIC effective routes (R-ER-4): the MSEE-side
   * addresses of the primary and secondary link, outside every VNet (seed 001: 10.2.146.35).
   */
  readonly mseeAddresses: readonly [string, string];
  readonly globalReachConnections: readonly GlobalReachConnection[];
}

export type GatewayType = 'ExpressRoute' | 'Vpn';

/** Virtual network gateway (ARM: virtualNetworkGateways) in the VNet's GatewaySubnet. */
export interface VirtualNetworkGateway {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly gatewayType: GatewayType;
  readonly sku: string;
  /** VPN: two instances both carrying tunnels (R-VPN-1); ER gateways always run two instances. */
  readonly activeActive: boolean;
  readonly virtualNetwork: string;
  /** GatewaySubnet id. */
  readonly subnet: string;
  /** VPN: BGP enabled on the gateway. */
  readonly enableBgp: boolean;
  /** R-ER-3, R-VPN-1: 65515 by default. */
  readonly asn: number;
  /**
   * The private addresses of the two instances (BGP identifiers and next hops; seed 001's
   * ER gateway: 10.1.3.12 and 10.1.3.13). Active-standby VPN gateways use the first only.
   */
  readonly instanceAddresses: readonly [string, string];
  /** VPN: the public IPs tunnels end on (active-standby next hop in NICs, R-VPN-1). */
  readonly publicIpAddresses: readonly string[];
  /** VPN: the APIPA BGP addresses of each instance (169.254.21.0–169.254.22.255). */
  readonly customBgpIpAddresses: readonly string[];
}

/** Local network gateway: the on-premises (or other cloud) side of a VPN. */
export interface LocalNetworkGateway {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly gatewayIpAddress: string;
  readonly addressPrefixes: readonly string[];
  /** BGP over the tunnel: the device's ASN and BGP address (R-VPN-1). */
  readonly bgpSettings?: { readonly asn: number; readonly bgpPeeringAddress: string };
}

/** Connection (ARM: connections) of a gateway to a circuit or a local network gateway. */
export interface VirtualNetworkGatewayConnection {
  readonly id: string;
  readonly name: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly connectionType: 'ExpressRoute' | 'IPsec';
  readonly virtualNetworkGateway1: string;
  /** ExpressRoute: the circuit id. */
  readonly peer?: string;
  /** IPsec: the local network gateway id. */
  readonly localNetworkGateway2?: string;
  /** R-ER-3: compared before AS-path length when several circuits offer a prefix. */
  readonly routingWeight: number;
  readonly enableBgp: boolean;
  /**
   * ExpressRoute: the addresses at which the gateway instances see the circuit's primary and
   * secondary MSEE (seed 001: 10.1.3.4 and 10.1.3.5 of GatewaySubnet).
   */
  readonly mseePeerAddresses?: readonly [string, string];
  /**
   * IPsec: the BGP address each gateway instance uses on this connection (ARM
   * gatewayCustomBgpIpAddresses, one per instance's IP configuration), instance order.
   */
  readonly gatewayCustomBgpIpAddresses?: readonly string[];
  /**
   * IPsec, ARSLab's: the gateway instances whose tunnels this connection brings up (absent:
   * all). Another cloud's VPN connection ends its tunnels on one customer gateway address.
   */
  readonly gatewayInstances?: readonly (0 | 1)[];
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
  /**
   * R-ARS-22: the lowest hold time the route server accepts from an NVA; 0 (default): any,
   * the lower one is used and the lab says so. Above 0, an NVA asking for less is refused
   * (OPEN Message Error / Unacceptable Hold Time, RFC 4271 §6.2).
   */
  readonly minHoldTime: number;
  /** R-ARS-3: most peerings per Route Server. */
  readonly maxPeerings: number;
}

export const DEFAULT_ROUTE_SERVER_SETTINGS: RouteServerSettings = Object.freeze({
  maxRoutesPerPeer: 4000,
  maxRoutesTotal: 10000,
  maxEcmpPaths: 8,
  holdTime: 180,
  keepaliveTime: 60,
  minHoldTime: 0,
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
  /** Route servers created through the ARM API whose IP configuration is not put yet. */
  readonly pendingRouteServers?: readonly PendingRouteServer[];
  readonly virtualNetworkGateways: readonly VirtualNetworkGateway[];
  readonly localNetworkGateways: readonly LocalNetworkGateway[];
  readonly connections: readonly VirtualNetworkGatewayConnection[];
  readonly expressRouteCircuits: readonly ExpressRouteCircuit[];
}
