/**
 * @module azure/validate
 * Checks a whole model the way Azure Resource Manager would refuse it, plus warnings for
 * designs Azure accepts but that do not work as people expect (azure-routing.md §7).
 * Pure: returns every problem at once; nothing is started or changed.
 */
import {
  formatIpv4,
  formatPrefix,
  parseIpv4,
  parsePrefix,
  prefixContains,
  v4Prefix,
  type Prefix,
} from '../bgp/wire/index.js';
import {
  AZURE_VPN_APIPA,
  EXPRESSROUTE_GATEWAY_SKUS,
  MAX_CIRCUITS_PER_GATEWAY,
  VPN_GATEWAY_SKUS,
  GATEWAY_SUBNET_NAME,
  isReservedPeeringAsn,
  isReservedVpnAsn,
  MAX_ROUTING_WEIGHT,
  MIN_SPECIAL_SUBNET_PREFIX,
  ROUTE_SERVER_ASN,
  ROUTE_SERVER_SUBNET_NAME,
} from './constants.js';
import { AzureErrors, ModelWarnings, type AzureError, type ModelWarning } from './errors.js';
import { checkGlobalReach } from './expressRoute.js';
import { idKey } from './ids.js';
import { byId, connectedPeers, findSubnet, peeringBetween, routeServerOfVnet } from './lookup.js';
import { indexedGatewaysOfVnet } from './modelIndex.js';
import type {
  AzureModel,
  ExpressRouteCircuit,
  ExpressRouteCircuitPeering,
  GatewayType,
  Subnet,
  VirtualNetwork,
  VirtualNetworkGateway,
} from './model.js';
import { checkPeerAsn } from './routeServer.js';

/** R-VPN-1: Azure's APIPA range for VPN BGP addresses, 169.254.21.0-169.254.22.255. */
export function isAzureVpnApipa(ip: string): boolean {
  const a = parseIpv4(ip);
  return a !== undefined && a >= AZURE_VPN_APIPA.first && a <= AZURE_VPN_APIPA.last;
}

/** One problem of a model: an error Azure would refuse it with, or a warning (ModelWarning) it would accept. */
export type ModelProblem = (
  | { readonly severity: 'error'; readonly error: AzureError }
  | { readonly severity: 'warning'; readonly warning: ModelWarning }
) & {
  /** The resource at fault (ARM id) and, when known, its property. */
  readonly resourceId: string;
  readonly property?: string;
};

