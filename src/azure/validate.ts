/**
 * @module azure/validate
 * Checks a whole model the way Azure Resource Manager would refuse it, plus warnings for
 * designs Azure accepts but that do not work as people expect (azure-routing.md §7).
 * Pure: returns every problem at once; nothing is started or changed.
 */
import { formatIpv4, parseIpv4, parsePrefix, prefixContains, v4Prefix } from '../bgp/wire/index.js';
import { AzureError, AzureErrors } from './errors.js';
import { idKey, sameName } from './ids.js';
import { byId, connectedPeers, findSubnet, routeServerOfVnet } from './lookup.js';
import type { AzureModel } from './model.js';
import { checkPeerAsn } from './routeServer.js';

export interface ModelProblem {
  readonly severity: 'error' | 'warning';
  readonly error: AzureError;
  /** The resource at fault (ARM id) and, when known, its property. */
  readonly resourceId: string;
  readonly property?: string;
}

export function validateModel(model: AzureModel): ModelProblem[] {
  const out: ModelProblem[] = [];
  const err = (error: AzureError, resourceId: string, property?: string) =>
    out.push(property ? { severity: 'error', error, resourceId, property } : { severity: 'error', error, resourceId });
  const warn = (error: AzureError, resourceId: string, property?: string) =>
    out.push(property ? { severity: 'warning', error, resourceId, property } : { severity: 'warning', error, resourceId });

  // VNets and subnets
  for (const vnet of model.virtualNetworks) {
    vnet.subnets.forEach((s, i) => {
      if (!vnet.prefixes.some((vp) => prefixContains(vp, s.prefix))) {
        err(AzureErrors.subnetNotInVnet(s.name, s.addressPrefix, vnet.name), s.id, 'addressPrefix');
      }
      for (const t of vnet.subnets.slice(i + 1)) {
        if (prefixContains(s.prefix, t.prefix) || prefixContains(t.prefix, s.prefix)) {
          err(AzureErrors.subnetsOverlap(t.name, s.name), t.id, 'addressPrefix');
        }
      }
      if (s.routeTable && !byId(model.routeTables, s.routeTable)) {
        err(AzureErrors.invalidParameter('routeTable', `route table ${s.routeTable} does not exist`), s.id, 'routeTable');
      }
    });
  }

  // NICs: addresses inside their subnet, not reserved, not shared.
  const owners = new Map<string, string>();
  for (const nic of model.networkInterfaces) {
    for (const c of nic.ipConfigurations) {
      const w = findSubnet(model, c.subnet);
      if (!w) {
        err(AzureErrors.invalidParameter('subnet', `subnet ${c.subnet} does not exist`), nic.id, 'subnet');
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
      if (offset < 4 || offset === size - 1) err(AzureErrors.privateIpReserved(c.privateIPAddress, w.subnet.name), nic.id, 'privateIpAddress');
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
        err(AzureErrors.invalidParameter('addressPrefix', `route '${r.name}': ${r.addressPrefix} is not a valid prefix (host bits must be zero)`), t.id, `routes.${r.name}.addressPrefix`);
        continue;
      }
      const k = r.addressPrefix;
      if (seen.has(k)) err(AzureErrors.routeConflict(t.name, k), t.id, `routes.${r.name}.addressPrefix`);
      seen.add(k);
      if (r.nextHopType === 'VirtualAppliance' && !r.nextHopIpAddress) {
        err(AzureErrors.invalidNextHop(r.name, 'nextHopType VirtualAppliance needs nextHopIpAddress'), t.id, `routes.${r.name}.nextHopIpAddress`);
      }
      if (r.nextHopType !== 'VirtualAppliance' && r.nextHopIpAddress) {
        err(AzureErrors.invalidNextHop(r.name, `nextHopIpAddress is only allowed with nextHopType VirtualAppliance, not ${r.nextHopType}`), t.id, `routes.${r.name}.nextHopIpAddress`);
      }
    }
  }

  // Route Servers (R-ARS-2, R-ARS-3)
  const perVnet = new Map<string, string>();
  for (const rs of model.routeServers) {
    const w = findSubnet(model, rs.subnet);
    if (!w) {
      err(AzureErrors.invalidParameter('subnet', `subnet ${rs.subnet} does not exist`), rs.id, 'subnet');
      continue;
    }
    if (w.subnet.name !== 'RouteServerSubnet') err(AzureErrors.invalidRouteServerSubnetName(w.subnet.name), rs.id, 'subnet');
    if (w.subnet.prefix.len > 27) err(AzureErrors.routeServerSubnetTooSmall(w.subnet.addressPrefix), rs.id, 'subnet');
    else if (w.subnet.prefix.len === 27) {
      warn(
        new AzureError(200, 'RouteServerSubnetSmallerThanRecommended', `RouteServerSubnet ${w.subnet.addressPrefix} is a /27: accepted, but current documentation asks for /26 or larger.`),
        rs.id,
        'subnet',
      );
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
      if (parseIpv4(c.peerIp) === undefined) err(AzureErrors.invalidParameter('peerIp', `${c.peerIp} is not an IPv4 address`), c.id, 'peerIp');
      if (ips.has(c.peerIp)) err(AzureErrors.duplicatePeerIp(c.peerIp), c.id, 'peerIp');
      ips.add(c.peerIp);
      if (rs.virtualRouterIps.includes(c.peerIp)) {
        err(AzureErrors.invalidParameter('peerIp', `${c.peerIp} is the Route Server's own address`), c.id, 'peerIp');
      }
    }
  }

  // VNet peerings: both sides, gateway transit (R-ARS-8).
  for (const vnet of model.virtualNetworks) {
    for (const p of vnet.virtualNetworkPeerings) {
      const remote = byId(model.virtualNetworks, p.remoteVirtualNetwork);
      if (!remote) {
        err(AzureErrors.invalidParameter('remoteVirtualNetwork', `virtual network ${p.remoteVirtualNetwork} does not exist`), p.id, 'remoteVirtualNetwork');
        continue;
      }
      const back = connectedPeers(model, vnet).find((c) => sameName(c.remote.id, remote.id))?.back;
      if (!back) {
        warn(
          new AzureError(200, 'PeeringInitiated', `Peering '${p.name}' from '${vnet.name}' to '${remote.name}' is Initiated, not Connected: '${remote.name}' has no peering back to '${vnet.name}', so no traffic or routes flow.`),
          p.id,
        );
      }
      if (p.useRemoteGateways) {
        if (routeServerOfVnet(model, vnet)) {
          err(
            AzureErrors.invalidParameter('useRemoteGateways', `virtual network '${vnet.name}' has its own Route Server (or gateway) and cannot use remote gateways`),
            p.id,
            'useRemoteGateways',
          );
        }
        if (!routeServerOfVnet(model, remote)) err(AzureErrors.useRemoteGatewaysNoGateway(p.name, remote.name), p.id, 'useRemoteGateways');
        else if (back && !back.allowGatewayTransit) err(AzureErrors.useRemoteGatewaysWithoutTransit(p.name, remote.name), p.id, 'useRemoteGateways');
      }
    }
  }
  return out;
}

export { formatIpv4 };
