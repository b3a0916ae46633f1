/**
 * @module api/routes/gateways
 * ARM paths for the hybrid resources: virtual network gateways (show, learned and
 * advertised routes, BGP peer status — long-running POSTs answering 202 + Location, as ARM
 * does), ExpressRoute circuits (show, the MSEE route table and its summary per link), and
 * PATCH of a route server (branch-to-branch, hub routing preference: the lab re-applies
 * the model, route servers and gateways react, R-ARS-11 and R-ARS-7).
 *
 * Every answer is read from the running lab's speakers (azure/gatewayListings).
 * ARSLab extension: `?instance=0|1` on the gateway operations picks the instance that answers
 * (Azure answers from one instance; default 0).
 */
import {
  assertModelValid,
  AzureErrors,
  getRouteServer,
  idKey,
  sameName,
  type AzureModel,
  type ExpressRouteCircuit,
  type HubRoutingPreference,
  type VirtualNetworkGateway,
} from '../../azure/index.js';
import {
  bgpPeerStatus,
  circuitRouteSummary,
  circuitRouteTable,
  gatewayAdvertisedRoutes,
  gatewayLearnedRoutes,
  type GatewayPeerView,
} from '../../azure/gatewayListings.js';
import type { Speaker } from '../../rib/index.js';
import type { LabSpeaker, SessionSide, SessionState } from '../../lab/graph/index.js';
import type { CircuitRuntime, GatewayRuntime } from '../../lab/hybrid.js';
import type { Lab } from '../../lab/lab.js';
import { etag, routeServerJson } from '../arm.js';
import { field, properties } from '../body.js';
import { ArmPaths } from '../paths.js';
import { listInGroup, type ApiContext, type Router } from '../router.js';

function requireGroup(model: AzureModel, rg: string): void {
  if (!model.resourceGroups.some((g) => sameName(g.name, rg))) throw AzureErrors.resourceGroupNotFound(rg);
}

export function getGateway(model: AzureModel, rg: string, name: string): VirtualNetworkGateway {
  requireGroup(model, rg);
  const g = model.virtualNetworkGateways.find((x) => sameName(x.resourceGroup, rg) && sameName(x.name, name));
  if (!g) throw AzureErrors.resourceNotFound('Microsoft.Network/virtualNetworkGateways', name, rg);
  return g;
}

export function getCircuit(model: AzureModel, rg: string, name: string): ExpressRouteCircuit {
  requireGroup(model, rg);
  const c = model.expressRouteCircuits.find((x) => sameName(x.resourceGroup, rg) && sameName(x.name, name));
  if (!c) throw AzureErrors.resourceNotFound('Microsoft.Network/expressRouteCircuits', name, rg);
  return c;
}

/** A gateway's instances, from the lab graph, instance 0 first. */
function gatewayInstances(lab: Lab, gw: VirtualNetworkGateway): LabSpeaker[] {
  return lab.graph
    .speakers({ kind: ['expressroute-gateway', 'vpn-gateway'] })
    .filter((s) => s.owner.kind === 'gateway' && idKey(s.owner.runtime.resource.id) === idKey(gw.id));
}

/** The instance that answers (`?instance=`, default 0). */
function instanceOf(
  lab: Lab,
  gw: VirtualNetworkGateway,
  url: URL,
): { rt: GatewayRuntime; index: number; speaker: Speaker } {
  const instances = gatewayInstances(lab, gw);
  const first = instances[0]?.owner;
  if (first?.kind !== 'gateway')
    throw AzureErrors.resourceNotFound('Microsoft.Network/virtualNetworkGateways', gw.name, gw.resourceGroup);
  const raw = url.searchParams.get('instance') ?? '0';
  const index = Number(raw);
  const speaker = /^\d+$/.test(raw)
    ? instances.find((s) => s.owner.kind === 'gateway' && s.owner.instance === index)?.rib
    : undefined;
  if (!speaker) {
    throw AzureErrors.invalidParameter(
      'instance',
      `gateway '${gw.name}' has instance${instances.length > 1 ? 's 0 and 1' : ' 0 only (active-standby)'}; got '${raw}'`,
    );
  }
  return { rt: first.runtime, index, speaker };
}

/** Every session of a speaker, from its side; route-server sessions only while branch-to-branch is on (they do not exist otherwise). */
function sessionsOf(lab: Lab, speaker: Speaker): SessionSide[] {
  const s = lab.graph.speakerOf(speaker);
  return s ? lab.graph.sidesOf(s, { active: true }) : [];
}

