/**
 * @module api/routes/network
 * ARM paths of the VNet side: route servers (virtualHubs) and their BGP connections, NICs and
 * their effective routes, VMs, VNets, subnets and peerings, route tables and routes, Network
 * Watcher's next hop, and the results of long-running operations.
 *
 * Status codes as the REST specification gives them (azure-rest-api-specs, network
 * 2024-05-01): a POST action (learnedRoutes, effectiveRouteTable, nextHop) is long-running —
 * 202 + Location, the result at the Location URL; a PUT answers 201 when it created the
 * resource and 200 when it updated it; a DELETE 200, or 204 when there was nothing to delete.
 */
import {
  AzureErrors,
  byId,
  deleteRoute,
  deleteVnetPeering,
  getNetworkInterface,
  getRouteServer,
  getRouteTable,
  getVirtualMachine,
  getVirtualNetwork,
  primaryIpConfig,
  putRoute,
  putVnetPeering,
  sameName,
  type NextHopType,
  type RouteServer,
} from '../../azure/index.js';
import { parseIpv4, v4Prefix } from '../../bgp/wire/index.js';
import type { Lab } from '../../lab/lab.js';
import {
  bgpConnectionJson,
  nicJson,
  routeJson,
  routeServerJson,
  routeTableJson,
  subnetJson,
  vmJson,
  vnetJson,
  vnetPeeringJson,
} from '../arm.js';
import { field, objectAt, properties } from '../body.js';
import { ArmExtraPaths, ArmPaths } from '../paths.js';
import { listInGroup, type ApiContext, type Params, type Router } from '../router.js';
import { virtualHubJson } from './resources.js';

