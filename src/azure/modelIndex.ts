/**
 * @module azure/modelIndex
 * Maps over a model's collections, built once per collection and kept while it lives, so
 * every lookup by id, by name or by relation costs one hash probe instead of a scan that
 * lowercases each id (issue 12: 62 million lowercasings to load a 500-spoke hub).
 *
 * A model is immutable and a change makes new arrays only for the collections it touches
 * (azure/mutate), so each index is keyed by the array it was built from (a WeakMap: it goes
 * when the array goes) and a change rebuilds only the indexes of the arrays it replaced.
 * An array still growing (a builder pushing into it) is re-indexed when its length moved.
 *
 * Ids and names are normalised once, when an index is built (idKey, lower case); a lookup
 * normalises only the key it is given. Building an index is linear in its collection.
 */
import { idKey } from './ids.js';
import type {
  AzureModel,
  NetworkInterface,
  RouteServer,
  Subnet,
  VirtualNetwork,
  VirtualNetworkGateway,
  VirtualNetworkPeering,
} from './model.js';

/** One index per (kind, collection): rebuilt when the collection is a new array or grew. */
class Memo<K extends object, V> {
  private readonly cache = new WeakMap<K, { size: number; value: V }>();
  constructor(private readonly build: (key: K) => V) {}

  get(key: K, size: number): V {
    const hit = this.cache.get(key);
    if (hit && hit.size === size) return hit.value;
    const value = this.build(key);
    this.cache.set(key, { size, value });
    return value;
  }
}

type Identified = { readonly id: string };
type Named = { readonly name: string; readonly resourceGroup: string };

const byIdMemo = new Memo((list: readonly Identified[]) => {
  const m = new Map<string, Identified>();
  // First wins, as Array.find did.
  for (const x of list) {
    const k = idKey(x.id);
    if (!m.has(k)) m.set(k, x);
  }
  return m;
});

/** The element of `list` whose id is `id` (case-insensitive). O(1) after an O(n) first call. */
export function indexedById<T extends Identified>(list: readonly T[], id: string): T | undefined {
  return byIdMemo.get(list, list.length).get(idKey(id)) as T | undefined;
}

export function nameKey(resourceGroup: string, name: string): string {
  return `${resourceGroup.toLowerCase()}\u0000${name.toLowerCase()}`;
}

const byNameMemo = new Memo((list: readonly Named[]) => {
  const m = new Map<string, Named>();
  for (const x of list) {
    const k = nameKey(x.resourceGroup, x.name);
    if (!m.has(k)) m.set(k, x);
  }
  return m;
});

/** The element of `list` named `name` in resource group `rg` (case-insensitive). */
export function indexedByName<T extends Named>(list: readonly T[], rg: string, name: string): T | undefined {
  return byNameMemo.get(list, list.length).get(nameKey(rg, name)) as T | undefined;
}

const groupMemo = new Memo(
  (groups: readonly { readonly name: string }[]) => new Set(groups.map((g) => g.name.toLowerCase())),
);

export function hasResourceGroup(model: AzureModel, rg: string): boolean {
  return groupMemo.get(model.resourceGroups, model.resourceGroups.length).has(rg.toLowerCase());
}

// ---------------------------------------------------------------------------
// VNets: subnets, peerings

export interface ConnectedPeer {
  readonly remote: VirtualNetwork;
  readonly local: VirtualNetworkPeering;
  readonly back: VirtualNetworkPeering;
}

interface VnetIndex {
  readonly subnets: Map<string, { readonly vnet: VirtualNetwork; readonly subnet: Subnet }>;
  /** `from|to` (id keys) → the peering object from `from` to `to` (the first one, as find did). */
  readonly peerings: Map<string, VirtualNetworkPeering>;
  /** VNet id key → its peers in Connected state, in the order of its peerings. */
  readonly connected: Map<string, readonly ConnectedPeer[]>;
}