/** A session state as the listings know it: any state short of Established reads as Idle (the gateway keeps trying). */
function listedState(s: SessionState): GatewayPeerView['state'] {
  return s === 'Established' || s === 'Cut' || s === 'AdminDown' ? s : 'Idle';
}

function peerView({ session, side, local, remote }: SessionSide): GatewayPeerView {
  const v = session.view(side);
  return {
    localAddress: local.address,
    neighbor: remote.address,
    asn: remote.asn,
    kind: local.source?.kind === 'ibgp' ? 'ibgp' : 'ebgp',
    state: listedState(v.state),
    ...(v.connectedMs !== undefined ? { connectedMs: v.connectedMs } : {}),
    routesReceived: v.routesReceived,
    messagesSent: v.messagesSent,
    messagesReceived: v.messagesReceived,
  };
}

export function learnedRoutesOf(lab: Lab, gw: VirtualNetworkGateway, url: URL) {
  const { rt, index, speaker } = instanceOf(lab, gw, url);
  const local = new Map<number, string>();
  for (const x of sessionsOf(lab, speaker)) if (x.local.source) local.set(x.local.source.id, x.local.address);
  return gatewayLearnedRoutes({
    address: gw.instanceAddresses[index as 0 | 1],
    prefixes: [...speaker.locRib()].map((e) => e.prefix),
    candidates: (p) => speaker.candidates(p),
    localAddressOf: (p) => local.get(p.source.id),
    order: rt.arrival[index]!,
  });
}

export function advertisedRoutesOf(lab: Lab, gw: VirtualNetworkGateway, url: URL) {
  const peer = url.searchParams.get('peer');
  if (!peer) throw AzureErrors.invalidParameter('peer', 'the peer IP address is required');
  const { index, speaker } = instanceOf(lab, gw, url);
  const all = sessionsOf(lab, speaker);
  const hit = all.find((x) => x.remote.address === peer);
  if (!hit?.local.source) {
    throw AzureErrors.invalidParameter(
      'peer',
      `${peer} is not a BGP peer of gateway '${gw.name}' instance ${index} (peers: ${all.map((x) => x.remote.address).join(', ') || 'none'})`,
    );
  }
  return gatewayAdvertisedRoutes(hit.local.address, speaker.adjRibOut(hit.local.source.id));
}

export function bgpPeerStatusOf(lab: Lab, gw: VirtualNetworkGateway, url: URL) {
  const { speaker } = instanceOf(lab, gw, url);
  const peer = url.searchParams.get('peer') ?? undefined;
  return bgpPeerStatus(sessionsOf(lab, speaker).map(peerView), peer);
}

function circuitLink(
  lab: Lab,
  c: ExpressRouteCircuit,
  peering: string,
  path: string,
): { rt: CircuitRuntime; link: 0 | 1 } {
  if (!sameName(peering, 'AzurePrivatePeering')) {
    throw AzureErrors.circuitPeeringNotFound(peering, c.name);
  }
  const p = path.toLowerCase();
  if (p !== 'primary' && p !== 'secondary')
    throw AzureErrors.invalidParameter('devicePath', `expected primary or secondary, got '${path}'`);
  const rt = lab.graph.circuits().find((x) => idKey(x.resource.id) === idKey(c.id));
  if (!rt) throw AzureErrors.resourceNotFound('Microsoft.Network/expressRouteCircuits', c.name, c.resourceGroup);
  return { rt, link: p === 'primary' ? 0 : 1 };
}

export function circuitRoutesOf(lab: Lab, c: ExpressRouteCircuit, peering: string, path: string) {
  const { rt, link } = circuitLink(lab, c, peering, path);
  const msee = rt.msees[link];
  return circuitRouteTable(
    [...msee.locRib()].map(({ prefix, best }) => ({ prefix, best, candidates: msee.candidates(prefix) })),
  );
}

export function circuitSummaryOf(lab: Lab, c: ExpressRouteCircuit, peering: string, path: string) {
  const { rt, link } = circuitLink(lab, c, peering, path);
  return circuitRouteSummary(
    lab.graph.sessionsOfCircuitLink(rt, link).map(({ session, side, remote }) => {
      const v = session.view(side);
      return {
        neighbor: remote.address,
        asn: remote.asn,
        state: listedState(v.state),
        ...(v.connectedMs !== undefined ? { connectedMs: v.connectedMs } : {}),
        routesReceived: v.routesReceived,
      };
    }),
  );
}

// ---------------------------------------------------------------------------
// Resource JSON (ARM envelope with properties; the CLI flattens it as az does)

