/**
 * @module api/routes/hybridResources
 * Run-time create, update and delete through ARM of what connects a hub to on-premises
 * (issue 13, item 2): virtual network gateways (ExpressRoute and VPN), local network gateways,
 * connections (ExpressRoute and IPsec: routingWeight, enableBgp), ExpressRoute circuits,
 * their private peering and Global Reach (a connection of the private peering to another
 * circuit's). GET where api/routes/gateways has none.
 *
 * As api/routes/resources: each handler reads the body into the input of a pure change of
 * src/azure/mutate (checked by validateModel, the lab file's checks, with Azure's codes) and
 * awaits `Lab.applyModel` — the one reconcile path (ADR 0034), which brings a created
 * gateway's instances up and peering, closes a deleted connection's sessions and re-ranks
 * routes after a routingWeight change. PUT 201 created / 200 updated with the resource in its
 * final state; DELETE 200, or 204 when there was nothing.
 *
 * Body fields as az and the SDKs send them (network 2024-05-01): what a field means only to
 * Azure's data plane (shared keys, IPsec policies, public IP ids) is accepted and not kept.
 */
import {
  AzureErrors,
  byId,
  deleteCircuitPeering,
  deleteConnection,
  deleteExpressRouteCircuit,
  deleteGlobalReachConnection,
  deleteLocalNetworkGateway,
  deleteVirtualNetworkGateway,
  putCircuitPeering,
  putConnection,
  putExpressRouteCircuit,
  putGlobalReachConnection,
  putLocalNetworkGateway,
  putVirtualNetworkGateway,
  resourceId,
  sameName,
  type AzureModel,
  type CircuitPeeringInput,
  type ExpressRouteCircuit,
  type GatewayType,
  type LocalNetworkGateway,
  type VirtualNetworkGatewayConnection,
} from '../../azure/index.js';
import { etag } from '../arm.js';
import { arrayAt, field, location, objectAt, properties, refId, required, type Json } from '../body.js';
import { ArmPaths } from '../paths.js';
import { created, listInGroup, type ApiContext, type Params, type Router } from '../router.js';
import { circuitJson, gatewayJson, getCircuit, getGateway } from './gateways.js';

// ---------------------------------------------------------------------------
// Answers

export function localNetworkGatewayJson(l: LocalNetworkGateway): Record<string, unknown> {
  return {
    name: l.name,
    id: l.id,
    etag: etag(l.id),
    type: 'Microsoft.Network/localNetworkGateways',
    location: l.location,
    properties: {
      provisioningState: 'Succeeded',
      gatewayIpAddress: l.gatewayIpAddress,
      localNetworkAddressSpace: { addressPrefixes: [...l.addressPrefixes] },
      ...(l.bgpSettings
        ? { bgpSettings: { asn: l.bgpSettings.asn, bgpPeeringAddress: l.bgpSettings.bgpPeeringAddress, peerWeight: 0 } }
        : {}),
    },
  };
}

export function connectionJson(c: VirtualNetworkGatewayConnection): Record<string, unknown> {
  return {
    name: c.name,
    id: c.id,
    etag: etag(c.id),
    type: 'Microsoft.Network/connections',
    location: c.location,
    properties: {
      provisioningState: 'Succeeded',
      connectionType: c.connectionType,
      virtualNetworkGateway1: { id: c.virtualNetworkGateway1 },
      ...(c.peer ? { peer: { id: c.peer } } : {}),
      ...(c.localNetworkGateway2 ? { localNetworkGateway2: { id: c.localNetworkGateway2 } } : {}),
      routingWeight: c.routingWeight,
      enableBgp: c.enableBgp,
      connectionProtocol: c.connectionType === 'IPsec' ? 'IKEv2' : undefined,
      connectionStatus: 'Connected',
    },
  };
}

/** The private peering as ARM shows it (GET …/peerings/AzurePrivatePeering): the circuit's own answer's entry. */
function peeringJson(model: AzureModel, c: ExpressRouteCircuit): Record<string, unknown> | undefined {
  const props = (circuitJson(model, c)['properties'] as { peerings: Record<string, unknown>[] }).peerings;
  return props[0];
}

function globalReachJson(model: AzureModel, c: ExpressRouteCircuit, name: string): Record<string, unknown> | undefined {
  const p = peeringJson(model, c)?.['properties'] as { connections: Record<string, unknown>[] } | undefined;
  return p?.connections.find((x) => sameName(String(x['name']), name));
}

// ---------------------------------------------------------------------------
// Reading bodies

