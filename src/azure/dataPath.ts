/**
 * @module azure/dataPath
 * Where a packet from a NIC goes (the first hop), as Azure's data plane decides it from the
 * NIC's effective routes: the Active rows with the longest prefix holding the destination
 * (R-NIC-5); among several such rows (ECMP: one route, several next hops, R-ARS-8) one is
 * chosen per flow by a hash of the 5-tuple, so every packet of a flow takes one path and
 * different flows spread. The next hop is then a VM: the owner of the next hop IP
 * (VirtualAppliance, VirtualNetworkGateway as a route server programs it), or of the
 * destination itself (VnetLocal, VNet peering).
 *
 * Pure: `arslab probe` (src/lab/probe.ts) opens the sockets.
 *
 * Azure does not document its hash; ARSLab's is FNV-1a over the 13 bytes of the 5-tuple
 * (source and destination address, protocol, source and destination port, network order)
 * with a murmur3 finaliser, reduced modulo the number of rows, which are ordered by next hop
 * address (so the choice does not depend on row order). Deterministic: one flow, one row.
 */
import { parseIpv4, prefixContains, v4Prefix } from '../bgp/wire/index.js';
import {
  effectiveRoutes,
  type EffectiveNextHopType,
  type EffectiveRouteDetail,
  type GatewayRoutesOf,
} from './effectiveRoutes.js';
import { byId, nicByAddress } from './lookup.js';
import type { AzureModel, NetworkInterface, VirtualMachine } from './model.js';

export interface Flow {
  readonly source: string;
  readonly destination: string;
  /** IP protocol number: 6 (TCP). */
  readonly protocol: number;
  readonly sourcePort: number;
  readonly destinationPort: number;
}

/** The 32-bit flow hash ECMP uses (see the module comment). */
export function flowHash(f: Flow): number {
  const bytes: number[] = [];
  const addr = (ip: string) => {
    const a = parseIpv4(ip) ?? 0;
    bytes.push(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
  };
  addr(f.source);
  addr(f.destination);
  bytes.push(
    f.protocol & 255,
    (f.sourcePort >>> 8) & 255,
    f.sourcePort & 255,
    (f.destinationPort >>> 8) & 255,
    f.destinationPort & 255,
  );
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export type ForwardingOutcome =
  /** A VM is the next hop: the probe connects to it. */
  | 'forward'
  /** No Active route, or the route's next hop type is None: the packet is dropped. */
  | 'no route'
  /** A route, but nothing in the lab to deliver to (Internet, a gateway, an address no VM has). */
  | 'unreachable';

export interface ForwardingDecision {
  readonly outcome: ForwardingOutcome;
  /** The matched prefix (the longest), when a route matched. */
  readonly prefix?: string;
  readonly nextHopType?: EffectiveNextHopType;
  /** The next hop's IP: the row's, or the destination for VnetLocal and peerings. */
  readonly nextHopIp?: string;
  /** ECMP: how many rows share the longest prefix, and which one (0-based, by next hop address) the flow took. */
  readonly paths: number;
  readonly pathIndex?: number;
  /** The VM reached (outcome 'forward'), and the NIC holding the next hop address. */
  readonly vm?: VirtualMachine;
  readonly nic?: NetworkInterface;
  readonly reason: string;
}

const numeric = (ip: string) => parseIpv4(ip) ?? 0;

/**
 * The first hop of `flow` from `nic` (see the module comment). Only the first hop: a VM
 * reached is taken to host the destination, as the seed's web servers host the VIP.
 *
 * @rule R-NIC-5 R-ARS-8
 */
export function forward(
  model: AzureModel,
  nic: NetworkInterface,
  flow: Flow,
  gatewayRoutes: GatewayRoutesOf,
): ForwardingDecision {
  return forwardIn(model, nic, flow, effectiveRoutes(model, nic, gatewayRoutes).details);
}

/** forward over the NIC's rows in hand (hidden and Invalid ones are skipped). */
export function forwardIn(
  model: AzureModel,
  nic: NetworkInterface,
  flow: Flow,
  details: readonly EffectiveRouteDetail[],
): ForwardingDecision {
  const dst = parseIpv4(flow.destination);
  if (dst === undefined)
    return { outcome: 'unreachable', paths: 0, reason: `${flow.destination} is not an IPv4 address` };
  const target = v4Prefix(dst, 32);
  let best: EffectiveRouteDetail[] = [];
  for (const d of details) {
    if (d.hidden || d.route.state !== 'Active' || !prefixContains(d.prefix, target)) continue;
    if (best.length === 0 || d.prefix.len > best[0]!.prefix.len) best = [d];
    else if (d.prefix.len === best[0]!.prefix.len) best.push(d);
  }
  if (best.length === 0)
    return { outcome: 'no route', paths: 0, reason: `no route of ${nic.name} holds ${flow.destination}` };
  // Equal rows: order by next hop address, then pick by the flow's hash.
  const rows = [...best].sort(
    (a, b) => numeric(a.route.nextHopIpAddress[0] ?? '') - numeric(b.route.nextHopIpAddress[0] ?? ''),
  );
  const pathIndex = rows.length > 1 ? flowHash(flow) % rows.length : 0;
  const row = rows[pathIndex]!;
  const prefix = row.route.addressPrefix[0]!;
  const type = row.route.nextHopType;
  const base = { prefix, nextHopType: type, paths: rows.length, pathIndex };
  switch (type) {
    case 'None':
      return { ...base, outcome: 'no route', reason: `${prefix} has next hop type None: dropped` };
    case 'Internet':
      return { ...base, outcome: 'unreachable', reason: `${prefix} goes to the Internet, which the lab does not have` };
    default:
      break;
  }
  const local = type === 'VnetLocal' || type === 'VNetPeering' || type === 'VNetGlobalPeering';
  const hop = local ? flow.destination : row.route.nextHopIpAddress[0];
  if (!hop) return { ...base, outcome: 'unreachable', reason: `${prefix} (${type}) has no next hop address` };
  const owner = nicByAddress(model, hop);
  const vm = owner?.virtualMachine ? byId(model.virtualMachines, owner.virtualMachine) : undefined;
  if (!owner || !vm) {
    const rs = model.routeServers.find((r) => r.virtualRouterIps.includes(hop));
    const what = rs ? `route server ${rs.name}` : local ? 'no virtual machine' : 'no virtual machine of the lab';
    return {
      ...base,
      nextHopIp: hop,
      outcome: 'unreachable',
      reason: `next hop ${hop} is ${rs ? what : `held by ${what}`}`,
    };
  }
  return {
    ...base,
    nextHopIp: hop,
    outcome: 'forward',
    vm,
    nic: owner,
    reason: `${prefix} via ${type} ${hop} (virtual machine ${vm.name})`,
  };
}