export function gatewayJson(g: VirtualNetworkGateway): Record<string, unknown> {
  const n = g.gatewayType === 'ExpressRoute' || g.activeActive ? 2 : 1;
  const ipconfigs = Array.from(
    { length: n },
    (_, i) => `${g.id}/ipConfigurations/${i === 0 ? 'default' : 'activeActive'}`,
  );
  return {
    name: g.name,
    id: g.id,
    etag: etag(g.id),
    type: 'Microsoft.Network/virtualNetworkGateways',
    location: g.location,
    properties: {
      provisioningState: 'Succeeded',
      ipConfigurations: ipconfigs.map((id, i) => ({
        name: id.slice(id.lastIndexOf('/') + 1),
        id,
        etag: etag(id),
        type: 'Microsoft.Network/virtualNetworkGateways/ipConfigurations',
        properties: {
          privateIPAllocationMethod: 'Dynamic',
          privateIPAddress: g.instanceAddresses[i],
          subnet: { id: g.subnet },
          ...(g.publicIpAddresses[i] ? { publicIPAddress: { ipAddress: g.publicIpAddresses[i] } } : {}),
          provisioningState: 'Succeeded',
        },
      })),
      sku: { name: g.sku, tier: g.sku, capacity: 2 },
      gatewayType: g.gatewayType,
      ...(g.gatewayType === 'Vpn' ? { vpnType: 'RouteBased' } : {}),
      enableBgp: g.gatewayType === 'ExpressRoute' ? false : g.enableBgp,
      activeActive: g.activeActive,
      bgpSettings: {
        asn: g.asn,
        bgpPeeringAddress: g.instanceAddresses.slice(0, n).join(','),
        peerWeight: 0,
        bgpPeeringAddresses: ipconfigs.map((id, i) => ({
          ipconfigurationId: id,
          defaultBgpIpAddresses: [g.instanceAddresses[i]],
          customBgpIpAddresses: g.customBgpIpAddresses[i] ? [g.customBgpIpAddresses[i]] : [],
          tunnelIpAddresses: g.publicIpAddresses[i] ? [g.publicIpAddresses[i]] : [],
        })),
      },
    },
  };
}

export function circuitJson(model: AzureModel, c: ExpressRouteCircuit): Record<string, unknown> {
  const pid = `${c.id}/peerings/AzurePrivatePeering`;
  return {
    name: c.name,
    id: c.id,
    etag: etag(c.id),
    type: 'Microsoft.Network/expressRouteCircuits',
    location: c.location,
    sku: { name: `${c.skuTier}_MeteredData`, tier: c.skuTier, family: 'MeteredData' },
    properties: {
      provisioningState: 'Succeeded',
      circuitProvisioningState: 'Enabled',
      serviceProviderProvisioningState: 'Provisioned',
      allowClassicOperations: false,
      serviceProviderProperties: {
        serviceProviderName: c.serviceProviderName,
        peeringLocation: c.peeringLocation,
        bandwidthInMbps: c.bandwidthInMbps,
      },
      globalReachEnabled: c.globalReachConnections.length > 0,
      peerings: c.peerings.map((p) => ({
        name: p.name,
        id: pid,
        etag: etag(pid),
        type: 'Microsoft.Network/expressRouteCircuits/peerings',
        properties: {
          provisioningState: 'Succeeded',
          peeringType: 'AzurePrivatePeering',
          azureASN: 12076,
          peerASN: p.peerASN,
          primaryPeerAddressPrefix: p.primaryPeerAddressPrefix,
          secondaryPeerAddressPrefix: p.secondaryPeerAddressPrefix,
          state: 'Enabled',
          vlanId: p.vlanId,
          gatewayManagerEtag: '',
          connections: c.globalReachConnections.map((g) => {
            const peer = model.expressRouteCircuits.find((x) => idKey(x.id) === idKey(g.peerCircuit));
            const id = `${pid}/connections/${g.name}`;
            return {
              name: g.name,
              id,
              etag: etag(id),
              type: 'Microsoft.Network/expressRouteCircuits/peerings/connections',
              properties: {
                expressRouteCircuitPeering: { id: pid },
                peerExpressRouteCircuitPeering: { id: `${g.peerCircuit}/peerings/AzurePrivatePeering` },
                addressPrefix: g.addressPrefix,
                circuitConnectionStatus: peer ? 'Connected' : 'Disconnected',
                provisioningState: 'Succeeded',
              },
            };
          }),
        },
      })),
    },
  };
}

