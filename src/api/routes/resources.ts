/**
 * @module api/routes/resources
 * Run-time create, update and delete through ARM (issue 13, item 2): resource groups,
 * VNets, subnets, route tables, route servers (virtualHubs and their ipConfigurations),
 * their bgpConnections, NICs and VMs; public IPs as accepted placeholders. (Routes and VNet
 * peerings are in api/routes/network.)
 *
 * Each handler reads the body into the input of a pure change of src/azure/mutate — the
 * model checks (validateModel, the lab file's) refuse what Azure refuses, with Azure's code —
 * and hands the next model to `Lab.applyModel`, the one reconcile path (ADR 0034), awaiting
 * it so that a route server's listeners are up when the answer goes.
 *
 * Answers as the REST specification gives them (network 2024-05-01, resources 2022-09-01):
 * PUT 201 when it created, 200 when it updated, with the resource in its final state
 * (provisioningState Succeeded) and no polling header — the long-running PUT's first answer
 * is its last, which az and the SDKs' pollers take as done (ADR 0027); DELETE 200, or 204
 * when there was nothing to delete. Errors: ARM's envelope, codes from AzureErrors
 * (src/azure/errors.ts, the one place they are made).
 */
import {
  AzureErrors,
  byId,
  deleteBgpConnection,
  deleteNetworkInterface,
  deleteResourceGroup,
  deleteRouteTable,
  deleteSubnet,
  deleteVirtualHub,
  deleteVirtualMachine,
  deleteVirtualNetwork,
  getNetworkInterface,
  getRouteTable,
  getVirtualMachine,
  getVirtualNetwork,
  putBgpConnection,
  putNetworkInterface,
  putResourceGroup,
  putRouteTable,
  putSubnet,
  putVirtualHub,
  putVirtualHubIpConfiguration,
  putVirtualMachine,
  putVirtualNetwork,
  resourceId,
  sameName,
  vmId,
  type AzureModel,
  type HubRoutingPreference,
  type NetworkInterfaceInput,
  type NextHopType,
  type PendingRouteServer,
  type Route,
  type SubnetInput,
} from '../../azure/index.js';
import { bgpConnectionJson, nicJson, routeServerJson, routeTableJson, subnetJson, vmJson, vnetJson } from '../arm.js';
import { arrayAt, field, location, objectAt, properties, refId, required, type Json } from '../body.js';
import { ArmPaths } from '../paths.js';
import { created, type ApiContext, type Params, type Router } from '../router.js';

// ---------------------------------------------------------------------------
// Reading bodies: every field through api/body (a wrong type is 400 naming its path).

function subnetInput(name: string, props: Json, base: string): SubnetInput {
  const prefixes = arrayAt(props, base, 'addressPrefixes');
  const addressPrefix =
    field(props, base, 'addressPrefix', 'string') ??
    (prefixes && typeof prefixes[0] === 'string' ? prefixes[0] : undefined);
  const routeTable = refId(props, base, 'routeTable');
  const nsg = refId(props, base, 'networkSecurityGroup');
  return {
    name,
    addressPrefix: required(addressPrefix, `${base}.addressPrefix`),
    ...(routeTable ? { routeTable } : {}),
    ...(nsg ? { networkSecurityGroup: nsg } : {}),
  };
}

function routeInput(name: string, props: Json, base: string): Route {
  const ip = field(props, base, 'nextHopIpAddress', 'string');
  return {
    name,
    addressPrefix: required(field(props, base, 'addressPrefix', 'string'), `${base}.addressPrefix`),
    nextHopType: required(field(props, base, 'nextHopType', 'string'), `${base}.nextHopType`) as NextHopType,
    ...(ip ? { nextHopIpAddress: ip } : {}),
  };
}

/** The items of an array of child resources (`{name, properties}`), each with its path. */
function children(o: Json | undefined, base: string, key: string): { name: string; props: Json; at: string }[] {
  return (arrayAt(o, base, key) ?? []).map((x, i) => {
    const at = `${base}.${key}[${i}]`;
    const item = objectAt(x, at);
    return {
      name: required(field(item, at, 'name', 'string'), `${at}.name`),
      props: field(item, at, 'properties', 'object') ?? {},
      at: `${at}.properties`,
    };
  });
}

const PREFERENCES: readonly HubRoutingPreference[] = ['ExpressRoute', 'VpnGateway', 'ASPath'];

// ---------------------------------------------------------------------------
// Answers