export function validateModel(model: AzureModel): ModelProblem[] {
  const out: ModelProblem[] = [];
  const err = (error: AzureError, resourceId: string, property?: string) =>
    out.push(property ? { severity: 'error', error, resourceId, property } : { severity: 'error', error, resourceId });
  const warn = (warning: ModelWarning, resourceId: string, property?: string) =>
    out.push(
      property ? { severity: 'warning', warning, resourceId, property } : { severity: 'warning', warning, resourceId },
    );

  // VNets and subnets: O(subnets × log) per VNet (overlaps found on the sorted subnets).
  for (const vnet of model.virtualNetworks) {
    const overlaps = overlappingSubnets(vnet.subnets);
    vnet.subnets.forEach((s, i) => {
      if (!vnet.prefixes.some((vp) => prefixContains(vp, s.prefix))) {
        err(AzureErrors.subnetNotInVnet(s.name, s.addressPrefix, vnet.name), s.id, 'addressPrefix');
      }
      for (const j of overlaps.get(i) ?? []) {
        const t = vnet.subnets[j]!;
        err(AzureErrors.subnetsOverlap(t.name, s.name, vnet.name), t.id, 'addressPrefix');
      }
      if (s.routeTable && !byId(model.routeTables, s.routeTable)) {
        err(AzureErrors.invalidResourceReference(s.routeTable, s.id), s.id, 'routeTable');
      }
    });
  }

  // NICs: addresses inside their subnet, not reserved, not shared.
  const owners = new Map<string, string>();
  for (const nic of model.networkInterfaces) {
    for (const c of nic.ipConfigurations) {
      const w = findSubnet(model, c.subnet);
      if (!w) {
        err(AzureErrors.invalidResourceReference(c.subnet, nic.id), nic.id, 'subnet');
        continue;
      }
      const a = parseIpv4(c.privateIPAddress);
      if (a === undefined || !prefixContains(w.subnet.prefix, v4Prefix(a, 32))) {
        err(AzureErrors.privateIpNotInSubnet(c.privateIPAddress, w.subnet.name), nic.id, 'privateIpAddress');
        continue;
      }
      // Azure reserves the network address, .1-.3 and the broadcast address of every subnet.
      const offset = (a - (w.subnet.prefix.addr as number)) >>> 0;
      const size = 2 ** (32 - w.subnet.prefix.len);
      if (offset < 4 || offset === size - 1)
        err(AzureErrors.privateIpReserved(c.privateIPAddress, w.subnet.name), nic.id, 'privateIpAddress');
      const prev = owners.get(c.privateIPAddress);
      if (prev) err(AzureErrors.privateIpInUse(c.privateIPAddress, prev), nic.id, 'privateIpAddress');
      else owners.set(c.privateIPAddress, nic.name);
    }
  }

  // Route tables (R-NIC-3)
  for (const t of model.routeTables) {
    const seen = new Set<string>();
    for (const r of t.routes) {
      const p = parsePrefix(r.addressPrefix);
      if (!p) {
        err(
          AzureErrors.invalidParameter(
            'addressPrefix',
            `route '${r.name}': ${r.addressPrefix} is not a valid prefix (host bits must be zero)`,
          ),
          t.id,
          `routes.${r.name}.addressPrefix`,
        );
        continue;
      }
      const k = r.addressPrefix;
      if (seen.has(k)) err(AzureErrors.routeConflict(t.name, k), t.id, `routes.${r.name}.addressPrefix`);
      seen.add(k);
      if (r.nextHopType === 'VirtualAppliance' && !r.nextHopIpAddress) {
        err(
          AzureErrors.invalidNextHop(r.name, 'nextHopType VirtualAppliance needs nextHopIpAddress'),
          t.id,
          `routes.${r.name}.nextHopIpAddress`,
        );
      }
      if (r.nextHopType !== 'VirtualAppliance' && r.nextHopIpAddress) {
        err(
          AzureErrors.invalidNextHop(
            r.name,
            `nextHopIpAddress is only allowed with nextHopType VirtualAppliance, not ${r.nextHopType}`,
          ),
          t.id,
          `routes.${r.name}.nextHopIpAddress`,
        );
      }
    }
  }

  // Route Servers (R-ARS-2, R-ARS-3)
  const perVnet = new Map<string, string>();
  for (const rs of model.routeServers) {
    const w = findSubnet(model, rs.subnet);
    if (!w) {
      err(AzureErrors.invalidResourceReference(rs.subnet, rs.id), rs.id, 'subnet');
      continue;
    }
    if (w.subnet.name !== ROUTE_SERVER_SUBNET_NAME)
      err(AzureErrors.invalidRouteServerSubnetName(w.subnet.name), rs.id, 'subnet');
    if (w.subnet.prefix.len > MIN_SPECIAL_SUBNET_PREFIX)
      err(AzureErrors.routeServerSubnetTooSmall(w.subnet.addressPrefix), rs.id, 'subnet');
    else if (w.subnet.prefix.len === MIN_SPECIAL_SUBNET_PREFIX) {
      warn(ModelWarnings.routeServerSubnetBelowRecommended(w.subnet.addressPrefix), rs.id, 'subnet');
    }
    if (w.subnet.routeTable) err(AzureErrors.routeServerSubnetHasRouteTable(), w.subnet.id, 'routeTable');
    if (w.subnet.networkSecurityGroup) err(AzureErrors.routeServerSubnetHasNsg(), w.subnet.id, 'networkSecurityGroup');
    const vk = idKey(w.vnet.id);
    if (perVnet.has(vk)) err(AzureErrors.onlyOneRouteServerPerVnet(w.vnet.name), rs.id);
    perVnet.set(vk, rs.id);

    if (rs.bgpConnections.length > model.routeServerSettings.maxPeerings) {
      err(AzureErrors.tooManyPeerings(rs.name, model.routeServerSettings.maxPeerings), rs.id, 'peerings');
    }
    const ips = new Set<string>();
    for (const c of rs.bgpConnections) {
      const e = checkPeerAsn(c.peerAsn);
      if (e) err(e, c.id, 'peerAsn');
      if (parseIpv4(c.peerIp) === undefined)
        err(AzureErrors.invalidParameter('peerIp', `${c.peerIp} is not an IPv4 address`), c.id, 'peerIp');
      if (ips.has(c.peerIp)) err(AzureErrors.duplicatePeerIp(c.peerIp), c.id, 'peerIp');
      ips.add(c.peerIp);
      if (rs.virtualRouterIps.includes(c.peerIp)) {
        err(AzureErrors.invalidParameter('peerIp', `${c.peerIp} is the Route Server's own address`), c.id, 'peerIp');
      }
      // R-ARS-23: ARM accepts any peer IP; one in a VNet the Route Server cannot reach never peers.
      const away = unreachablePeerVnet(model, w.vnet, c.peerIp);
      if (away) warn(ModelWarnings.peerUnreachable(c.name, c.peerIp, away.name, rs.name, w.vnet.name), c.id, 'peerIp');
    }
  }

  validateHybrid(model, err);

  // VNet peerings: both sides, gateway transit (R-ARS-8). O(peerings): every lookup is indexed.
  for (const vnet of model.virtualNetworks) {
    for (const p of vnet.virtualNetworkPeerings) {
      const remote = byId(model.virtualNetworks, p.remoteVirtualNetwork);
      if (!remote) {
        err(AzureErrors.invalidResourceReference(p.remoteVirtualNetwork, p.id), p.id, 'remoteVirtualNetwork');
        continue;
      }
      // The peering back from the remote VNet (both directions make the pair Connected).
      const back = peeringBetween(remote, vnet);
      if (!back) {
        warn(ModelWarnings.peeringInitiated(p.name, vnet.name, remote.name), p.id);
      }
      if (p.useRemoteGateways) {
        // R-ARS-24: "Only one peering can have this flag set to true" (VirtualNetworkPeering API).
        const first = vnet.virtualNetworkPeerings.find((q) => q.useRemoteGateways);
        if (first && first !== p)
          err(AzureErrors.useRemoteGatewaysTwice(p.name, vnet.name, first.name), p.id, 'useRemoteGateways');
        const own = ownGatewaysText(model, vnet);
        if (own) {
          err(
            AzureErrors.invalidParameter(
              'useRemoteGateways',
              `virtual network '${vnet.name}' has its own ${own} and cannot use remote gateways`,
            ),
            p.id,
            'useRemoteGateways',
          );
        }
        if (!ownGatewaysText(model, remote))
          err(AzureErrors.useRemoteGatewaysNoGateway(p.name, remote.name), p.id, 'useRemoteGateways');
        else if (back && !back.allowGatewayTransit)
          err(AzureErrors.useRemoteGatewaysWithoutTransit(p.name, remote.name), p.id, 'useRemoteGateways');
      }
    }
  }
  return out;
}