/** O(VNets + subnets + peerings). */
const vnetMemo = new Memo((vnets: readonly VirtualNetwork[]): VnetIndex => {
  const byId = byIdMemo.get(vnets, vnets.length) as Map<string, VirtualNetwork>;
  const subnets = new Map<string, { vnet: VirtualNetwork; subnet: Subnet }>();
  const peerings = new Map<string, VirtualNetworkPeering>();
  for (const vnet of vnets) {
    const from = idKey(vnet.id);
    for (const subnet of vnet.subnets) {
      const k = idKey(subnet.id);
      if (!subnets.has(k)) subnets.set(k, { vnet, subnet });
    }
    for (const p of vnet.virtualNetworkPeerings) {
      const k = `${from}|${idKey(p.remoteVirtualNetwork)}`;
      if (!peerings.has(k)) peerings.set(k, p);
    }
  }
  const connected = new Map<string, readonly ConnectedPeer[]>();
  for (const vnet of vnets) {
    const from = idKey(vnet.id);
    if (connected.has(from)) continue;
    const out: ConnectedPeer[] = [];
    for (const local of vnet.virtualNetworkPeerings) {
      const to = idKey(local.remoteVirtualNetwork);
      const remote = byId.get(to);
      if (!remote) continue;
      const back = peerings.get(`${idKey(remote.id)}|${from}`);
      if (back) out.push({ remote, local, back });
    }
    connected.set(from, out);
  }
  return { subnets, peerings, connected };
});

function vnetIndex(model: AzureModel): VnetIndex {
  return vnetMemo.get(model.virtualNetworks, model.virtualNetworks.length);
}

export function indexedSubnet(
  model: AzureModel,
  subnetId: string,
): { readonly vnet: VirtualNetwork; readonly subnet: Subnet } | undefined {
  return vnetIndex(model).subnets.get(idKey(subnetId));
}

/** The peering object from VNet `fromId` to VNet `toId`, if any. */
export function indexedPeering(model: AzureModel, fromId: string, toId: string): VirtualNetworkPeering | undefined {
  return vnetIndex(model).peerings.get(`${idKey(fromId)}|${idKey(toId)}`);
}

const NO_PEERS: readonly ConnectedPeer[] = Object.freeze([]);

export function indexedConnectedPeers(model: AzureModel, vnetId: string): readonly ConnectedPeer[] {
  return vnetIndex(model).connected.get(idKey(vnetId)) ?? NO_PEERS;
}

// ---------------------------------------------------------------------------
// Route servers and gateways by VNet

const rsByVnetMemo = new Memo((list: readonly RouteServer[]) => {
  const m = new Map<string, RouteServer>();
  for (const rs of list) {
    const k = idKey(rs.virtualNetwork);
    if (!m.has(k)) m.set(k, rs);
  }
  return m;
});

export function indexedRouteServerOfVnet(model: AzureModel, vnetId: string): RouteServer | undefined {
  return rsByVnetMemo.get(model.routeServers, model.routeServers.length).get(idKey(vnetId));
}

const gatewaysByVnetMemo = new Memo((list: readonly VirtualNetworkGateway[]) => {
  const m = new Map<string, VirtualNetworkGateway[]>();
  for (const g of list) {
    const k = idKey(g.virtualNetwork);
    const l = m.get(k);
    if (l) l.push(g);
    else m.set(k, [g]);
  }
  return m;
});

const NO_GATEWAYS: readonly VirtualNetworkGateway[] = Object.freeze([]);

/** The VNet's gateways in model order. */
export function indexedGatewaysOfVnet(model: AzureModel, vnetId: string): readonly VirtualNetworkGateway[] {
  return (
    gatewaysByVnetMemo.get(model.virtualNetworkGateways, model.virtualNetworkGateways.length).get(idKey(vnetId)) ??
    NO_GATEWAYS
  );
}

// ---------------------------------------------------------------------------
// NICs

const nicByAddressMemo = new Memo((list: readonly NetworkInterface[]) => {
  const m = new Map<string, NetworkInterface>();
  for (const n of list)
    for (const c of n.ipConfigurations) if (!m.has(c.privateIPAddress)) m.set(c.privateIPAddress, n);
  return m;
});

export function indexedNicByAddress(model: AzureModel, ip: string): NetworkInterface | undefined {
  return nicByAddressMemo.get(model.networkInterfaces, model.networkInterfaces.length).get(ip);
}