function pendingHubJson(h: PendingRouteServer): Record<string, unknown> {
  return {
    name: h.name,
    id: h.id,
    type: 'Microsoft.Network/virtualHubs',
    location: h.location,
    kind: 'RouteServer',
    properties: {
      provisioningState: 'Succeeded',
      // No IP configuration yet: no instances, nothing routed (routingState None).
      virtualRouterAsn: 0,
      virtualRouterIps: [],
      allowBranchToBranchTraffic: h.allowBranchToBranchTraffic,
      hubRoutingPreference: h.hubRoutingPreference,
      routingState: 'None',
      sku: 'Standard',
      ipConfigurations: [],
    },
  };
}

/** A virtual hub as ARM shows it: a route server, or one still waiting for its IP configuration. */
export function virtualHubJson(model: AzureModel, id: string): Record<string, unknown> | undefined {
  const rs = byId(model.routeServers, id);
  if (rs) return routeServerJson(rs);
  const h = byId(model.pendingRouteServers ?? [], id);
  return h && pendingHubJson(h);
}

function hubIpConfigurationJson(model: AzureModel, hubId: string, name: string): Record<string, unknown> | undefined {
  const rs = byId(model.routeServers, hubId);
  if (!rs) return undefined;
  return {
    name,
    id: `${rs.id}/ipConfigurations/${name}`,
    type: 'Microsoft.Network/virtualHubs/ipConfigurations',
    properties: {
      provisioningState: 'Succeeded',
      privateIPAllocationMethod: 'Dynamic',
      subnet: { id: rs.subnet },
    },
  };
}

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  const model = () => lab.model;
  const apply = (next: AzureModel, why: string) => (next === lab.model ? Promise.resolve() : lab.applyModel(next, why));
  const sub = () => model().subscriptionId;

  // --- resource groups (Microsoft.Resources) -------------------------------------
  const groupJson = (g: { name: string; location: string }) => ({
    id: `/subscriptions/${sub()}/resourceGroups/${g.name}`,
    name: g.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: g.location,
    properties: { provisioningState: 'Succeeded' },
  });
  const group = (p: Params) => model().resourceGroups.find((g) => sameName(g.name, p.resourceGroupName!));
  r.add('GET', ArmPaths.resourceGroup, (p) => {
    const g = group(p);
    if (!g) throw AzureErrors.resourceGroupNotFound(p.resourceGroupName!);
    return { status: 200, body: groupJson(g) };
  });
  r.add('PUT', ArmPaths.resourceGroup, async (p, body) => {
    const existed = group(p) !== undefined;
    const loc = required(location(body), 'location');
    await apply(putResourceGroup(model(), p.resourceGroupName!, loc), `resource group ${p.resourceGroupName} created`);
    return created(existed, groupJson(group(p)!));
  });
  r.add('DELETE', ArmPaths.resourceGroup, async (p) => {
    const g = group(p);
    if (!g) throw AzureErrors.resourceGroupNotFound(p.resourceGroupName!);
    await apply(deleteResourceGroup(model(), g.name), `resource group ${g.name} deleted`);
    return { status: 200 };
  });

  // --- virtual networks and subnets ------------------------------------------------
  const vnetIdOf = (p: Params) => resourceId(sub(), p.resourceGroupName!, 'virtualNetworks', p.virtualNetworkName!);
  r.add('PUT', ArmPaths.virtualNetwork, async (p, body) => {
    const props = properties(body);
    const space = field(props, 'properties', 'addressSpace', 'object');
    const prefixes = required(
      arrayAt(space, 'properties.addressSpace', 'addressPrefixes'),
      'properties.addressSpace.addressPrefixes',
    );
    const existed = byId(model().virtualNetworks, vnetIdOf(p)) !== undefined;
    const loc = location(body);
    const next = putVirtualNetwork(model(), p.resourceGroupName!, p.virtualNetworkName!, {
      ...(loc ? { location: loc } : {}),
      addressPrefixes: prefixes.map((x, i) => {
        if (typeof x !== 'string')
          throw AzureErrors.invalidRequestFormat(`properties.addressSpace.addressPrefixes[${i}]`, 'must be a string');
        return x;
      }),
      subnets: children(props, 'properties', 'subnets').map((c) => subnetInput(c.name, c.props, c.at)),
    });
    await apply(next, `virtual network ${p.virtualNetworkName} ${existed ? 'updated' : 'created'}`);
    return created(
      existed,
      vnetJson(lab.model, getVirtualNetwork(lab.model, p.resourceGroupName!, p.virtualNetworkName!)),
    );
  });
  r.add('DELETE', ArmPaths.virtualNetwork, async (p) => {
    const v = byId(model().virtualNetworks, vnetIdOf(p));
    if (!v) return { status: 204 };
    await apply(deleteVirtualNetwork(model(), v.id), `virtual network ${v.name} deleted`);
    return { status: 200 };
  });
  r.add('PUT', ArmPaths.subnet, async (p, body) => {
    const vnet = getVirtualNetwork(model(), p.resourceGroupName!, p.virtualNetworkName!);
    const existed = vnet.subnets.some((s) => sameName(s.name, p.subnetName!));
    const next = putSubnet(model(), vnet.id, subnetInput(p.subnetName!, properties(body), 'properties'));
    await apply(next, `subnet ${vnet.name}/${p.subnetName} ${existed ? 'updated' : 'created'}`);
    const s = byId(lab.model.virtualNetworks, vnet.id)!.subnets.find((x) => sameName(x.name, p.subnetName!))!;
    return created(existed, subnetJson(lab.model, s));
  });
  r.add('DELETE', ArmPaths.subnet, async (p) => {
    const vnet = getVirtualNetwork(model(), p.resourceGroupName!, p.virtualNetworkName!);
    if (!vnet.subnets.some((s) => sameName(s.name, p.subnetName!))) return { status: 204 };
    await apply(deleteSubnet(model(), vnet.id, p.subnetName!), `subnet ${vnet.name}/${p.subnetName} deleted`);
    return { status: 200 };
  });

  // --- route tables (R-NIC-3): disableBgpRoutePropagation, routes ------------------
  const tableIdOf = (p: Params) => resourceId(sub(), p.resourceGroupName!, 'routeTables', p.routeTableName!);
  r.add('PUT', ArmPaths.routeTable, async (p, body) => {
    const props = properties(body);
    const existed = byId(model().routeTables, tableIdOf(p)) !== undefined;
    const loc = location(body);
    const disable = field(props, 'properties', 'disableBgpRoutePropagation', 'boolean');
    const next = putRouteTable(model(), p.resourceGroupName!, p.routeTableName!, {
      ...(loc ? { location: loc } : {}),
      ...(disable !== undefined ? { disableBgpRoutePropagation: disable } : {}),
      routes: children(props, 'properties', 'routes').map((c) => routeInput(c.name, c.props, c.at)),
    });
    await apply(next, `route table ${p.routeTableName} ${existed ? 'updated' : 'created'}`);
    return created(
      existed,
      routeTableJson(lab.model, getRouteTable(lab.model, p.resourceGroupName!, p.routeTableName!)),
    );
  });
  r.add('DELETE', ArmPaths.routeTable, async (p) => {
    const t = byId(model().routeTables, tableIdOf(p));
    if (!t) return { status: 204 };
    await apply(deleteRouteTable(model(), t.id), `route table ${t.name} deleted`);
    return { status: 200 };
  });

  // --- route servers: virtualHubs, their ipConfigurations and bgpConnections ---------
  const hubIdOf = (p: Params) => resourceId(sub(), p.resourceGroupName!, 'virtualHubs', p.virtualHubName!);
  const hubExists = (id: string) => byId(model().routeServers, id) ?? byId(model().pendingRouteServers ?? [], id);
  r.add('PUT', ArmPaths.virtualHub, async (p, body) => {
    const props = properties(body);
    const id = hubIdOf(p);
    const existed = hubExists(id) !== undefined;
    const loc = location(body);
    const b2b = field(props, 'properties', 'allowBranchToBranchTraffic', 'boolean');
    const rawPref = field(props, 'properties', 'hubRoutingPreference', 'string');
    const pref = rawPref === undefined ? undefined : PREFERENCES.find((x) => sameName(x, rawPref));
    if (rawPref !== undefined && !pref)
      throw AzureErrors.invalidParameter(
        'hubRoutingPreference',
        `expected one of ${PREFERENCES.join(', ')}, got ${JSON.stringify(rawPref)}`,
      );
    const next = putVirtualHub(model(), p.resourceGroupName!, p.virtualHubName!, {
      ...(loc ? { location: loc } : {}),
      ...(b2b !== undefined ? { allowBranchToBranchTraffic: b2b } : {}),
      ...(pref ? { hubRoutingPreference: pref } : {}),
    });
    await apply(next, `virtual hub ${p.virtualHubName} ${existed ? 'updated' : 'created'}`);
    return created(existed, virtualHubJson(lab.model, id));
  });
  r.add('DELETE', ArmPaths.virtualHub, async (p) => {
    const h = hubExists(hubIdOf(p));
    if (!h) return { status: 204 };
    await apply(deleteVirtualHub(model(), h.id), `route server ${h.name} deleted`);
    return { status: 200 };
  });
  r.add('GET', ArmPaths.virtualHubIpConfigurations, (p) => {
    const rs = byId(model().routeServers, hubIdOf(p));
    if (!rs && !hubExists(hubIdOf(p)))
      throw AzureErrors.resourceNotFound('Microsoft.Network/virtualHubs', p.virtualHubName!, p.resourceGroupName!);
    return { status: 200, body: { value: rs ? [hubIpConfigurationJson(model(), rs.id, 'ipconfig1')] : [] } };
  });
  r.add('GET', ArmPaths.virtualHubIpConfiguration, (p) => {
    const json = hubIpConfigurationJson(model(), hubIdOf(p), p.ipConfigName!);
    if (!json)
      throw AzureErrors.resourceNotFound(
        'Microsoft.Network/virtualHubs/ipConfigurations',
        `${p.virtualHubName}/${p.ipConfigName}`,
        p.resourceGroupName!,
      );
    return { status: 200, body: json };
  });
  // The route server comes up here: its instances register, listen and open their peerings.
  r.add('PUT', ArmPaths.virtualHubIpConfiguration, async (p, body) => {
    const id = hubIdOf(p);
    if (!hubExists(id))
      throw AzureErrors.parentNotFound(
        'Microsoft.Network/virtualHubs/ipConfigurations',
        p.virtualHubName!,
        p.resourceGroupName!,
      );
    const subnet = required(refId(properties(body), 'properties', 'subnet'), 'properties.subnet.id');
    const existed = byId(model().routeServers, id) !== undefined;
    await apply(putVirtualHubIpConfiguration(model(), id, subnet), `route server ${p.virtualHubName} created`);
    return created(existed, hubIpConfigurationJson(lab.model, id, p.ipConfigName!));
  });
  r.add('DELETE', ArmPaths.virtualHubIpConfiguration, async (p) => {
    const rs = byId(model().routeServers, hubIdOf(p));
    if (!rs) return { status: 204 };
    // Without its IP configuration a route server has no instances: ARM deletes the
    // configuration as the first step of deleting the hub; ARSLab deletes the route server.
    await apply(deleteVirtualHub(model(), rs.id), `route server ${rs.name} deleted (its IP configuration deleted)`);
    return { status: 200 };
  });
  r.add('PUT', ArmPaths.bgpConnection, async (p, body) => {
    const props = properties(body);
    const id = hubIdOf(p);
    const rs = byId(model().routeServers, id);
    if (!rs)
      throw hubExists(id)
        ? AzureErrors.invalidParameter(
            'virtualHub',
            `route server '${p.virtualHubName}' has no IP configuration yet: put its ipConfigurations first`,
          )
        : AzureErrors.parentNotFound(
            'Microsoft.Network/virtualHubs/bgpConnections',
            p.virtualHubName!,
            p.resourceGroupName!,
          );
    const peerIp = required(field(props, 'properties', 'peerIp', 'string'), 'properties.peerIp');
    const peerAsn = required(field(props, 'properties', 'peerAsn', 'number'), 'properties.peerAsn');
    const existed = rs.bgpConnections.some((c) => sameName(c.name, p.connectionName!));
    await apply(
      putBgpConnection(model(), rs.id, { name: p.connectionName!, peerIp, peerAsn }),
      `route server ${rs.name} peering ${p.connectionName} ${existed ? 'updated' : 'created'}`,
    );
    const after = byId(lab.model.routeServers, rs.id)!;
    return created(
      existed,
      bgpConnectionJson(after, after.bgpConnections.find((c) => sameName(c.name, p.connectionName!))!),
    );
  });
  r.add('DELETE', ArmPaths.bgpConnection, async (p) => {
    const rs = byId(model().routeServers, hubIdOf(p));
    const c = rs?.bgpConnections.find((x) => sameName(x.name, p.connectionName!));
    if (!rs || !c) return { status: 204 };
    await apply(deleteBgpConnection(model(), rs.id, c.name), `route server ${rs.name} peering ${c.name} deleted`);
    return { status: 200 };
  });

  // --- NICs and VMs ----------------------------------------------------------------
  const nicIdOf = (p: Params) => resourceId(sub(), p.resourceGroupName!, 'networkInterfaces', p.networkInterfaceName!);
  r.add('PUT', ArmPaths.networkInterface, async (p, body) => {
    const props = properties(body);
    const existed = byId(model().networkInterfaces, nicIdOf(p)) !== undefined;
    const loc = location(body);
    const forwarding = field(props, 'properties', 'enableIPForwarding', 'boolean');
    const input: NetworkInterfaceInput = {
      ...(loc ? { location: loc } : {}),
      ...(forwarding !== undefined ? { enableIPForwarding: forwarding } : {}),
      ipConfigurations: children(props, 'properties', 'ipConfigurations').map((c) => {
        const ip = field(c.props, c.at, 'privateIPAddress', 'string');
        const method = field(c.props, c.at, 'privateIPAllocationMethod', 'string');
        const primary = field(c.props, c.at, 'primary', 'boolean');
        return {
          name: c.name,
          subnet: required(refId(c.props, c.at, 'subnet'), `${c.at}.subnet.id`),
          // Dynamic allocation ignores an address sent with it, as ARM does.
          ...(ip && (method === undefined || sameName(method, 'Static')) ? { privateIPAddress: ip } : {}),
          ...(primary !== undefined ? { primary } : {}),
        };
      }),
    };
    await apply(
      putNetworkInterface(model(), p.resourceGroupName!, p.networkInterfaceName!, input),
      `network interface ${p.networkInterfaceName} ${existed ? 'updated' : 'created'}`,
    );
    return created(existed, nicJson(getNetworkInterface(lab.model, p.resourceGroupName!, p.networkInterfaceName!)));
  });
  r.add('DELETE', ArmPaths.networkInterface, async (p) => {
    const nic = byId(model().networkInterfaces, nicIdOf(p));
    if (!nic) return { status: 204 };
    await apply(deleteNetworkInterface(model(), nic.id), `network interface ${nic.name} deleted`);
    return { status: 200 };
  });
  r.add('PUT', ArmPaths.virtualMachine, async (p, body) => {
    const props = properties(body);
    const profile = field(props, 'properties', 'networkProfile', 'object');
    const base = 'properties.networkProfile';
    const refs = (arrayAt(profile, base, 'networkInterfaces') ?? []).map((x, i) => {
      const at = `${base}.networkInterfaces[${i}]`;
      const o = objectAt(x, at);
      const primary = field(field(o, at, 'properties', 'object'), `${at}.properties`, 'primary', 'boolean');
      return { id: required(field(o, at, 'id', 'string'), `${at}.id`), primary: primary ?? false };
    });
    // Primary first, as the model keeps a VM's NICs.
    const nics = [...refs.filter((x) => x.primary), ...refs.filter((x) => !x.primary)].map((x) => x.id);
    const id = vmId(sub(), p.resourceGroupName!, p.vmName!);
    const existed = byId(model().virtualMachines, id) !== undefined;
    const loc = location(body);
    await apply(
      putVirtualMachine(model(), p.resourceGroupName!, p.vmName!, {
        ...(loc ? { location: loc } : {}),
        networkInterfaces: nics,
      }),
      `virtual machine ${p.vmName} ${existed ? 'updated' : 'created'}`,
    );
    return created(existed, vmJson(getVirtualMachine(lab.model, p.resourceGroupName!, p.vmName!)));
  });
  r.add('DELETE', ArmPaths.virtualMachine, async (p) => {
    const vm = byId(model().virtualMachines, vmId(sub(), p.resourceGroupName!, p.vmName!));
    if (!vm) return { status: 204 };
    await apply(deleteVirtualMachine(model(), vm.id), `virtual machine ${vm.name} deleted`);
    return { status: 200 };
  });

  // --- public IPs: accepted placeholders ---------------------------------------------
  // A route server's or a bastion's public IP routes nothing ARSLab models: a PUT is
  // answered as ARM would (the resource, Succeeded) and nothing is kept — a GET is 404, and
  // export has nothing to write (docs/azure-clients.md).
  r.add('PUT', ArmPaths.publicIPAddress, (p, body) => {
    if (!model().resourceGroups.some((g) => sameName(g.name, p.resourceGroupName!)))
      throw AzureErrors.resourceGroupNotFound(p.resourceGroupName!);
    const id = resourceId(sub(), p.resourceGroupName!, 'publicIPAddresses', p.publicIpAddressName!);
    return {
      status: 201,
      body: {
        name: p.publicIpAddressName,
        id,
        type: 'Microsoft.Network/publicIPAddresses',
        location:
          location(body) ?? model().resourceGroups.find((g) => sameName(g.name, p.resourceGroupName!))!.location,
        sku: objectAt(body)?.['sku'] ?? { name: 'Standard', tier: 'Regional' },
        properties: {
          provisioningState: 'Succeeded',
          publicIPAllocationMethod: 'Static',
          publicIPAddressVersion: 'IPv4',
        },
      },
    };
  });
  r.add('DELETE', ArmPaths.publicIPAddress, () => ({ status: 204 }));
}