/** Throws the first error Azure would refuse `model` with (a change is all or nothing); warnings pass. */
export function assertModelValid(model: AzureModel): void {
  for (const p of validateModel(model)) if (p.severity === 'error') throw p.error;
}

/**
 * R-ARS-23: the VNet holding `peerIp` when it is neither the Route Server's VNet nor
 * connected to it by a peering (both directions, so Connected): the NVA there cannot reach
 * the Route Server. An address in no VNet of the model is not judged (it may be anywhere).
 */
function unreachablePeerVnet(model: AzureModel, hub: VirtualNetwork, peerIp: string): VirtualNetwork | undefined {
  const a = parseIpv4(peerIp);
  if (a === undefined) return undefined;
  const host = v4Prefix(a, 32);
  const holder = model.virtualNetworks.find((v) => v.prefixes.some((vp) => prefixContains(vp, host)));
  if (!holder || idKey(holder.id) === idKey(hub.id)) return undefined;
  return connectedPeers(model, hub).some((c) => idKey(c.remote.id) === idKey(holder.id)) ? undefined : holder;
}

/** "Route Server 'rs' and ExpressRoute gateway 'er1'": what makes `vnet` a hub, or '' when nothing does. */
function ownGatewaysText(model: AzureModel, vnet: VirtualNetwork): string {
  const parts: string[] = [];
  const rs = routeServerOfVnet(model, vnet);
  if (rs) parts.push(`Route Server '${rs.name}'`);
  for (const g of gatewaysOf(model, vnet))
    parts.push(`${g.gatewayType === 'Vpn' ? 'VPN' : 'ExpressRoute'} gateway '${g.name}'`);
  return parts.join(' and ');
}

function gatewaysOf(model: AzureModel, vnet: VirtualNetwork): readonly VirtualNetworkGateway[] {
  return indexedGatewaysOfVnet(model, vnet.id);
}

