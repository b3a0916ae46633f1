/**
 * Builds Azure models in code for unit tests (the lab-file loader is tested on its own).
 * Ids follow src/azure/ids.ts; names and relations are what the tests say.
 */
import { parsePrefix } from '../../src/bgp/wire/index.js';
import {
  DEFAULT_ROUTE_SERVER_SETTINGS,
  DEFAULT_SUBSCRIPTION,
  resourceId,
  virtualRouterIps,
  vmId,
  type AzureModel,
  type HubRoutingPreference,
  type Route,
  type RouteServerSettings,
  type SystemRouteProfile,
  type VirtualNetwork,
} from '../../src/azure/index.js';

const S = DEFAULT_SUBSCRIPTION;

export interface VnetInit {
  rg?: string;
  name: string;
  location?: string;
  prefixes: string[];
  subnets: { name: string; prefix: string; routeTable?: string }[];
  peerings?: {
    name: string;
    remote: string;
    allowGatewayTransit?: boolean;
    useRemoteGateways?: boolean;
    allowVirtualNetworkAccess?: boolean;
  }[];
}

export interface ModelInit {
  profile?: SystemRouteProfile;
  settings?: Partial<RouteServerSettings>;
  vnets: VnetInit[];
  routeTables?: { rg?: string; name: string; disableBgpRoutePropagation?: boolean; routes?: Route[] }[];
  vms?: { rg?: string; name: string; vnet: string; subnet: string; ip: string; vnetRg?: string }[];
  routeServers?: {
    rg?: string;
    name: string;
    vnet: string;
    allowBranchToBranchTraffic?: boolean;
    hubRoutingPreference?: HubRoutingPreference;
    peerings: { name: string; peerIp: string; peerAsn: number }[];
  }[];
  gateways?: {
    name: string;
    vnet: string;
    type: 'ExpressRoute' | 'Vpn';
    instances: [string, string];
    activeActive?: boolean;
    asn?: number;
    publicIps?: string[];
    apipa?: string[];
  }[];
  circuits?: {
    name: string;
    location: string;
    peerASN: number;
    primary: string;
    secondary: string;
    msee: [string, string];
    globalReach?: { name: string; peer: string; prefix: string }[];
    /** Default Standard (R-ER-2: Premium raises the on-premises prefix limit to 10,000). */
    skuTier?: 'Standard' | 'Premium';
  }[];
  connections?: {
    name: string;
    gateway: string;
    circuit?: string;
    lng?: string;
    routingWeight?: number;
    msee?: [string, string];
  }[];
  localNetworkGateways?: { name: string; ip: string; prefixes: string[]; asn: number; bgp: string }[];
}