// ---------------------------------------------------------------------------
// PATCH of a route server (az network routeserver update)

const PREFERENCES: readonly HubRoutingPreference[] = ['ExpressRoute', 'VpnGateway', 'ASPath'];

/** The model with a route server's mutable properties changed (R-ARS-7, R-ARS-11); checked as a whole. */
export function patchRouteServer(
  model: AzureModel,
  rsId: string,
  body: unknown,
): { model: AzureModel; changes: string[] } {
  const props = properties(body);
  const rs = model.routeServers.find((r) => idKey(r.id) === idKey(rsId))!;
  const changes: string[] = [];
  let b2b = rs.allowBranchToBranchTraffic;
  let pref = rs.hubRoutingPreference;
  const rawB2b = field(props, 'properties', 'allowBranchToBranchTraffic', 'boolean');
  if (rawB2b !== undefined) {
    if (rawB2b !== b2b) changes.push(`allowBranchToBranchTraffic ${rawB2b}`);
    b2b = rawB2b;
  }
  const rawPref = field(props, 'properties', 'hubRoutingPreference', 'string');
  if (rawPref !== undefined) {
    const p = PREFERENCES.find((x) => sameName(x, rawPref));
    if (!p)
      throw AzureErrors.invalidParameter(
        'hubRoutingPreference',
        `expected one of ${PREFERENCES.join(', ')}, got ${JSON.stringify(rawPref)}`,
      );
    if (p !== pref) changes.push(`hubRoutingPreference ${p}`);
    pref = p;
  }
  const next: AzureModel = {
    ...model,
    routeServers: model.routeServers.map((r) =>
      r === rs ? { ...r, allowBranchToBranchTraffic: b2b, hubRoutingPreference: pref } : r,
    ),
  };
  assertModelValid(next);
  return { model: next, changes };
}

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  const model = () => lab.model;

  // --- virtualNetworkGateways ---------------------------------------------------
  r.add('GET', ArmPaths.virtualNetworkGateway, (p) => ({
    status: 200,
    body: gatewayJson(getGateway(model(), p.resourceGroupName!, p.virtualNetworkGatewayName!)),
  }));
  r.add('GET', ArmPaths.virtualNetworkGateways, (p) =>
    listInGroup(model().virtualNetworkGateways, p.resourceGroupName!, gatewayJson),
  );
  for (const [path, listing] of [
    [ArmPaths.gatewayLearnedRoutes, learnedRoutesOf],
    [ArmPaths.gatewayAdvertisedRoutes, advertisedRoutesOf],
    [ArmPaths.gatewayBgpPeerStatus, bgpPeerStatusOf],
  ] as const) {
    r.add('POST', path, async (p, _b, url) => {
      await lab.settled();
      const gw = getGateway(model(), p.resourceGroupName!, p.virtualNetworkGatewayName!);
      return ctx.accepted(p.subscriptionId!, { value: listing(lab, gw, url) });
    });
  }

  // --- expressRouteCircuits -----------------------------------------------------
  r.add('GET', ArmPaths.expressRouteCircuit, (p) => ({
    status: 200,
    body: circuitJson(model(), getCircuit(model(), p.resourceGroupName!, p.circuitName!)),
  }));
  r.add('GET', ArmPaths.expressRouteCircuits, (p) =>
    listInGroup(model().expressRouteCircuits, p.resourceGroupName!, (c) => circuitJson(model(), c)),
  );
  for (const [path, listing] of [
    [ArmPaths.circuitRouteTable, circuitRoutesOf],
    [ArmPaths.circuitRouteTableSummary, circuitSummaryOf],
  ] as const) {
    r.add('POST', path, async (p) => {
      await lab.settled();
      const c = getCircuit(model(), p.resourceGroupName!, p.circuitName!);
      return ctx.accepted(p.subscriptionId!, { value: listing(lab, c, p.peeringName!, p.devicePath!) });
    });
  }

  // --- virtualHubs (route server): PATCH (PUT, create or update, is api/routes/resources) ------
  for (const method of ['PATCH']) {
    r.add(method, ArmPaths.virtualHub, async (p, body) => {
      const rs = getRouteServer(model(), p.resourceGroupName!, p.virtualHubName!);
      const { model: next, changes } = patchRouteServer(model(), rs.id, body);
      if (changes.length) await lab.applyModel(next, `route server ${rs.name} updated: ${changes.join(', ')}`);
      await lab.settled();
      return { status: 200, body: routeServerJson(getRouteServer(lab.model, p.resourceGroupName!, p.virtualHubName!)) };
    });
  }
}