/**
 * Pairs of overlapping subnets of one VNet, as index i → the later indices j > i whose
 * prefix contains or is contained in subnet i's, in increasing j (the order a pairwise scan
 * reports them). IPv4 prefixes nest or are disjoint, so after sorting by (address, length)
 * each subnet overlaps exactly the earlier-sorted ones still open on a stack of enclosing
 * prefixes: O(n log n + overlapping pairs) instead of n²/2 comparisons.
 */
export function overlappingSubnets(subnets: readonly Subnet[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const order = subnets.map((_, i) => i);
  const cmpAddr = (a: number, b: number) => {
    const x = subnets[a]!.prefix.addr;
    const y = subnets[b]!.prefix.addr;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  order.sort((a, b) => cmpAddr(a, b) || subnets[a]!.prefix.len - subnets[b]!.prefix.len || a - b);
  const open: number[] = [];
  for (const j of order) {
    const pj = subnets[j]!.prefix;
    while (open.length > 0 && !prefixContains(subnets[open.at(-1)!]!.prefix, pj)) open.pop();
    for (const i of open) {
      const [lo, hi] = i < j ? [i, j] : [j, i];
      const l = out.get(lo);
      if (l) l.push(hi);
      else out.set(lo, [hi]);
    }
    open.push(j);
  }
  for (const l of out.values()) l.sort((a, b) => a - b);
  return out;
}

export function privatePeeringOf(circuit: ExpressRouteCircuit): ExpressRouteCircuitPeering | undefined {
  return circuit.peerings.find((p) => p.name === 'AzurePrivatePeering');
}

type Report = (error: AzureError, resourceId: string, property?: string) => void;

/** Where an address may go in a subnet: inside it, and not one of the five Azure reserves. */
function subnetAddressProblem(ip: string, subnet: Subnet): AzureError | undefined {
  const a = parseIpv4(ip);
  if (a === undefined || !prefixContains(subnet.prefix, v4Prefix(a, 32)))
    return AzureErrors.privateIpNotInSubnet(ip, subnet.name);
  const offset = (a - (subnet.prefix.addr as number)) >>> 0;
  if (offset < 4 || offset === 2 ** (32 - subnet.prefix.len) - 1) return AzureErrors.privateIpReserved(ip, subnet.name);
  return undefined;
}

/** The first VNet address space overlapping `p`: O(VNet prefixes), called a few times per circuit. */
function vnetOverlapping(model: AzureModel, p: Prefix): { vnet: VirtualNetwork; prefix: Prefix } | undefined {
  for (const vnet of model.virtualNetworks) {
    const hit = vnet.prefixes.find((vp) => prefixContains(vp, p) || prefixContains(p, vp));
    if (hit) return { vnet, prefix: hit };
  }
  return undefined;
}

/**
 * ExpressRoute and VPN: gateways (R-ER-3, R-VPN-1, R-ARS-11), connections, circuits and
 * their private peering (R-ER-1), Global Reach (R-ER-6), local network gateways.
 * @rule R-ER-1 R-ER-3 R-ER-6 R-VPN-1 R-ARS-11
 */
function validateHybrid(model: AzureModel, err: Report): void {
  // Addresses taken in each GatewaySubnet: NICs first, then gateway instances, then MSEE peer addresses.
  const taken = new Map<string, Map<string, string>>();
  const takenIn = (subnetId: string) => {
    const k = idKey(subnetId);
    let m = taken.get(k);
    if (!m) taken.set(k, (m = new Map()));
    return m;
  };
  for (const nic of model.networkInterfaces) {
    for (const c of nic.ipConfigurations)
      if (!takenIn(c.subnet).has(c.privateIPAddress)) takenIn(c.subnet).set(c.privateIPAddress, nic.name);
  }
  const claim = (subnet: Subnet, ip: string, owner: string, resourceId: string, property: string) => {
    const problem = subnetAddressProblem(ip, subnet);
    if (problem) return err(problem, resourceId, property);
    const m = takenIn(subnet.id);
    const prev = m.get(ip);
    if (prev !== undefined) return err(AzureErrors.privateIpInUse(ip, prev), resourceId, property);
    m.set(ip, owner);
  };

  // Gateways
  const byVnetAndType = new Map<string, string>();
  for (const gw of model.virtualNetworkGateways) {
    const w = findSubnet(model, gw.subnet);
    if (!w) {
      err(AzureErrors.invalidResourceReference(gw.subnet, gw.id), gw.id, 'virtualNetwork');
      continue;
    }
    if (w.subnet.name !== GATEWAY_SUBNET_NAME)
      err(AzureErrors.gatewaySubnetName(w.subnet.name), gw.id, 'virtualNetwork');
    if (w.subnet.prefix.len > MIN_SPECIAL_SUBNET_PREFIX)
      err(AzureErrors.gatewaySubnetTooSmall(w.subnet.addressPrefix), w.subnet.id, 'addressPrefix');
    const typeKey = `${idKey(w.vnet.id)}|${gw.gatewayType}`;
    const existing = byVnetAndType.get(typeKey);
    if (existing !== undefined)
      err(AzureErrors.secondGateway(w.vnet.name, gw.gatewayType, existing), gw.id, 'gatewayType');
    else byVnetAndType.set(typeKey, gw.name);

    const skus: readonly string[] = gw.gatewayType === 'ExpressRoute' ? EXPRESSROUTE_GATEWAY_SKUS : VPN_GATEWAY_SKUS;
    if (!skus.includes(gw.sku)) err(AzureErrors.skuNotForType(gw.sku, gw.gatewayType, skus), gw.id, 'sku');

    if (gw.gatewayType === 'ExpressRoute') {
      if (gw.asn !== ROUTE_SERVER_ASN) err(AzureErrors.expressRouteGatewayAsn(gw.asn), gw.id, 'asn');
      const why = (p: string, text: string) => err(AzureErrors.invalidParameter(p, text), gw.id, p);
      if (!gw.enableBgp) why('enableBgp', 'an ExpressRoute gateway always uses BGP with the MSEEs; it cannot be false');
      if (gw.publicIpAddresses.length > 0)
        why(
          'publicIpAddresses',
          "applies to VPN gateways, whose tunnels end on them; an ExpressRoute gateway's public IP is for management only and is not modelled",
        );
      if (gw.customBgpIpAddresses.length > 0)
        why(
          'customBgpIpAddresses',
          'APIPA BGP addresses apply to VPN gateways; an ExpressRoute gateway peers with the MSEEs from its instance addresses',
        );
    } else {
      const rs = routeServerOfVnet(model, w.vnet);
      if (rs) {
        // R-ARS-11, R-VPN-1: next to a Route Server, active-active and 65515 only.
        if (!gw.activeActive)
          err(
            AzureErrors.vpnGatewayWithRouteServer(gw.name, w.vnet.name, rs.name, 'it is active-standby'),
            gw.id,
            'activeActive',
          );
        if (gw.asn !== ROUTE_SERVER_ASN)
          err(
            AzureErrors.vpnGatewayWithRouteServer(gw.name, w.vnet.name, rs.name, `its ASN is ${gw.asn}`),
            gw.id,
            'asn',
          );
      } else if (gw.asn !== ROUTE_SERVER_ASN && isReservedVpnAsn(gw.asn)) {
        err(AzureErrors.vpnGatewayAsnReserved(gw.asn), gw.id, 'asn');
      }
      if (gw.sku === 'Basic') {
        if (gw.enableBgp) err(AzureErrors.basicSku('BGP'), gw.id, 'enableBgp');
        if (gw.activeActive) err(AzureErrors.basicSku('active-active mode'), gw.id, 'activeActive');
      }
      const active = gw.activeActive ? 2 : 1;
      if (gw.publicIpAddresses.length > 0 && gw.publicIpAddresses.length !== active) {
        err(
          AzureErrors.invalidParameter(
            'publicIpAddresses',
            gw.activeActive
              ? 'an active-active VPN gateway has two public IP addresses, one per instance'
              : 'an active-standby VPN gateway has one public IP address (set activeActive for two)',
          ),
          gw.id,
          'publicIpAddresses',
        );
      } else if (gw.publicIpAddresses.length === 2 && gw.publicIpAddresses[0] === gw.publicIpAddresses[1]) {
        err(
          AzureErrors.invalidParameter(
            'publicIpAddresses',
            `${gw.publicIpAddresses[0]} is given twice: each instance has its own public IP`,
          ),
          gw.id,
          'publicIpAddresses.1',
        );
      }
      if (gw.customBgpIpAddresses.length > active) {
        err(
          AzureErrors.invalidParameter(
            'customBgpIpAddresses',
            'an active-standby VPN gateway has one BGP address: give one APIPA address (set activeActive for two)',
          ),
          gw.id,
          'customBgpIpAddresses',
        );
      }
      gw.customBgpIpAddresses.forEach((ip, i) => {
        if (!isAzureVpnApipa(ip))
          err(AzureErrors.apipaOutOfRange(ip, "a VPN gateway's"), gw.id, `customBgpIpAddresses.${i}`);
        else if (i === 1 && ip === gw.customBgpIpAddresses[0])
          err(
            AzureErrors.invalidParameter('customBgpIpAddresses', `${ip} is given twice: each instance needs its own`),
            gw.id,
            'customBgpIpAddresses.1',
          );
      });
    }
    gw.instanceAddresses.forEach((ip, i) =>
      claim(w.subnet, ip, `virtual network gateway '${gw.name}' (instance ${i})`, gw.id, `instanceAddresses.${i}`),
    );
  }

  // Local network gateways
  for (const lng of model.localNetworkGateways) {
    if (lng.bgpSettings) {
      if (isReservedVpnAsn(lng.bgpSettings.asn))
        err(AzureErrors.onPremisesAsnReserved(lng.bgpSettings.asn), lng.id, 'bgpSettings.asn');
      const a = parseIpv4(lng.bgpSettings.bgpPeeringAddress);
      if (a !== undefined && a >>> 16 === 0xa9fe && !isAzureVpnApipa(lng.bgpSettings.bgpPeeringAddress)) {
        err(
          AzureErrors.apipaOutOfRange(lng.bgpSettings.bgpPeeringAddress, 'an on-premises device peering'),
          lng.id,
          'bgpSettings.bgpPeeringAddress',
        );
      }
    } else if (lng.addressPrefixes.length === 0) {
      err(
        AzureErrors.invalidParameter(
          'addressPrefixes',
          `local network gateway '${lng.name}' has neither address prefixes nor bgpSettings: Azure would not know what is behind it`,
        ),
        lng.id,
        'addressPrefixes',
      );
    }
  }

  // Connections
  const circuitLinks = new Map<string, string>();
  const erConnections = new Map<string, number>();
  for (const c of model.connections) {
    if (!Number.isInteger(c.routingWeight) || c.routingWeight < 0 || c.routingWeight > MAX_ROUTING_WEIGHT)
      err(AzureErrors.routingWeight(c.routingWeight), c.id, 'routingWeight');
    const gw = byId(model.virtualNetworkGateways, c.virtualNetworkGateway1);
    if (!gw) {
      err(AzureErrors.invalidResourceReference(c.virtualNetworkGateway1, c.id), c.id, 'virtualNetworkGateway1');
      continue;
    }
    const wanted: GatewayType = c.connectionType === 'ExpressRoute' ? 'ExpressRoute' : 'Vpn';
    if (gw.gatewayType !== wanted)
      err(
        AzureErrors.connectionGatewayType(c.name, c.connectionType, gw.name, gw.gatewayType),
        c.id,
        'virtualNetworkGateway1',
      );
    if (c.connectionType === 'ExpressRoute') {
      if (c.localNetworkGateway2)
        err(
          AzureErrors.invalidParameter(
            'localNetworkGateway2',
            'applies to IPsec connections; an ExpressRoute connection names its circuit in peer',
          ),
          c.id,
          'localNetworkGateway2',
        );
      if (!c.enableBgp)
        err(
          AzureErrors.invalidParameter(
            'enableBgp',
            'an ExpressRoute connection always uses BGP (the gateway with the MSEEs); enableBgp: false applies to IPsec connections',
          ),
          c.id,
          'enableBgp',
        );
      erConnections.set(idKey(gw.id), (erConnections.get(idKey(gw.id)) ?? 0) + 1);
      const circuit = byId(model.expressRouteCircuits, c.peer);
      if (!c.peer)
        err(
          AzureErrors.invalidParameter(
            'peer',
            'an ExpressRoute connection names the circuit it connects the gateway to',
          ),
          c.id,
          'peer',
        );
      else if (!circuit) err(AzureErrors.invalidResourceReference(c.peer, c.id), c.id, 'peer');
      else {
        if (!privatePeeringOf(circuit))
          err(
            AzureErrors.circuitWithoutPrivatePeering(
              circuit.name,
              "an ExpressRoute gateway connects to a circuit's private peering; configure AzurePrivatePeering first",
            ),
            c.id,
            'peer',
          );
        const pair = `${idKey(gw.id)}|${idKey(circuit.id)}`;
        const other = circuitLinks.get(pair);
        if (other !== undefined)
          err(AzureErrors.duplicateCircuitConnection(gw.name, circuit.name, other), c.id, 'peer');
        else circuitLinks.set(pair, c.name);
      }
      const w = findSubnet(model, gw.subnet);
      if (c.mseePeerAddresses && w) {
        c.mseePeerAddresses.forEach((ip, i) =>
          claim(
            w.subnet,
            ip,
            `the ${i === 0 ? 'primary' : 'secondary'} MSEE of connection '${c.name}'`,
            c.id,
            `mseePeerAddresses.${i}`,
          ),
        );
      }
    } else {
      if (c.peer)
        err(
          AzureErrors.invalidParameter(
            'peer',
            'applies to ExpressRoute connections; an IPsec connection names its local network gateway in localNetworkGateway2',
          ),
          c.id,
          'peer',
        );
      if (c.mseePeerAddresses)
        err(
          AzureErrors.invalidParameter(
            'mseePeerAddresses',
            'applies to ExpressRoute connections: an IPsec connection has no MSEE',
          ),
          c.id,
          'mseePeerAddresses',
        );
      const lng = byId(model.localNetworkGateways, c.localNetworkGateway2);
      if (!c.localNetworkGateway2)
        err(
          AzureErrors.invalidParameter(
            'localNetworkGateway2',
            'an IPsec connection names the local network gateway of its VPN site',
          ),
          c.id,
          'localNetworkGateway2',
        );
      else if (!lng)
        err(AzureErrors.invalidResourceReference(c.localNetworkGateway2, c.id), c.id, 'localNetworkGateway2');
      if (c.enableBgp && gw.gatewayType === 'Vpn') {
        if (!gw.enableBgp)
          err(
            AzureErrors.bgpOverTunnel(
              c.name,
              `VPN gateway '${gw.name}' has enableBgp false: BGP over a tunnel needs it on the gateway too`,
            ),
            c.id,
            'enableBgp',
          );
        if (lng && !lng.bgpSettings)
          err(
            AzureErrors.bgpOverTunnel(
              c.name,
              `local network gateway '${lng.name}' has no bgpSettings (the device's asn and bgpPeeringAddress)`,
            ),
            c.id,
            'enableBgp',
          );
        if (lng?.bgpSettings && lng.bgpSettings.asn === gw.asn) {
          err(
            AzureErrors.bgpOverTunnel(
              c.name,
              `local network gateway '${lng.name}' has ASN ${gw.asn}, the VPN gateway's own: the two sides need different ASNs`,
            ),
            c.id,
            'enableBgp',
          );
        }
      }
    }
  }
  for (const gw of model.virtualNetworkGateways) {
    const max = MAX_CIRCUITS_PER_GATEWAY[gw.sku];
    const count = erConnections.get(idKey(gw.id)) ?? 0;
    if (gw.gatewayType === 'ExpressRoute' && max !== undefined && count > max)
      err(AzureErrors.tooManyCircuits(gw.name, gw.sku, max, count), gw.id, 'sku');
  }

  // Circuits: private peering (R-ER-1), MSEE addresses (R-ER-4), Global Reach (R-ER-6).
  const mseeOwners = new Map<string, string>();
  const globalReachPairs = new Map<string, string>();
  for (const circuit of model.expressRouteCircuits) {
    const pp = privatePeeringOf(circuit);
    if (pp) {
      const at = 'peerings.AzurePrivatePeering';
      if (isReservedPeeringAsn(pp.peerASN))
        err(AzureErrors.peeringAsnReserved(pp.peerASN), circuit.id, `${at}.peerASN`);
      if (!Number.isInteger(pp.vlanId) || pp.vlanId < 1 || pp.vlanId > 4094)
        err(
          AzureErrors.invalidParameter('vlanId', `${pp.vlanId} is not a VLAN id (1-4094)`),
          circuit.id,
          `${at}.vlanId`,
        );
      const links: [string, string, Prefix | undefined][] = [
        ['primary', 'primaryPeerAddressPrefix', parsePrefix(pp.primaryPeerAddressPrefix)],
        ['secondary', 'secondaryPeerAddressPrefix', parsePrefix(pp.secondaryPeerAddressPrefix)],
      ];
      for (const [link, property, p] of links) {
        const text = link === 'primary' ? pp.primaryPeerAddressPrefix : pp.secondaryPeerAddressPrefix;
        if (p?.afi !== 1) {
          err(AzureErrors.invalidParameter(property, `${text} is not an IPv4 prefix`), circuit.id, `${at}.${property}`);
          continue;
        }
        if (p.len !== 30) err(AzureErrors.peeringPrefixNot30(link, text, p.len), circuit.id, `${at}.${property}`);
        const v = vnetOverlapping(model, p);
        if (v)
          err(
            AzureErrors.overlapsVnet(`The ${link} link's`, text, v.vnet.name, formatPrefix(v.prefix)),
            circuit.id,
            `${at}.${property}`,
          );
      }
      const [a, b] = [links[0][2], links[1][2]];
      if (a && b && (prefixContains(a, b) || prefixContains(b, a))) {
        err(
          AzureErrors.peeringPrefixesOverlap(pp.primaryPeerAddressPrefix, pp.secondaryPeerAddressPrefix),
          circuit.id,
          `${at}.secondaryPeerAddressPrefix`,
        );
      }
    }
    circuit.mseeAddresses.forEach((ip, i) => {
      const a = parseIpv4(ip);
      const v = a === undefined ? undefined : vnetOverlapping(model, v4Prefix(a, 32));
      if (v) {
        err(
          AzureErrors.invalidParameter(
            'mseeAddresses',
            `${ip} is inside virtual network '${v.vnet.name}' (${formatPrefix(v.prefix)}): MSEE addresses are Microsoft's, outside every VNet (R-ER-4)`,
          ),
          circuit.id,
          `mseeAddresses.${i}`,
        );
        return;
      }
      const prev = mseeOwners.get(ip);
      if (prev !== undefined)
        err(
          AzureErrors.invalidParameter(
            'mseeAddresses',
            `${ip} is already an MSEE address of ${prev}: each link's MSEE has its own`,
          ),
          circuit.id,
          `mseeAddresses.${i}`,
        );
      else mseeOwners.set(ip, `circuit '${circuit.name}'`);
    });

    for (const gr of circuit.globalReachConnections) {
      const at = `globalReachConnections.${gr.name}`;
      const peer = byId(model.expressRouteCircuits, gr.peerCircuit);
      if (!peer) {
        err(
          AzureErrors.globalReach(
            gr.name,
            `circuit ${gr.peerCircuit} is not in this lab: Global Reach links two circuits of the lab`,
          ),
          circuit.id,
          `${at}.peerCircuit`,
        );
        continue;
      }
      if (idKey(peer.id) === idKey(circuit.id)) {
        err(
          AzureErrors.globalReach(
            gr.name,
            `links circuit '${circuit.name}' with itself; Global Reach links two different circuits`,
          ),
          circuit.id,
          `${at}.peerCircuit`,
        );
        continue;
      }
      const sameLocation = checkGlobalReach(circuit, peer);
      if (sameLocation) err(sameLocation, circuit.id, `${at}.peerCircuit`);
      for (const c of [circuit, peer]) {
        if (!privatePeeringOf(c))
          err(
            AzureErrors.circuitWithoutPrivatePeering(c.name, 'Global Reach links the private peerings of two circuits'),
            circuit.id,
            `${at}.peerCircuit`,
          );
      }
      const pair = [idKey(circuit.id), idKey(peer.id)].sort().join('|');
      const other = globalReachPairs.get(pair);
      if (other !== undefined)
        err(
          AzureErrors.globalReach(
            gr.name,
            `circuits '${circuit.name}' and '${peer.name}' are already linked by ${other}: declare Global Reach once, on either circuit`,
          ),
          circuit.id,
          at,
        );
      else globalReachPairs.set(pair, `Global Reach connection '${gr.name}' of circuit '${circuit.name}'`);
      const p = parsePrefix(gr.addressPrefix);
      if (p?.afi !== 1 || p.len !== 29) {
        err(
          AzureErrors.globalReach(
            gr.name,
            `addressPrefix ${gr.addressPrefix} is not a /29: Global Reach needs a /29 for the link between the two circuits' MSEEs`,
          ),
          circuit.id,
          `${at}.addressPrefix`,
        );
      } else {
        const v = vnetOverlapping(model, p);
        if (v)
          err(
            AzureErrors.overlapsVnet(
              'Global Reach addressPrefix',
              gr.addressPrefix,
              v.vnet.name,
              formatPrefix(v.prefix),
            ),
            circuit.id,
            `${at}.addressPrefix`,
          );
      }
    }
  }
}

export { formatIpv4 };