/** A BGP connection's state as ARM reports it, from both route-server instances' sessions. */
function connectionState(lab: Lab, rs: RouteServer, peering: string): string {
  const sides = lab.graph.peeringSessions(rs.id, peering);
  if (sides.length === 0) return 'Unknown';
  // A cut link still looks up until it is noticed (hold timer).
  const states = sides.map((x) => (x.session.state === 'Cut' ? 'Established' : x.session.state));
  if (states.every((s) => s === 'Established')) return 'Connected';
  if (states.some((s) => s === 'Established' || s === 'OpenConfirm' || s === 'OpenSent' || s === 'Connect'))
    return 'Connecting';
  return 'NotConnected';
}

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  const model = () => lab.model;

  // --- Route Server (virtualHubs) and its BGP connections --------------------------
  r.add('GET', ArmPaths.virtualHub, (p) => {
    // A hub still waiting for its IP configuration (created through the API) is shown too.
    const pending = (model().pendingRouteServers ?? []).find(
      (h) => sameName(h.resourceGroup, p.resourceGroupName!) && sameName(h.name, p.virtualHubName!),
    );
    if (pending) return { status: 200, body: virtualHubJson(model(), pending.id) };
    return { status: 200, body: routeServerJson(getRouteServer(model(), p.resourceGroupName!, p.virtualHubName!)) };
  });
  r.add('GET', ArmPaths.virtualHubs, (p) => listInGroup(model().routeServers, p.resourceGroupName!, routeServerJson));
  r.add('GET', ArmPaths.bgpConnections, (p) => {
    const rs = getRouteServer(model(), p.resourceGroupName!, p.virtualHubName!);
    return {
      status: 200,
      body: { value: rs.bgpConnections.map((c) => bgpConnectionJson(rs, c, connectionState(lab, rs, c.name))) },
    };
  });
  r.add('GET', ArmPaths.bgpConnection, (p) => {
    const rs = getRouteServer(model(), p.resourceGroupName!, p.virtualHubName!);
    const c = rs.bgpConnections.find((x) => sameName(x.name, p.connectionName!));
    if (!c) throw AzureErrors.bgpConnectionNotFound(p.connectionName!, rs.name);
    return { status: 200, body: bgpConnectionJson(rs, c, connectionState(lab, rs, c.name)) };
  });
  // VirtualHubBgpConnections_ListLearnedRoutes / _ListAdvertisedRoutes, and the names
  // ARSLab served before (aliases, ArmExtraPaths).
  const listing = (fn: 'learnedRoutes' | 'advertisedRoutes') => (p: Params) => {
    const rs = getRouteServer(model(), p.resourceGroupName!, p.hubName!);
    const rt = lab.routeServer(rs);
    if (!rt) throw AzureErrors.resourceNotFound('Microsoft.Network/virtualHubs', rs.name, rs.resourceGroup);
    return ctx.accepted(p.subscriptionId!, rt[fn](p.connectionName!));
  };
  r.add('POST', ArmPaths.bgpConnectionLearnedRoutes, listing('learnedRoutes'));
  r.add('POST', ArmPaths.bgpConnectionAdvertisedRoutes, listing('advertisedRoutes'));
  r.add('POST', ArmExtraPaths.bgpConnectionGetLearnedRoutes, listing('learnedRoutes'));
  r.add('POST', ArmExtraPaths.bgpConnectionGetAdvertisedRoutes, listing('advertisedRoutes'));

  // --- NICs, VMs ------------------------------------------------------------------
  r.add('GET', ArmPaths.networkInterface, (p) => ({
    status: 200,
    body: nicJson(getNetworkInterface(model(), p.resourceGroupName!, p.networkInterfaceName!)),
  }));
  r.add('GET', ArmPaths.networkInterfaces, (p) =>
    listInGroup(model().networkInterfaces, p.resourceGroupName!, (n) => nicJson(n)),
  );
  r.add('POST', ArmPaths.effectiveRouteTable, (p) => {
    const nic = getNetworkInterface(model(), p.resourceGroupName!, p.networkInterfaceName!);
    return ctx.acceptedJson(p.subscriptionId!, lab.effectiveRouteTable(nic).jsonBytes());
  });
  // ARSLab: a NIC's effective routes with their version, or only what changed after
  // `?since=VERSION` (the web page; ADR 0015).
  r.add('GET', '/arslab/networkInterfaces/{resourceGroupName}/{networkInterfaceName}/effectiveRoutes', (p, _b, url) => {
    const nic = getNetworkInterface(model(), p.resourceGroupName!, p.networkInterfaceName!);
    const since = url.searchParams.get('since');
    const t = lab.effectiveRouteTable(nic);
    if (since === null)
      return { status: 200, body: { version: t.version, layers: t.layers, full: true, value: t.value } };
    const v = Number(since);
    if (!Number.isInteger(v) || v < 0)
      throw AzureErrors.invalidParameter(
        'since',
        `'${since}' is not a version (a whole number from a previous answer)`,
      );
    return { status: 200, body: { ...lab.effectiveRouteChanges(nic, v), layers: t.layers } };
  });
  r.add('GET', ArmPaths.virtualMachine, (p) => ({
    status: 200,
    body: vmJson(getVirtualMachine(model(), p.resourceGroupName!, p.vmName!)),
  }));

  // --- VNets, subnets, peerings -----------------------------------------------------
  r.add('GET', ArmPaths.virtualNetworks, (p) =>
    listInGroup(model().virtualNetworks, p.resourceGroupName!, (v) => vnetJson(model(), v)),
  );
  r.add('GET', ArmPaths.virtualNetwork, (p) => ({
    status: 200,
    body: vnetJson(model(), getVirtualNetwork(model(), p.resourceGroupName!, p.virtualNetworkName!)),
  }));
  r.add('GET', ArmPaths.subnets, (p) => {
    const vnet = getVirtualNetwork(model(), p.resourceGroupName!, p.virtualNetworkName!);
    return { status: 200, body: { value: vnet.subnets.map((s) => subnetJson(model(), s)) } };
  });
  r.add('GET', ArmPaths.subnet, (p) => {
    const vnet = getVirtualNetwork(model(), p.resourceGroupName!, p.virtualNetworkName!);
    const s = vnet.subnets.find((x) => sameName(x.name, p.subnetName!));
    if (!s)
      throw AzureErrors.resourceNotFound(
        'Microsoft.Network/virtualNetworks/subnets',
        `${vnet.name}/${p.subnetName}`,
        p.resourceGroupName!,
      );
    return { status: 200, body: subnetJson(model(), s) };
  });
  r.add('GET', ArmPaths.virtualNetworkPeerings, (p) => {
    const vnet = getVirtualNetwork(model(), p.resourceGroupName!, p.virtualNetworkName!);
    return { status: 200, body: { value: vnet.virtualNetworkPeerings.map((x) => vnetPeeringJson(model(), vnet, x)) } };
  });
  const peeringOf = (p: Params) => {
    const vnet = getVirtualNetwork(model(), p.resourceGroupName!, p.virtualNetworkName!);
    return { vnet, peering: vnet.virtualNetworkPeerings.find((x) => sameName(x.name, p.virtualNetworkPeeringName!)) };
  };
  r.add('GET', ArmPaths.virtualNetworkPeering, (p) => {
    const { vnet, peering } = peeringOf(p);
    if (!peering)
      throw AzureErrors.resourceNotFound(
        'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
        `${vnet.name}/${p.virtualNetworkPeeringName}`,
        p.resourceGroupName!,
      );
    return { status: 200, body: vnetPeeringJson(model(), vnet, peering) };
  });
  // PUT/DELETE a VNet peering: the model changes; route servers react (R-ARS-13).
  r.add('PUT', ArmPaths.virtualNetworkPeering, async (p, body) => {
    const { vnet, peering: before } = peeringOf(p);
    const name = p.virtualNetworkPeeringName!;
    const props = properties(body);
    const remoteRef = field(props, 'properties', 'remoteVirtualNetwork', 'object');
    const remote = field(remoteRef, 'properties.remoteVirtualNetwork', 'id', 'string');
    if (!remote)
      throw AzureErrors.invalidParameter('remoteVirtualNetwork', 'properties.remoteVirtualNetwork.id is required');
    const bool = (k: string) => field(props, 'properties', k, 'boolean');
    const flags: Record<string, boolean> = {};
    for (const k of [
      'allowVirtualNetworkAccess',
      'allowForwardedTraffic',
      'allowGatewayTransit',
      'useRemoteGateways',
    ]) {
      const v = bool(k);
      if (v !== undefined) flags[k] = v;
    }
    const next = putVnetPeering(model(), vnet.id, { name, remoteVirtualNetwork: remote, ...flags });
    await lab.applyModel(next, `virtual network peering ${vnet.name}/${name} ${before ? 'updated' : 'created'}`);
    const { vnet: after, peering } = peeringOf(p);
    return { status: before ? 200 : 201, body: vnetPeeringJson(lab.model, after, peering!) };
  });
  r.add('DELETE', ArmPaths.virtualNetworkPeering, async (p) => {
    const { vnet, peering } = peeringOf(p);
    // ARM: deleting what does not exist is 204 No Content (the spec's answer), not an error.
    if (!peering) return { status: 204 };
    await lab.applyModel(
      deleteVnetPeering(model(), vnet.id, peering.name),
      `virtual network peering ${vnet.name}/${peering.name} deleted`,
    );
    return { status: 200 };
  });

  // --- Route tables and routes (R-NIC-3): effective routes and the gateways' iBGP mesh
  // (R-VPN-2, a GatewaySubnet table) follow at once through Lab.applyModel.
  r.add('GET', ArmPaths.routeTables, (p) =>
    listInGroup(model().routeTables, p.resourceGroupName!, (t) => routeTableJson(model(), t)),
  );
  r.add('GET', ArmPaths.routeTable, (p) => ({
    status: 200,
    body: routeTableJson(model(), getRouteTable(model(), p.resourceGroupName!, p.routeTableName!)),
  }));
  r.add('GET', ArmPaths.routes, (p) => {
    const t = getRouteTable(model(), p.resourceGroupName!, p.routeTableName!);
    return { status: 200, body: { value: t.routes.map((x) => routeJson(t, x)) } };
  });
  r.add('GET', ArmPaths.route, (p) => {
    const t = getRouteTable(model(), p.resourceGroupName!, p.routeTableName!);
    const route = t.routes.find((x) => sameName(x.name, p.routeName!));
    if (!route)
      throw AzureErrors.resourceNotFound(
        'Microsoft.Network/routeTables/routes',
        `${t.name}/${p.routeName}`,
        p.resourceGroupName!,
      );
    return { status: 200, body: routeJson(t, route) };
  });
  r.add('PUT', ArmPaths.route, async (p, body) => {
    const rg = p.resourceGroupName!;
    const t = getRouteTable(model(), rg, p.routeTableName!);
    const name = p.routeName!;
    const props = properties(body);
    const addressPrefix = field(props, 'properties', 'addressPrefix', 'string');
    const nextHopType = field(props, 'properties', 'nextHopType', 'string');
    if (addressPrefix === undefined)
      throw AzureErrors.invalidParameter('addressPrefix', 'properties.addressPrefix is required');
    if (nextHopType === undefined)
      throw AzureErrors.invalidParameter('nextHopType', 'properties.nextHopType is required');
    const ip = field(props, 'properties', 'nextHopIpAddress', 'string');
    const existed = t.routes.some((x) => sameName(x.name, name));
    const next = putRoute(model(), rg, t.name, {
      name,
      addressPrefix,
      nextHopType: nextHopType as NextHopType,
      ...(ip ? { nextHopIpAddress: ip } : {}),
    });
    await lab.applyModel(next, `route ${t.name}/${name} ${existed ? 'updated' : 'created'}`);
    const nt = getRouteTable(lab.model, rg, t.name);
    return { status: existed ? 200 : 201, body: routeJson(nt, nt.routes.find((x) => sameName(x.name, name))!) };
  });
  r.add('DELETE', ArmPaths.route, async (p) => {
    const rg = p.resourceGroupName!;
    const t = getRouteTable(model(), rg, p.routeTableName!);
    const route = t.routes.find((x) => sameName(x.name, p.routeName!));
    // ARM: deleting a child that does not exist is 204 No Content (az exits 0), not an error.
    if (!route) return { status: 204 };
    await lab.applyModel(deleteRoute(model(), rg, t.name, route.name), `route ${t.name}/${route.name} deleted`);
    return { status: 200 };
  });

  // --- Network Watcher next hop -------------------------------------------------------
  r.add('POST', ArmPaths.nextHop, (p, body) => {
    const o = objectAt(body);
    const b = {
      targetResourceId: field(o, '', 'targetResourceId', 'string'),
      sourceIPAddress: field(o, '', 'sourceIPAddress', 'string'),
      destinationIPAddress: field(o, '', 'destinationIPAddress', 'string'),
      targetNicResourceId: field(o, '', 'targetNicResourceId', 'string'),
    };
    const vm = byId(model().virtualMachines, b.targetResourceId);
    if (!vm)
      throw AzureErrors.invalidParameter(
        'targetResourceId',
        `virtual machine ${b.targetResourceId ?? '(none)'} not found`,
      );
    const nicId = b.targetNicResourceId ?? vm.networkInterfaces[0];
    const nic = byId(model().networkInterfaces, nicId);
    if (!nic) throw AzureErrors.invalidParameter('targetNicResourceId', `network interface ${nicId} not found`);
    if (b.sourceIPAddress && !nic.ipConfigurations.some((c) => c.privateIPAddress === b.sourceIPAddress)) {
      throw AzureErrors.invalidParameter(
        'sourceIPAddress',
        `${b.sourceIPAddress} is not an address of ${nic.name} (${primaryIpConfig(nic)?.privateIPAddress})`,
      );
    }
    const dst = parseIpv4(b.destinationIPAddress ?? '');
    if (dst === undefined)
      throw AzureErrors.invalidParameter(
        'destinationIPAddress',
        `${b.destinationIPAddress ?? '(none)'} is not an IPv4 address`,
      );
    return ctx.accepted(p.subscriptionId!, lab.nextHop(nic, v4Prefix(dst, 32)));
  });

  // --- Results of long-running operations -------------------------------------------
  r.add('GET', ArmExtraPaths.operationResult, (p) => {
    const json = ctx.operations.get(p.subscriptionId!, p.operationId!);
    if (json === undefined) {
      const l = ctx.operations.limits;
      throw AzureErrors.operationNotFound(p.operationId!, p.subscriptionId!, l.unreadTtlMs, l.readTtlMs);
    }
    return { status: 200, json };
  });
}