const GATEWAY_TYPES: readonly GatewayType[] = ['ExpressRoute', 'Vpn'];

/** `bgpSettings.bgpPeeringAddresses[i].customBgpIpAddresses[0]`, instance order (VPN APIPA addresses, R-VPN-1). */
function customBgpAddresses(bgp: Json | undefined): string[] {
  const base = 'properties.bgpSettings';
  return (arrayAt(bgp, base, 'bgpPeeringAddresses') ?? []).flatMap((x, i) => {
    const at = `${base}.bgpPeeringAddresses[${i}]`;
    const first = arrayAt(objectAt(x, at), at, 'customBgpIpAddresses')?.[0];
    if (first === undefined) return [];
    if (typeof first !== 'string')
      throw AzureErrors.invalidRequestFormat(`${at}.customBgpIpAddresses[0]`, 'must be a string');
    return [first];
  });
}

function peeringInput(props: Json, base: string): CircuitPeeringInput {
  return {
    peerASN: required(field(props, base, 'peerASN', 'number'), `${base}.peerASN`),
    primaryPeerAddressPrefix: required(
      field(props, base, 'primaryPeerAddressPrefix', 'string'),
      `${base}.primaryPeerAddressPrefix`,
    ),
    secondaryPeerAddressPrefix: required(
      field(props, base, 'secondaryPeerAddressPrefix', 'string'),
      `${base}.secondaryPeerAddressPrefix`,
    ),
    vlanId: required(field(props, base, 'vlanId', 'number'), `${base}.vlanId`),
  };
}