export function buildModel(init: ModelInit): AzureModel {
  const rg = (x?: string) => x ?? 'rg';
  const vnets: VirtualNetwork[] = init.vnets.map((v) => {
    const id = resourceId(S, rg(v.rg), 'virtualNetworks', v.name);
    return {
      id,
      name: v.name,
      resourceGroup: rg(v.rg),
      location: v.location ?? 'westeurope',
      addressPrefixes: v.prefixes,
      prefixes: v.prefixes.map((p) => parsePrefix(p)!),
      subnets: v.subnets.map((s) => ({
        id: `${id}/subnets/${s.name}`,
        name: s.name,
        addressPrefix: s.prefix,
        prefix: parsePrefix(s.prefix)!,
        ...(s.routeTable ? { routeTable: resourceId(S, rg(v.rg), 'routeTables', s.routeTable) } : {}),
      })),
      virtualNetworkPeerings: (v.peerings ?? []).map((p) => ({
        id: `${id}/virtualNetworkPeerings/${p.name}`,
        name: p.name,
        remoteVirtualNetwork: resourceId(S, rg(v.rg), 'virtualNetworks', p.remote),
        allowVirtualNetworkAccess: p.allowVirtualNetworkAccess ?? true,
        allowForwardedTraffic: false,
        allowGatewayTransit: p.allowGatewayTransit ?? false,
        useRemoteGateways: p.useRemoteGateways ?? false,
      })),
    };
  });
  const vms = (init.vms ?? []).map((m) => {
    const nicId = resourceId(S, rg(m.rg), 'networkInterfaces', `${m.name}VMNic`);
    const subnet = `${resourceId(S, rg(m.vnetRg), 'virtualNetworks', m.vnet)}/subnets/${m.subnet}`;
    return {
      vm: {
        id: vmId(S, rg(m.rg), m.name),
        name: m.name,
        resourceGroup: rg(m.rg),
        location: 'westeurope',
        networkInterfaces: [nicId],
      },
      nic: {
        id: nicId,
        name: `${m.name}VMNic`,
        resourceGroup: rg(m.rg),
        location: 'westeurope',
        enableIPForwarding: false,
        ipConfigurations: [{ name: 'ipconfig1', privateIPAddress: m.ip, subnet, primary: true }],
        virtualMachine: vmId(S, rg(m.rg), m.name),
      },
    };
  });
  const routeServers = (init.routeServers ?? []).map((r) => {
    const vnet = vnets.find((v) => v.name === r.vnet)!;
    const subnet = vnet.subnets.find((s) => s.name === 'RouteServerSubnet')!;
    const id = resourceId(S, rg(r.rg), 'virtualHubs', r.name);
    return {
      id,
      name: r.name,
      resourceGroup: rg(r.rg),
      location: vnet.location,
      subnet: subnet.id,
      virtualNetwork: vnet.id,
      virtualRouterAsn: 65515,
      virtualRouterIps: virtualRouterIps(subnet.prefix),
      allowBranchToBranchTraffic: r.allowBranchToBranchTraffic ?? false,
      hubRoutingPreference: r.hubRoutingPreference ?? 'ExpressRoute',
      bgpConnections: r.peerings.map((p) => ({ id: `${id}/bgpConnections/${p.name}`, ...p })),
    };
  });
  const groups = new Set<string>(['rg']);
  for (const v of vnets) groups.add(v.resourceGroup);
  for (const x of vms) groups.add(x.vm.resourceGroup);
  return {
    subscriptionId: S,
    systemRouteProfile: init.profile ?? 'current',
    routeServerSettings: { ...DEFAULT_ROUTE_SERVER_SETTINGS, ...(init.settings ?? {}) },
    resourceGroups: [...groups].map((name) => ({ name, location: 'westeurope' })),
    virtualNetworks: vnets,
    routeTables: (init.routeTables ?? []).map((t) => ({
      id: resourceId(S, rg(t.rg), 'routeTables', t.name),
      name: t.name,
      resourceGroup: rg(t.rg),
      location: 'westeurope',
      disableBgpRoutePropagation: t.disableBgpRoutePropagation ?? false,
      routes: t.routes ?? [],
    })),
    networkInterfaces: vms.map((x) => x.nic),
    virtualMachines: vms.map((x) => x.vm),
    routeServers,
    virtualNetworkGateways: (init.gateways ?? []).map((g) => {
      const vnet = vnets.find((v) => v.name === g.vnet)!;
      return {
        id: resourceId(S, 'rg', 'virtualNetworkGateways', g.name),
        name: g.name,
        resourceGroup: 'rg',
        location: vnet.location,
        gatewayType: g.type,
        sku: g.type === 'ExpressRoute' ? 'Standard' : 'VpnGw1',
        activeActive: g.activeActive ?? g.type === 'ExpressRoute',
        virtualNetwork: vnet.id,
        subnet: `${vnet.id}/subnets/GatewaySubnet`,
        enableBgp: true,
        asn: g.asn ?? 65515,
        instanceAddresses: g.instances,
        publicIpAddresses: g.publicIps ?? [],
        customBgpIpAddresses: g.apipa ?? [],
      };
    }),
    localNetworkGateways: (init.localNetworkGateways ?? []).map((l) => ({
      id: resourceId(S, 'rg', 'localNetworkGateways', l.name),
      name: l.name,
      resourceGroup: 'rg',
      location: 'westeurope',
      gatewayIpAddress: l.ip,
      addressPrefixes: l.prefixes,
      bgpSettings: { asn: l.asn, bgpPeeringAddress: l.bgp },
    })),
    connections: (init.connections ?? []).map((c) => ({
      id: resourceId(S, 'rg', 'connections', c.name),
      name: c.name,
      resourceGroup: 'rg',
      location: 'westeurope',
      connectionType: c.circuit ? ('ExpressRoute' as const) : ('IPsec' as const),
      virtualNetworkGateway1: resourceId(S, 'rg', 'virtualNetworkGateways', c.gateway),
      ...(c.circuit ? { peer: resourceId(S, 'rg', 'expressRouteCircuits', c.circuit) } : {}),
      ...(c.lng ? { localNetworkGateway2: resourceId(S, 'rg', 'localNetworkGateways', c.lng) } : {}),
      routingWeight: c.routingWeight ?? 0,
      enableBgp: true,
      ...(c.msee ? { mseePeerAddresses: c.msee } : {}),
    })),
    expressRouteCircuits: (init.circuits ?? []).map((c) => ({
      id: resourceId(S, 'rg', 'expressRouteCircuits', c.name),
      name: c.name,
      resourceGroup: 'rg',
      location: 'westeurope',
      serviceProviderName: 'Provider',
      peeringLocation: c.location,
      bandwidthInMbps: 1000,
      skuTier: c.skuTier ?? ('Standard' as const),
      peerings: [
        {
          name: 'AzurePrivatePeering' as const,
          peerASN: c.peerASN,
          primaryPeerAddressPrefix: c.primary,
          secondaryPeerAddressPrefix: c.secondary,
          vlanId: 100,
        },
      ],
      mseeAddresses: c.msee,
      globalReachConnections: (c.globalReach ?? []).map((g) => ({
        name: g.name,
        peerCircuit: resourceId(S, 'rg', 'expressRouteCircuits', g.peer),
        addressPrefix: g.prefix,
      })),
    })),
  };
}

/** The seed-000 environment (next-hop-failover), as a model. */
export function seed000Model(): AzureModel {
  return buildModel({
    vnets: [
      {
        rg: 'next-hop-ip-rg',
        name: 'next-hop-ip-vnet',
        prefixes: ['10.10.0.0/16'],
        subnets: [
          { name: 'default', prefix: '10.10.0.0/24', routeTable: 'next-hop-ip-rt' },
          { name: 'RouteServerSubnet', prefix: '10.10.1.0/24' },
        ],
      },
    ],
    routeTables: [{ rg: 'next-hop-ip-rg', name: 'next-hop-ip-rt' }],
    vms: ['ws1:10.10.0.4', 'ws2:10.10.0.5', 'lt1:10.10.0.6', 'watch1:10.10.0.7'].map((s) => {
      const [name, ip] = s.split(':') as [string, string];
      return {
        rg: 'next-hop-ip-vm-rg',
        name,
        vnet: 'next-hop-ip-vnet',
        vnetRg: 'next-hop-ip-rg',
        subnet: 'default',
        ip,
      };
    }),
    routeServers: [
      {
        rg: 'next-hop-ip-rg',
        name: 'next-hop-ip-routeserver',
        vnet: 'next-hop-ip-vnet',
        peerings: [{ name: 'watcher', peerIp: '10.10.0.7', peerAsn: 65001 }],
      },
    ],
  });
}