/** A circuit id from a peering id (`…/expressRouteCircuits/{c}/peerings/{p}`), or the id as given. */
const circuitOfPeering = (id: string) => id.replace(/\/peerings\/[^/]+$/i, '');

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  const model = () => lab.model;
  const sub = () => model().subscriptionId;
  const apply = (next: AzureModel, why: string) => (next === lab.model ? Promise.resolve() : lab.applyModel(next, why));

  // --- virtualNetworkGateways (GET: api/routes/gateways) -------------------------------
  const gatewayIdOf = (p: Params) =>
    resourceId(sub(), p.resourceGroupName!, 'virtualNetworkGateways', p.virtualNetworkGatewayName!);
  r.add('PUT', ArmPaths.virtualNetworkGateway, async (p, body) => {
    const props = properties(body);
    const base = 'properties';
    const rawType = required(field(props, base, 'gatewayType', 'string'), 'properties.gatewayType');
    const type = GATEWAY_TYPES.find((t) => sameName(t, rawType));
    if (!type)
      throw AzureErrors.invalidParameter(
        'gatewayType',
        `expected one of ${GATEWAY_TYPES.join(', ')}, got ${JSON.stringify(rawType)}`,
      );
    const configs = required(arrayAt(props, base, 'ipConfigurations'), 'properties.ipConfigurations');
    const first = objectAt(configs[0], 'properties.ipConfigurations[0]');
    const at = 'properties.ipConfigurations[0].properties';
    const subnet = required(
      refId(field(first, 'properties.ipConfigurations[0]', 'properties', 'object'), at, 'subnet'),
      `${at}.subnet.id`,
    );
    const sku = field(field(props, base, 'sku', 'object'), 'properties.sku', 'name', 'string');
    const bgp = field(props, base, 'bgpSettings', 'object');
    const asn = field(bgp, 'properties.bgpSettings', 'asn', 'number');
    const activeActive = field(props, base, 'activeActive', 'boolean');
    const enableBgp = field(props, base, 'enableBgp', 'boolean');
    const custom = customBgpAddresses(bgp);
    const loc = location(body);
    const existed = byId(model().virtualNetworkGateways, gatewayIdOf(p)) !== undefined;
    const isVpn = type === 'Vpn';
    const next = putVirtualNetworkGateway(model(), p.resourceGroupName!, p.virtualNetworkGatewayName!, {
      ...(loc ? { location: loc } : {}),
      gatewayType: type,
      subnet,
      ...(sku ? { sku } : {}),
      ...(asn !== undefined ? { asn } : {}),
      // ARM shows enableBgp false on an ExpressRoute gateway (az sends it so): its BGP with
      // the MSEEs is not this switch, which is the VPN tunnels' (R-VPN-1).
      ...(isVpn && enableBgp !== undefined ? { enableBgp } : {}),
      ...(isVpn && activeActive !== undefined ? { activeActive } : {}),
      ...(custom.length > 0 ? { customBgpIpAddresses: custom } : {}),
    });
    await apply(next, `virtual network gateway ${p.virtualNetworkGatewayName} ${existed ? 'updated' : 'created'}`);
    await lab.settled();
    return created(existed, gatewayJson(getGateway(lab.model, p.resourceGroupName!, p.virtualNetworkGatewayName!)));
  });
  r.add('DELETE', ArmPaths.virtualNetworkGateway, async (p) => {
    const gw = byId(model().virtualNetworkGateways, gatewayIdOf(p));
    if (!gw) return { status: 204 };
    await apply(deleteVirtualNetworkGateway(model(), gw.id), `virtual network gateway ${gw.name} deleted`);
    return { status: 200 };
  });

  // --- localNetworkGateways ------------------------------------------------------------
  const lngIdOf = (p: Params) =>
    resourceId(sub(), p.resourceGroupName!, 'localNetworkGateways', p.localNetworkGatewayName!);
  const getLng = (m: AzureModel, p: Params) => {
    const l = byId(m.localNetworkGateways, lngIdOf(p));
    if (!l)
      throw AzureErrors.resourceNotFound(
        'Microsoft.Network/localNetworkGateways',
        p.localNetworkGatewayName!,
        p.resourceGroupName!,
      );
    return l;
  };
  r.add('GET', ArmPaths.localNetworkGateways, (p) =>
    listInGroup(model().localNetworkGateways, p.resourceGroupName!, localNetworkGatewayJson),
  );
  r.add('GET', ArmPaths.localNetworkGateway, (p) => ({
    status: 200,
    body: localNetworkGatewayJson(getLng(model(), p)),
  }));
  r.add('PUT', ArmPaths.localNetworkGateway, async (p, body) => {
    const props = properties(body);
    const base = 'properties';
    const space = field(props, base, 'localNetworkAddressSpace', 'object');
    const prefixes = (arrayAt(space, 'properties.localNetworkAddressSpace', 'addressPrefixes') ?? []).map((x, i) => {
      if (typeof x !== 'string')
        throw AzureErrors.invalidRequestFormat(
          `properties.localNetworkAddressSpace.addressPrefixes[${i}]`,
          'must be a string',
        );
      return x;
    });
    const bgp = field(props, base, 'bgpSettings', 'object');
    const bb = 'properties.bgpSettings';
    const loc = location(body);
    const existed = byId(model().localNetworkGateways, lngIdOf(p)) !== undefined;
    const next = putLocalNetworkGateway(model(), p.resourceGroupName!, p.localNetworkGatewayName!, {
      ...(loc ? { location: loc } : {}),
      gatewayIpAddress: required(field(props, base, 'gatewayIpAddress', 'string'), 'properties.gatewayIpAddress'),
      addressPrefixes: prefixes,
      ...(bgp
        ? {
            bgpSettings: {
              asn: required(field(bgp, bb, 'asn', 'number'), `${bb}.asn`),
              bgpPeeringAddress: required(field(bgp, bb, 'bgpPeeringAddress', 'string'), `${bb}.bgpPeeringAddress`),
            },
          }
        : {}),
    });
    await apply(next, `local network gateway ${p.localNetworkGatewayName} ${existed ? 'updated' : 'created'}`);
    await lab.settled();
    return created(existed, localNetworkGatewayJson(getLng(lab.model, p)));
  });
  r.add('DELETE', ArmPaths.localNetworkGateway, async (p) => {
    const l = byId(model().localNetworkGateways, lngIdOf(p));
    if (!l) return { status: 204 };
    await apply(deleteLocalNetworkGateway(model(), l.id), `local network gateway ${l.name} deleted`);
    return { status: 200 };
  });

  // --- connections -----------------------------------------------------------------------
  const connIdOf = (p: Params) =>
    resourceId(sub(), p.resourceGroupName!, 'connections', p.virtualNetworkGatewayConnectionName!);
  const getConn = (m: AzureModel, p: Params) => {
    const c = byId(m.connections, connIdOf(p));
    if (!c)
      throw AzureErrors.resourceNotFound(
        'Microsoft.Network/connections',
        p.virtualNetworkGatewayConnectionName!,
        p.resourceGroupName!,
      );
    return c;
  };
  r.add('GET', ArmPaths.connections, (p) => listInGroup(model().connections, p.resourceGroupName!, connectionJson));
  r.add('GET', ArmPaths.connection, (p) => ({ status: 200, body: connectionJson(getConn(model(), p)) }));
  r.add('PUT', ArmPaths.connection, async (p, body) => {
    const props = properties(body);
    const base = 'properties';
    const type = required(field(props, base, 'connectionType', 'string'), 'properties.connectionType');
    const gw = required(refId(props, base, 'virtualNetworkGateway1'), 'properties.virtualNetworkGateway1.id');
    const peer = refId(props, base, 'peer');
    const site = refId(props, base, 'localNetworkGateway2');
    const weight = field(props, base, 'routingWeight', 'number');
    const enableBgp = field(props, base, 'enableBgp', 'boolean');
    const loc = location(body);
    const existed = byId(model().connections, connIdOf(p)) !== undefined;
    const next = putConnection(model(), p.resourceGroupName!, p.virtualNetworkGatewayConnectionName!, {
      ...(loc ? { location: loc } : {}),
      connectionType: type,
      virtualNetworkGateway1: gw,
      ...(peer ? { peer } : {}),
      ...(site ? { localNetworkGateway2: site } : {}),
      ...(weight !== undefined ? { routingWeight: weight } : {}),
      // An ExpressRoute connection always runs BGP with the MSEEs; az sends enableBgp false
      // on it, which ARM ignores: only an IPsec connection's switch is kept.
      ...(enableBgp !== undefined && sameName(type, 'IPsec') ? { enableBgp } : {}),
    });
    await apply(next, `connection ${p.virtualNetworkGatewayConnectionName} ${existed ? 'updated' : 'created'}`);
    await lab.settled();
    return created(existed, connectionJson(getConn(lab.model, p)));
  });
  r.add('DELETE', ArmPaths.connection, async (p) => {
    const c = byId(model().connections, connIdOf(p));
    if (!c) return { status: 204 };
    await apply(deleteConnection(model(), c.id), `connection ${c.name} deleted`);
    await lab.settled();
    return { status: 200 };
  });

  // --- expressRouteCircuits (GET: api/routes/gateways), peerings, Global Reach ---------------
  const circuitIdOf = (p: Params) => resourceId(sub(), p.resourceGroupName!, 'expressRouteCircuits', p.circuitName!);
  r.add('PUT', ArmPaths.expressRouteCircuit, async (p, body) => {
    const props = properties(body);
    const base = 'properties';
    const sp = field(props, base, 'serviceProviderProperties', 'object');
    const sb = 'properties.serviceProviderProperties';
    const tier = field(field(objectAt(body), '', 'sku', 'object'), 'sku', 'tier', 'string');
    const peerings = arrayAt(props, base, 'peerings')?.map((x, i) => {
      const at = `properties.peerings[${i}]`;
      const item = objectAt(x, at);
      return {
        name: required(field(item, at, 'name', 'string'), `${at}.name`),
        ...peeringInput(field(item, at, 'properties', 'object') ?? {}, `${at}.properties`),
      };
    });
    const loc = location(body);
    const existed = byId(model().expressRouteCircuits, circuitIdOf(p)) !== undefined;
    const next = putExpressRouteCircuit(model(), p.resourceGroupName!, p.circuitName!, {
      ...(loc ? { location: loc } : {}),
      serviceProviderName: required(field(sp, sb, 'serviceProviderName', 'string'), `${sb}.serviceProviderName`),
      peeringLocation: required(field(sp, sb, 'peeringLocation', 'string'), `${sb}.peeringLocation`),
      bandwidthInMbps: required(field(sp, sb, 'bandwidthInMbps', 'number'), `${sb}.bandwidthInMbps`),
      ...(tier ? { skuTier: tier } : {}),
      ...(peerings ? { peerings } : {}),
    });
    await apply(next, `ExpressRoute circuit ${p.circuitName} ${existed ? 'updated' : 'created'}`);
    await lab.settled();
    return created(existed, circuitJson(lab.model, getCircuit(lab.model, p.resourceGroupName!, p.circuitName!)));
  });
  r.add('DELETE', ArmPaths.expressRouteCircuit, async (p) => {
    const c = byId(model().expressRouteCircuits, circuitIdOf(p));
    if (!c) return { status: 204 };
    await apply(deleteExpressRouteCircuit(model(), c.id), `ExpressRoute circuit ${c.name} deleted`);
    return { status: 200 };
  });
  const peeringNotFound = (p: Params) =>
    AzureErrors.resourceNotFound(
      'Microsoft.Network/expressRouteCircuits/peerings',
      `${p.circuitName}/${p.peeringName}`,
      p.resourceGroupName!,
    );
  r.add('GET', ArmPaths.circuitPeerings, (p) => {
    const c = getCircuit(model(), p.resourceGroupName!, p.circuitName!);
    const json = peeringJson(model(), c);
    return { status: 200, body: { value: json ? [json] : [] } };
  });
  r.add('GET', ArmPaths.circuitPeering, (p) => {
    const c = getCircuit(model(), p.resourceGroupName!, p.circuitName!);
    const json = c.peerings.some((x) => sameName(x.name, p.peeringName!)) ? peeringJson(model(), c) : undefined;
    if (!json) throw peeringNotFound(p);
    return { status: 200, body: json };
  });
  r.add('PUT', ArmPaths.circuitPeering, async (p, body) => {
    const props = properties(body);
    const type = field(props, 'properties', 'peeringType', 'string');
    if (type !== undefined && !sameName(type, p.peeringName!))
      throw AzureErrors.invalidParameter('peeringType', `'${type}' differs from the peering's name '${p.peeringName}'`);
    const id = circuitIdOf(p);
    const existed =
      byId(model().expressRouteCircuits, id)?.peerings.some((x) => sameName(x.name, p.peeringName!)) ?? false;
    await apply(
      putCircuitPeering(model(), id, p.peeringName!, peeringInput(props, 'properties')),
      `ExpressRoute circuit ${p.circuitName} peering ${p.peeringName} ${existed ? 'updated' : 'created'}`,
    );
    await lab.settled();
    return created(existed, peeringJson(lab.model, byId(lab.model.expressRouteCircuits, id)!));
  });
  r.add('DELETE', ArmPaths.circuitPeering, async (p) => {
    const c = byId(model().expressRouteCircuits, circuitIdOf(p));
    if (!c?.peerings.some((x) => sameName(x.name, p.peeringName!))) return { status: 204 };
    await apply(deleteCircuitPeering(model(), c.id, p.peeringName!), `ExpressRoute circuit ${c.name} peering deleted`);
    return { status: 200 };
  });
  r.add('GET', ArmPaths.circuitConnections, (p) => {
    const c = getCircuit(model(), p.resourceGroupName!, p.circuitName!);
    const json = peeringJson(model(), c)?.['properties'] as { connections: unknown[] } | undefined;
    if (!json || !sameName(p.peeringName!, 'AzurePrivatePeering')) throw peeringNotFound(p);
    return { status: 200, body: { value: json.connections } };
  });
  r.add('GET', ArmPaths.circuitConnection, (p) => {
    const c = getCircuit(model(), p.resourceGroupName!, p.circuitName!);
    const json = globalReachJson(model(), c, p.connectionName!);
    if (!json)
      throw AzureErrors.resourceNotFound(
        'Microsoft.Network/expressRouteCircuits/peerings/connections',
        `${p.circuitName}/${p.peeringName}/${p.connectionName}`,
        p.resourceGroupName!,
      );
    return { status: 200, body: json };
  });
  // Global Reach (R-ER-6): the two circuits' MSEEs peer link by link.
  r.add('PUT', ArmPaths.circuitConnection, async (p, body) => {
    const props = properties(body);
    const base = 'properties';
    const peerPeering = required(
      refId(props, base, 'peerExpressRouteCircuitPeering'),
      'properties.peerExpressRouteCircuitPeering.id',
    );
    const addressPrefix = required(field(props, base, 'addressPrefix', 'string'), 'properties.addressPrefix');
    const id = circuitIdOf(p);
    const existed =
      byId(model().expressRouteCircuits, id)?.globalReachConnections.some((x) => sameName(x.name, p.connectionName!)) ??
      false;
    await apply(
      putGlobalReachConnection(model(), id, p.peeringName!, p.connectionName!, {
        peerCircuit: circuitOfPeering(peerPeering),
        addressPrefix,
      }),
      `Global Reach ${p.circuitName}/${p.connectionName} ${existed ? 'updated' : 'created'}`,
    );
    await lab.settled();
    return created(existed, globalReachJson(lab.model, byId(lab.model.expressRouteCircuits, id)!, p.connectionName!));
  });
  r.add('DELETE', ArmPaths.circuitConnection, async (p) => {
    const c = byId(model().expressRouteCircuits, circuitIdOf(p));
    if (!c?.globalReachConnections.some((x) => sameName(x.name, p.connectionName!))) return { status: 204 };
    await apply(
      deleteGlobalReachConnection(model(), c.id, p.connectionName!),
      `Global Reach ${c.name}/${p.connectionName} deleted`,
    );
    await lab.settled();
    return { status: 200 };
  });
}
