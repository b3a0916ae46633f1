/**
 * @module lab/topologyView
 * The lab as one picture (issue 14): every VNet, subnet and peering, route-server and
 * gateway instance, circuit and MSEE, on-premises router, VM with the nodes it runs, and
 * every BGP session with its state — the model's resources from the model, the speakers,
 * sessions and nodes from the lab graph (ADR 0012: it alone enumerates them), for
 * `GET /arslab/topology` and the web page. The page draws this and computes nothing: every
 * state, count and name here is the lab's.
 *
 * Nodes carry the names the CLI, `trace` and `explain` use ("hub1rs/IN_0", "er1/0",
 * "er-circuit/primary", "onprem", a VM's name), so a trace or an explanation can be drawn
 * on the graph by name. Large labs are aggregated: the spokes of each hub and the plain VMs
 * of each subnet form groups (count and summary from here), which the page shows collapsed
 * until expanded — 4,000 NIC nodes are not drawn at once.
 */
import {
  byId,
  type ExpressRouteCircuit,
  idKey,
  INSTANCE_NAMES,
  isHub,
  servedByHub,
  MSEE_ASN,
  primaryIpConfig,
  ROUTE_SERVER_ASN,
  type AzureModel,
  type VirtualNetwork,
} from '../azure/index.js';
import { describeDetection, type SessionEndpoint } from './graph/index.js';
import type { NodeRuntime } from './kinds/types.js';
import type { Lab } from './lab.js';

export type ViewNodeKind =
  | 'onprem'
  | 'router'
  | 'daemon'
  | 'circuit'
  | 'msee'
  | 'vnet'
  | 'subnet'
  | 'route-server'
  | 'gateway'
  | 'vm'
  | 'peer'
  | 'group';

/** How to ask the API about a node (the page's "one click away"). */
export type ViewRef =
  | { readonly type: 'vnet'; readonly resourceGroup: string; readonly vnet: string }
  | { readonly type: 'subnet'; readonly resourceGroup: string; readonly vnet: string; readonly subnet: string }
  | {
      readonly type: 'vm';
      readonly resourceGroup: string;
      readonly vm: string;
      readonly nics: readonly { readonly name: string; readonly resourceGroup: string; readonly address: string }[];
      /** Nodes running on the VM (web servers, NVAs, agents): stop/start act on these. */
      readonly nodes: readonly { readonly name: string; readonly kind: string; readonly state: string }[];
    }
  | {
      readonly type: 'route-server';
      readonly resourceGroup: string;
      readonly routeServer: string;
      /** "RouteServiceRole_IN_0": the key of learned/advertised routes answers. */
      readonly instance: string;
      readonly index: 0 | 1;
      readonly address: string;
      readonly peerings: readonly string[];
    }
  | {
      readonly type: 'gateway';
      readonly resourceGroup: string;
      readonly gateway: string;
      readonly gatewayType: 'ExpressRoute' | 'Vpn';
      readonly index: number;
      readonly address: string;
      /** BGP peers of this instance (list-advertised-routes --peer). */
      readonly peers: readonly string[];
    }
  | { readonly type: 'circuit'; readonly resourceGroup: string; readonly circuit: string }
  | {
      readonly type: 'msee';
      readonly resourceGroup: string;
      readonly circuit: string;
      readonly path: 'primary' | 'secondary';
    }
  | { readonly type: 'router'; readonly node: string }
  | { readonly type: 'daemon'; readonly node: string }
  | { readonly type: 'group'; readonly kind: 'spokes' | 'vms' };

export interface ViewNode {
  /** Stable across calls: ARM ids for resources, "<kind>:<name>" otherwise. */
  readonly id: string;
  readonly kind: ViewNodeKind;
  /** As the CLI, trace and explain name it: "hub1rs/IN_0", "er1/0", "er-circuit/primary", "onprem", "ws1". */
  readonly name: string;
  /** Other names that designate it (a VM's NICs and nodes, an instance's address). */
  readonly aliases: readonly string[];
  readonly label: string;
  readonly parent?: string;
  /** The aggregate group this node belongs to (the page hides it while the group is collapsed). */
  readonly group?: string;
  /** The diagram's columns: 0 on premises, 1 circuits, 2 hubs, 3 spokes and other VNets. */
  readonly column: 0 | 1 | 2 | 3;
  /** VNets: hub, spoke (of a hub), or neither. */
  readonly role?: 'hub' | 'spoke' | 'vnet';
  /** Runtime state where there is one: 'running', 'stopped', 'paused', 'failed', … (a VM: its nodes' worst). */
  readonly state?: string;
  /** Label/value pairs for the page's panel. */
  readonly details: readonly (readonly [string, string])[];
  readonly ref?: ViewRef;
}

export type ViewEdgeKind = 'bgp' | 'peering';

export interface ViewEdge {
  readonly id: string;
  readonly kind: ViewEdgeKind;
  readonly source: string;
  readonly target: string;
  /** The session's name (as `arslab link list` names it) or the peering's names. */
  readonly label: string;
  /** Other names of the session: the timeline's for a route-server peering ("hub1rs/IN_0/nva1"). */
  readonly aliases?: readonly string[];
  /** BGP: the FSM state (Established, Active, Idle, Cut, AdminDown…); peering: Connected or Initiated. */
  readonly state: string;
  /** BGP: Established (a cut link not yet detected is still Established for its speakers: 'Cut' is not up). */
  readonly up: boolean;
  readonly transport?: 'tcp' | 'in-process';
  /** Why a session is down when a fault or the model holds it down. */
  readonly fault?: string;
  readonly details: readonly (readonly [string, string])[];
  /** A route-server peering: learned/advertised routes per instance. */
  readonly peering?: { readonly resourceGroup: string; readonly routeServer: string; readonly name: string };
  /** What /arslab/links/down|up takes to cut or restore this session. */
  readonly link?: { readonly session: string };
  /**
   * An edge standing for several (sessions or peerings to members of a collapsed group):
   * each one's label and state (the first MAX_MEMBERS); `state` is then the worst of them.
   */
  readonly members?: readonly { readonly label: string; readonly state: string }[];
}

export interface ViewGroup {
  readonly id: string;
  readonly kind: 'spokes' | 'vms';
  readonly label: string;
  readonly count: number;
  /** Lines the page shows on the collapsed group (counts by the lab). */
  readonly summary: readonly string[];
  /** Drawn as one node (its members are not in this answer), or expanded. */
  readonly collapsed: boolean;
}

export interface TopologyView {
  readonly lab: { readonly name: string; readonly mode: string; readonly subscriptionId: string };
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly ViewEdge[];
  readonly groups: readonly ViewGroup[];
  /** Changes only when nodes or edges are added or removed (the page re-lays out then, else it recolours). */
  readonly structure: string;
  readonly counts: {
    readonly vnets: number;
    readonly vms: number;
    readonly sessions: number;
    readonly established: number;
  };
}

/** A VM's nodes' states, worst first: what colours the VM. */
const NODE_STATE_ORDER = ['failed', 'exited', 'stopped', 'paused', 'created', 'running'];

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** Groups larger than this are collapsed unless the caller asks otherwise. */
export const COLLAPSE_ABOVE: Readonly<Record<ViewGroup['kind'], number>> = { spokes: 6, vms: 4 };
/** A merged edge lists at most this many of the edges it stands for. */
const MAX_MEMBERS = 200;

/**
 * Which groups to show expanded or collapsed, overriding the default (collapsed above
 * COLLAPSE_ABOVE): group ids, or `*` (every group) and `*spokes` / `*vms` (every group of a
 * kind). An id beats a wildcard; collapse beats expand.
 */
export interface ViewOptions {
  readonly expand?: readonly string[];
  readonly collapse?: readonly string[];
}

/**
 * The lab as the page draws it (module comment): members of collapsed groups left out,
 * their sessions and peerings drawn to the group — merged, in the worst state among them,
 * with counts by state.
 */
export function topologyView(lab: Lab, options: ViewOptions = {}): TopologyView {
  return aggregate(fullView(lab), options);
}

/** Where each name or alias (a trace hop, an explain section) is drawn under `options`: the node, or the group hiding it. */
export function locateNames(lab: Lab, names: readonly string[], options: ViewOptions = {}): Record<string, string> {
  const full = fullView(lab);
  const rep = representatives(full, collapsedGroups(full, options));
  // A VM is often named like its VNet (spoke11 in spoke11): a name means the speaker or VM
  // first, the VNet or subnet only if nothing else has it.
  const byName = new Map<string, string>();
  const containers = (n: ViewNode) => n.kind === 'vnet' || n.kind === 'subnet' || n.kind === 'group';
  for (const n of [...full.nodes.filter((x) => !containers(x)), ...full.nodes.filter(containers)])
    for (const a of [n.name, ...n.aliases]) if (a && !byName.has(a.toLowerCase())) byName.set(a.toLowerCase(), n.id);
  const out: Record<string, string> = {};
  for (const name of names) {
    const id = byName.get(name.toLowerCase());
    if (id) out[name] = rep(id);
  }
  return out;
}

function collapsedGroups(full: TopologyView, o: ViewOptions): Set<string> {
  const out = new Set<string>();
  for (const g of full.groups) {
    const has = (list: readonly string[] | undefined, wild: boolean) =>
      !!list?.some((x) => (wild ? x === '*' || x === `*${g.kind}` : x === g.id));
    const collapsed = has(o.collapse, false)
      ? true
      : has(o.expand, false)
        ? false
        : has(o.collapse, true)
          ? true
          : has(o.expand, true)
            ? false
            : g.count > COLLAPSE_ABOVE[g.kind];
    if (collapsed) out.add(g.id);
  }
  return out;
}

/** The visible node standing for each node: itself, or the outermost collapsed group it is in. */
function representatives(full: TopologyView, collapsed: ReadonlySet<string>): (id: string) => string {
  const byId = new Map(full.nodes.map((n) => [n.id, n] as const));
  const cache = new Map<string, string>();
  const rep = (id: string): string => {
    const hit = cache.get(id);
    if (hit !== undefined) return hit;
    let r = id;
    for (let n = byId.get(id); n; n = n.parent ? byId.get(n.parent) : undefined)
      if (n.group && collapsed.has(n.group)) r = n.group;
    const out = r === id ? id : rep(r);
    cache.set(id, out);
    return out;
  };
  return rep;
}

/** How bad an edge's state is: an edge standing for several takes the worst. */
function badness(e: Pick<ViewEdge, 'kind' | 'state' | 'up'>): number {
  if (e.up) return 0;
  if (e.kind === 'peering' || e.state === 'AdminDown') return 1;
  if (e.state === 'Cut') return 2;
  return 3;
}

function aggregate(full: TopologyView, o: ViewOptions): TopologyView {
  const collapsed = collapsedGroups(full, o);
  const rep = representatives(full, collapsed);
  const nodes = full.nodes.filter((n) =>
    n.kind === 'group' ? collapsed.has(n.id) && rep(n.id) === n.id : rep(n.id) === n.id,
  );
  const merged = new Map<string, { list: ViewEdge[]; source: string; target: string }>();
  for (const e of full.edges) {
    const source = rep(e.source);
    const target = rep(e.target);
    if (source === target) continue;
    const key = source === e.source && target === e.target ? e.id : `merged:${e.kind}:${source}:${target}`;
    const m = merged.get(key);
    if (m) m.list.push(e);
    else merged.set(key, { list: [e], source, target });
  }
  const edges: ViewEdge[] = [];
  for (const [id, { list, source, target }] of merged) {
    const first = list[0]!;
    if (id === first.id) {
      edges.push(first);
      continue;
    }
    const worst = list.reduce((a, b) => (badness(b) > badness(a) ? b : a));
    const byState = new Map<string, number>();
    for (const e of list) byState.set(e.state, (byState.get(e.state) ?? 0) + 1);
    const what = first.kind === 'bgp' ? 'BGP session' : 'VNet peering';
    edges.push({
      id,
      kind: first.kind,
      source,
      target,
      label: `${plural(list.length, what)}`,
      state: worst.state,
      up: list.every((e) => e.up),
      ...(list.every((e) => e.transport === first.transport) && first.transport ? { transport: first.transport } : {}),
      details: [[`${what}s`, String(list.length)], ...[...byState].map(([st, n]) => [st, String(n)] as const)],
      members: list.slice(0, MAX_MEMBERS).map((e) => ({ label: e.label, state: e.state })),
    });
  }
  return {
    ...full,
    nodes,
    edges,
    groups: full.groups.map((g) => ({ ...g, collapsed: collapsed.has(g.id) })),
    structure: structureKey(nodes, edges),
  };
}

/** A group's id: short (the page sends the ones to expand back), stable while the lab runs. */
function groupId(kind: 'spokes' | 'vms', key: string): string {
  return `group:${kind}:${fnv(key)}`;
}

function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Per model (a new one after every change, Lab.applyModel): the hub whose gateways each VNet uses. */
const hubCache = new WeakMap<AzureModel, ReadonlyMap<string, VirtualNetwork>>();

/**
 * The hub of every VNet (azure hubOf), found from the hubs' side — one servedByHub walk per
 * hub rather than one hubOf per VNet, each of which scans every VNet per peering (at 500
 * VNets: a quarter of a second) — and kept while the model is the same.
 */
function hubsOf(m: AzureModel): ReadonlyMap<string, VirtualNetwork> {
  const hit = hubCache.get(m);
  if (hit) return hit;
  const out = new Map<string, VirtualNetwork>();
  const hubs = m.virtualNetworks.filter((v) => isHub(m, v));
  for (const hub of hubs) out.set(idKey(hub.id), hub);
  for (const hub of hubs) for (const v of servedByHub(m, hub)) if (!out.has(idKey(v.id))) out.set(idKey(v.id), hub);
  hubCache.set(m, out);
  return out;
}

/**
 * What the view takes from the model alone (VNets, subnets, peerings, where each VM is and
 * which group it is in), kept while the model is the same object — Lab.applyModel makes a
 * new one on every change — so that a refresh of the page costs only the runtime part:
 * at 4,000 VMs, the ARM-id lookups below are most of a view's time.
 */
interface ModelPart {
  readonly vnetById: ReadonlyMap<string, VirtualNetwork>;
  readonly spokesOf: ReadonlyMap<string, readonly VirtualNetwork[]>;
  /** VNet, subnet and VM-group nodes. */
  readonly nodes: readonly ViewNode[];
  readonly peerings: readonly ViewEdge[];
  readonly vmGroups: readonly ViewGroup[];
  readonly vms: readonly VmRow[];
  readonly vmOfAddress: ReadonlyMap<string, string>;
  /** Per hub with a group of spokes: the ids of every node inside them, and their VMs. */
  readonly spokeGroups: readonly { hubKey: string; id: string; inside: ReadonlySet<string>; vms: number }[];
}

interface VmRow {
  readonly vm: AzureModel['virtualMachines'][number];
  readonly nics: readonly AzureModel['networkInterfaces'][number][];
  readonly address: string;
  readonly subnet?: string;
  readonly group?: string;
  readonly column: 2 | 3;
  /** The lab's nodes running on the VM (web servers, NVAs, agents). */
  readonly nodes: readonly { readonly name: string; readonly kind: string }[];
}

const modelCache = new WeakMap<AzureModel, ModelPart>();

function modelPart(lab: Lab): ModelPart {
  const m: AzureModel = lab.model;
  const hit = modelCache.get(m);
  if (hit) return hit;
  const nodes: ViewNode[] = [];
  const add = (n: ViewNode) => void nodes.push(n);
  const edges: ViewEdge[] = [];
  const groups: ViewGroup[] = [];
  // --- VNets: hub, spoke of a hub, or on their own -------------------------------------
  const vnetById = new Map(m.virtualNetworks.map((v) => [idKey(v.id), v] as const));
  const hubOfVnet = hubsOf(m);
  const spokesOf = new Map<string, VirtualNetwork[]>();
  const vnetRole = (v: VirtualNetwork): 'hub' | 'spoke' | 'vnet' => {
    if (isHub(m, v)) return 'hub';
    return hubOfVnet.get(idKey(v.id)) ? 'spoke' : 'vnet';
  };
  for (const v of m.virtualNetworks) {
    const hub = hubOfVnet.get(idKey(v.id));
    if (hub && idKey(hub.id) !== idKey(v.id)) {
      const list = spokesOf.get(idKey(hub.id)) ?? [];
      list.push(v);
      spokesOf.set(idKey(hub.id), list);
    }
  }
  // A hub's spokes form one group when there are at least two of them.
  const spokeGroup = new Map<string, string>();
  for (const [hubKey, spokes] of spokesOf) {
    if (spokes.length < 2) continue;
    for (const s of spokes) spokeGroup.set(idKey(s.id), groupId('spokes', hubKey));
  }

  const subnetOf = new Map<string, { vnet: VirtualNetwork; subnet: VirtualNetwork['subnets'][number] }>();
  for (const v of m.virtualNetworks) {
    const role = vnetRole(v);
    const hub = hubOfVnet.get(idKey(v.id));
    const group = spokeGroup.get(idKey(v.id));
    add({
      id: v.id,
      kind: 'vnet',
      name: v.name,
      aliases: [],
      label: `${v.name}\n${v.addressPrefixes.join(' ')}`,
      column: role === 'hub' ? 2 : 3,
      role,
      ...(group ? { group } : {}),
      details: [
        ['VNet', v.name],
        ['resource group', v.resourceGroup],
        ['location', v.location],
        ['address space', v.addressPrefixes.join(', ')],
        ['role', role === 'spoke' ? `spoke of ${hub!.name}` : role],
        ['peerings', String(v.virtualNetworkPeerings.length)],
      ],
      ref: { type: 'vnet', resourceGroup: v.resourceGroup, vnet: v.name },
    });
    for (const s of v.subnets) {
      subnetOf.set(idKey(s.id), { vnet: v, subnet: s });
      add({
        id: s.id,
        kind: 'subnet',
        name: `${v.name}/${s.name}`,
        aliases: [],
        label: `${s.name} ${s.addressPrefix}`,
        parent: v.id,
        column: role === 'hub' ? 2 : 3,
        details: [
          ['subnet', s.name],
          ['address prefix', s.addressPrefix],
          ...(s.routeTable ? ([['route table', s.routeTable.slice(s.routeTable.lastIndexOf('/') + 1)]] as const) : []),
        ],
        ref: { type: 'subnet', resourceGroup: v.resourceGroup, vnet: v.name, subnet: s.name },
      });
    }
  }
  const columnOfSubnet = (subnetId: string): 2 | 3 => {
    const s = subnetOf.get(idKey(subnetId));
    return s && vnetRole(s.vnet) === 'hub' ? 2 : 3;
  };

  // Peerings: one edge per pair of VNets; Connected when both halves exist.
  const seenPair = new Set<string>();
  for (const v of m.virtualNetworks) {
    for (const p of v.virtualNetworkPeerings) {
      const remote = vnetById.get(idKey(p.remoteVirtualNetwork));
      if (!remote) continue;
      const key = [idKey(v.id), idKey(remote.id)].sort().join(' ');
      if (seenPair.has(key)) continue;
      seenPair.add(key);
      const back = remote.virtualNetworkPeerings.find((x) => idKey(x.remoteVirtualNetwork) === idKey(v.id));
      // Drawn from the hub (the side offering gateway transit) toward the spoke.
      const fromV = back?.allowGatewayTransit && !p.allowGatewayTransit ? remote : v;
      const toV = fromV === v ? remote : v;
      const fwd = fromV === v ? p : back!;
      const rev = fromV === v ? back : p;
      const flags = (x: typeof p | undefined) =>
        x
          ? [
              x.allowGatewayTransit ? 'gateway transit' : '',
              x.useRemoteGateways ? 'uses remote gateways' : '',
              x.allowForwardedTraffic ? 'forwarded traffic' : '',
            ]
              .filter(Boolean)
              .join(', ') || '-'
          : '(missing)';
      edges.push({
        id: `peering:${key}`,
        kind: 'peering',
        source: fromV.id,
        target: toV.id,
        label: [fwd?.name, rev?.name].filter(Boolean).join(' / '),
        state: back ? 'Connected' : 'Initiated',
        up: !!back,
        details: [
          [`${fromV.name} → ${toV.name}`, fwd ? `${fwd.name}: ${flags(fwd)}` : '(missing)'],
          [`${toV.name} → ${fromV.name}`, rev ? `${rev.name}: ${flags(rev)}` : '(missing)'],
        ],
      });
    }
  }

  // --- VMs and the nodes on them ---------------------------------------------------
  const nodesOfVm = new Map<string, { name: string; kind: string }[]>();
  for (const n of lab.graph.nodes()) {
    const vm = 'vm' in n.spec ? n.spec.vm : undefined;
    if (!vm) continue;
    const list = nodesOfVm.get(idKey(vm)) ?? [];
    list.push({ name: n.spec.name, kind: n.spec.kind });
    nodesOfVm.set(idKey(vm), list);
  }
  const vmOfAddress = new Map<string, string>();
  const peerAddresses = new Set<string>();
  for (const rs of m.routeServers) for (const c of rs.bgpConnections) peerAddresses.add(c.peerIp);
  const nicById = new Map(m.networkInterfaces.map((n) => [idKey(n.id), n] as const));
  // Plain VMs (no node, not a BGP peer) of one subnet form a group when there are at least two.
  const plainBySubnet = new Map<string, string[]>();
  const vmRows = new Map<
    string,
    { subnet?: string; plain: boolean; nics: AzureModel['networkInterfaces'][number][] }
  >();
  for (const vm of m.virtualMachines) {
    const nics = vm.networkInterfaces.map((id) => nicById.get(idKey(id))).filter((n) => !!n);
    const addresses = nics.flatMap((n) => n.ipConfigurations.map((c) => c.privateIPAddress));
    for (const a of addresses) vmOfAddress.set(a, vm.id);
    const subnet = nics[0] ? primaryIpConfig(nics[0])?.subnet : undefined;
    const plain = !nodesOfVm.has(idKey(vm.id)) && !addresses.some((a) => peerAddresses.has(a));
    vmRows.set(vm.id, { ...(subnet ? { subnet } : {}), plain, nics });
    if (plain && subnet) {
      const list = plainBySubnet.get(idKey(subnet)) ?? [];
      list.push(vm.id);
      plainBySubnet.set(idKey(subnet), list);
    }
  }
  const vmGroup = new Map<string, string>();
  for (const [subnetKey, vms] of plainBySubnet) {
    if (vms.length < 2) continue;
    const s = subnetOf.get(subnetKey);
    const id = groupId('vms', subnetKey);
    for (const vm of vms) vmGroup.set(idKey(vm), id);
    groups.push({
      id,
      kind: 'vms',
      label: `${plural(vms.length, 'VM')}`,
      count: vms.length,
      collapsed: false,
      summary: [`${plural(vms.length, 'VM')} in ${s ? `${s.vnet.name}/${s.subnet.name}` : 'this subnet'}`],
    });
    add({
      id,
      kind: 'group',
      name: id,
      aliases: [],
      label: plural(vms.length, 'VM'),
      ...(s ? { parent: s.subnet.id } : {}),
      column: s ? columnOfSubnet(s.subnet.id) : 3,
      details: [['VMs', String(vms.length)]],
      ref: { type: 'group', kind: 'vms' },
    });
  }
  const vms: VmRow[] = m.virtualMachines.map((vm) => {
    const row = vmRows.get(vm.id)!;
    const group = vmGroup.get(idKey(vm.id));
    return {
      vm,
      nics: row.nics,
      address: row.nics[0] ? (primaryIpConfig(row.nics[0])?.privateIPAddress ?? '') : '',
      ...(row.subnet ? { subnet: row.subnet } : {}),
      ...(group ? { group } : {}),
      column: row.subnet ? columnOfSubnet(row.subnet) : 3,
      nodes: nodesOfVm.get(idKey(vm.id)) ?? [],
    };
  });
  // What each group of spokes holds: the spokes and everything inside them.
  const byParent = new Map<string, string[]>();
  const addChild = (parent: string | undefined, id: string) => {
    if (!parent) return;
    const list = byParent.get(parent) ?? [];
    list.push(id);
    byParent.set(parent, list);
  };
  for (const n of nodes) addChild(n.parent, n.id);
  for (const r of vms) addChild(r.subnet, r.vm.id);
  const vmIds = new Set(vms.map((r) => r.vm.id));
  const spokeGroups: ModelPart['spokeGroups'][number][] = [];
  for (const [hubKey, spokes] of spokesOf) {
    if (spokes.length < 2) continue;
    const inside = new Set<string>();
    const stack = spokes.map((x) => x.id);
    while (stack.length) {
      const id = stack.pop()!;
      inside.add(id);
      stack.push(...(byParent.get(id) ?? []));
    }
    spokeGroups.push({
      hubKey,
      id: groupId('spokes', hubKey),
      inside,
      vms: [...inside].filter((id) => vmIds.has(id)).length,
    });
  }
  const part: ModelPart = {
    vnetById,
    spokesOf,
    nodes,
    peerings: edges,
    vmGroups: groups,
    vms,
    vmOfAddress,
    spokeGroups,
  };
  modelCache.set(m, part);
  return part;
}

/** A circuit: the box its two MSEEs are drawn in. */
function circuitNode(r: ExpressRouteCircuit): ViewNode {
  const pr = r.peerings[0];
  return {
    id: r.id,
    kind: 'circuit',
    name: r.name,
    aliases: [],
    label: `${r.name}\n${r.serviceProviderName} ${r.peeringLocation}`,
    column: 1,
    details: [
      ['circuit', r.name],
      ['resource group', r.resourceGroup],
      ['provider', `${r.serviceProviderName}, ${r.peeringLocation}, ${r.bandwidthInMbps} Mbps`],
      ['SKU', r.skuTier],
      ...(pr
        ? ([
            ['peer ASN', String(pr.peerASN)],
            ['primary link', pr.primaryPeerAddressPrefix],
            ['secondary link', pr.secondaryPeerAddressPrefix],
          ] as const)
        : []),
      ['MSEE next hops in NICs', r.mseeAddresses.join(', ')],
      ...(r.globalReachConnections.length
        ? ([['Global Reach', r.globalReachConnections.map((g) => g.name).join(', ')]] as const)
        : []),
    ],
    ref: { type: 'circuit', resourceGroup: r.resourceGroup, circuit: r.name },
  };
}

/** Every node, edge and group of the lab, before aggregation. */
function fullView(lab: Lab): TopologyView {
  const m: AzureModel = lab.model;
  const mp = modelPart(lab);
  const nodes: ViewNode[] = [];
  const index = new Map<string, ViewNode>();
  const add = (n: ViewNode) => {
    nodes.push(n);
    index.set(n.id, n);
  };
  const edges: ViewEdge[] = [...mp.peerings];
  const groups: ViewGroup[] = [...mp.vmGroups];
  const vnetById = mp.vnetById;
  const vmOfAddress = mp.vmOfAddress;
  for (const n of mp.nodes) add(n);

  // --- VMs, with the state of the nodes on them ---------------------------------------
  const stateOf = new Map(lab.graph.nodes().map((n) => [n.spec.name, n.status().state] as const));
  for (const row of mp.vms) {
    const { vm, nics, address, group } = row;
    const onVm = row.nodes.map((n) => ({ ...n, state: stateOf.get(n.name) ?? 'unknown' }));
    const state = onVm.length
      ? (NODE_STATE_ORDER.find((st) => onVm.some((n) => n.state === st)) ?? onVm[0]!.state)
      : undefined;
    add({
      id: vm.id,
      kind: 'vm',
      name: vm.name,
      aliases: [...nics.map((n) => n.name), ...onVm.map((n) => n.name)],
      label: `${vm.name}${onVm.length ? ` · ${[...new Set(onVm.map((n) => n.kind))].join('+')}` : ''}\n${address}`,
      ...(row.subnet ? { parent: row.subnet } : {}),
      ...(group ? { group } : {}),
      column: row.column,
      ...(state ? { state } : {}),
      details: [
        ['VM', vm.name],
        ['resource group', vm.resourceGroup],
        ...nics.map(
          (n) =>
            [
              `NIC ${n.name}`,
              `${n.ipConfigurations.map((c) => c.privateIPAddress).join(', ')}${n.enableIPForwarding ? ' (IP forwarding)' : ''}`,
            ] as const,
        ),
        ...onVm.map((n) => [`node ${n.name}`, `${n.kind}: ${n.state}`] as const),
      ],
      ref: {
        type: 'vm',
        resourceGroup: vm.resourceGroup,
        vm: vm.name,
        nics: nics.map((n) => ({
          name: n.name,
          resourceGroup: n.resourceGroup,
          address: primaryIpConfig(n)?.privateIPAddress ?? '',
        })),
        nodes: onVm,
      },
    });
  }

  // --- Speakers, from the lab graph (ADR 0012): each kind where the seeds draw it ----------
  const g = lab.graph;
  const subnetNamed = (vnetId: string, name: string) =>
    vnetById.get(idKey(vnetId))?.subnets.find((s) => s.name.toLowerCase() === name.toLowerCase());
  /** The view node of each speaker drawn as its own node (Azure's instances, MSEEs, routers). */
  const nodeOf = new Map<string, string>();
  const onprem = 'onprem';
  const attached = (n: NodeRuntime) => 'attach' in n.spec && !!n.spec.attach;
  if (g.speakers({ kind: 'router' }).length > 0 || g.nodes().some(attached))
    add({
      id: onprem,
      kind: 'onprem',
      name: 'on-premises',
      aliases: [],
      label: 'on-premises / other clouds',
      column: 0,
      details: [['what', 'routers outside Azure: customer edges of circuits, VPN devices']],
    });
  for (const s of g.speakers({ kind: ['route-server', 'expressroute-gateway', 'vpn-gateway', 'msee', 'router'] })) {
    const o = s.owner;
    const address = g.addressOf(s);
    const prefixes = String(s.rib?.prefixCount ?? 0);
    let node: ViewNode | undefined;
    if (o.kind === 'route-server') {
      const rs = o.runtime.resource;
      const subnet = byId(m.virtualNetworks, rs.virtualNetwork)?.subnets.find((x) => idKey(x.id) === idKey(rs.subnet));
      const instance = INSTANCE_NAMES[o.instance];
      node = {
        id: `route-server:${idKey(rs.id)}/${o.instance}`,
        kind: 'route-server',
        name: s.name,
        aliases: [...s.aliases],
        label: `${rs.name}\nIN_${o.instance} ${address}`,
        ...(subnet ? { parent: subnet.id } : {}),
        column: 2,
        details: [
          ['route server', rs.name],
          ['instance', instance],
          ['address', address],
          ['ASN', String(s.asn ?? ROUTE_SERVER_ASN)],
          ['prefixes held', prefixes],
          ['branch-to-branch', rs.allowBranchToBranchTraffic ? 'on' : 'off'],
          ['hub routing preference', rs.hubRoutingPreference],
        ],
        ref: {
          type: 'route-server',
          resourceGroup: rs.resourceGroup,
          routeServer: rs.name,
          instance,
          index: o.instance,
          address,
          peerings: rs.bgpConnections.map((c) => c.name),
        },
      };
    } else if (o.kind === 'gateway') {
      const gw = o.runtime.resource;
      const subnet = subnetNamed(gw.virtualNetwork, 'GatewaySubnet');
      const er = gw.gatewayType === 'ExpressRoute';
      node = {
        id: `gateway:${idKey(gw.id)}/${o.instance}`,
        kind: 'gateway',
        name: s.name,
        aliases: [...s.aliases],
        label: `${s.name} ${er ? 'ER' : 'VPN'}\n${address}`,
        ...(subnet ? { parent: subnet.id } : {}),
        column: 2,
        details: [
          ['gateway', gw.name],
          ['type', er ? 'ExpressRoute' : `VPN${gw.activeActive ? ' (active-active)' : ''}`],
          ['SKU', gw.sku],
          ['instance', String(o.instance)],
          ['address', address],
          ['ASN', String(s.asn ?? gw.asn)],
          ['prefixes held', prefixes],
        ],
        ref: {
          type: 'gateway',
          resourceGroup: gw.resourceGroup,
          gateway: gw.name,
          gatewayType: gw.gatewayType,
          index: o.instance,
          address,
          // Its BGP peers, as list-advertised-routes --peer takes them.
          peers: [...new Set(g.sidesOf(s).map((x) => x.remote.address))],
        },
      };
    } else if (o.kind === 'circuit') {
      const r = o.runtime.resource;
      const path = o.link === 0 ? 'primary' : 'secondary';
      if (!index.has(r.id)) add(circuitNode(r));
      node = {
        id: `msee:${idKey(r.id)}/${path}`,
        kind: 'msee',
        name: s.name,
        aliases: [...s.aliases.filter((a) => a !== r.name.toLowerCase())],
        label: `MSEE ${path}\n${address}`,
        parent: r.id,
        column: 1,
        details: [
          ['MSEE', s.name],
          ['address on the link', address],
          ['ASN', String(s.asn ?? MSEE_ASN)],
          ['prefixes held', prefixes],
        ],
        ref: { type: 'msee', resourceGroup: r.resourceGroup, circuit: r.name, path },
      };
    } else if (o.kind === 'router') {
      const spec = o.runtime.spec;
      node = {
        id: `router:${s.name.toLowerCase()}`,
        kind: 'router',
        name: s.name,
        aliases: [spec.routerId],
        label: `${s.name}\nAS ${spec.asn}`,
        parent: onprem,
        column: 0,
        state: o.runtime.state,
        details: [
          ['router', s.name],
          ['ASN', String(spec.asn)],
          ['router ID', spec.routerId],
          ['state', o.runtime.state],
          ['routes originated', String(spec.routes.length)],
          ['sessions', String(g.sidesOf(s).length)],
        ],
        ref: { type: 'router', node: s.name },
      };
    }
    if (!node) continue;
    add(node);
    nodeOf.set(s.name.toLowerCase(), node.id);
  }
  // Lab nodes on premises (attach, no VM): their own node; a node on a VM is drawn as the VM.
  for (const n of g.nodes()) {
    if (!attached(n) || ('vm' in n.spec && n.spec.vm)) continue;
    const address = 'address' in n.spec ? String(n.spec.address) : '';
    const id = `daemon:${n.spec.name.toLowerCase()}`;
    const st = n.status();
    add({
      id,
      kind: 'daemon',
      name: n.spec.name,
      aliases: address ? [address] : [],
      label: `${n.spec.name} · ${n.spec.kind}${address ? `\n${address}` : ''}`,
      parent: onprem,
      column: 0,
      state: st.state,
      details: [
        ['node', n.spec.name],
        ['kind', n.spec.kind],
        ['address', address],
        ['state', st.state],
      ],
      ref: { type: 'daemon', node: n.spec.name },
    });
    nodeOf.set(n.spec.name.toLowerCase(), id);
  }

  // --- Sessions, from the lab graph: TCP (route-server peerings) and in-process alike -------
  const extraPeers = new Map<string, ViewNode>();
  /** Where an end is drawn: its speaker's node, the VM holding its address, or a bare peer. */
  const endNode = (e: SessionEndpoint, other: string | undefined): string => {
    const own = e.speaker ? nodeOf.get(e.speaker.name.toLowerCase()) : undefined;
    if (own) return own;
    const vm = vmOfAddress.get(e.address);
    if (vm) return vm;
    // A peer address no VM holds: an external daemon (it must run on that address).
    const id = `peer:${e.address}`;
    if (!extraPeers.has(id)) {
      const parent = other ? index.get(other)?.parent : undefined;
      extraPeers.set(id, {
        id,
        kind: 'peer',
        name: e.address,
        aliases: [],
        label: `peer ${e.address}\nAS ${e.asn}`,
        ...(parent ? { parent } : {}),
        column: 2,
        details: [
          ['peer address', e.address],
          ['ASN', String(e.asn)],
          ['note', 'no VM of the lab has this address'],
        ],
      });
    }
    return id;
  };
  const seenEdge = new Set<string>();
  for (const s of g.sessions()) {
    const [e0, e1] = s.ends;
    const n0 = e0.speaker ? nodeOf.get(e0.speaker.name.toLowerCase()) : undefined;
    const a = endNode(e0, undefined);
    const b = endNode(e1, n0);
    // Drawn from on premises toward Azure, from the MSEE toward the gateway, from Azure's
    // instances toward the VMs that peer with them.
    const rank = (id: string) => index.get(id)?.column ?? extraPeers.get(id)?.column ?? 2;
    const flip = rank(a) > rank(b);
    const [src, dst] = flip ? [b, a] : [a, b];
    const fault = g.faults.describe(s);
    // A route-server peering: the route server's end names it (its learned/advertised routes).
    const rsSide = ([0, 1] as const).find((i) => s.ends[i].speaker?.owner.kind === 'route-server');
    const rsOwner = rsSide === undefined ? undefined : s.ends[rsSide].speaker!.owner;
    const rs = rsOwner?.kind === 'route-server' ? rsOwner.runtime.resource : undefined;
    const local = s.view(rsSide ?? 0);
    let id = `bgp:${s.name.toLowerCase()}`;
    // Two route servers of one name in two resource groups: sessions of one name.
    for (let k = 2; seenEdge.has(id); k++) id = `bgp:${s.name.toLowerCase()}#${k}`;
    seenEdge.add(id);
    edges.push({
      id,
      kind: 'bgp',
      source: src,
      target: dst,
      label: s.name,
      // The route-server runtime's events name its peerings "instance/peering".
      ...(rsSide !== undefined ? { aliases: [`${s.ends[rsSide].name}/${s.ends[rsSide === 0 ? 1 : 0].name}`] } : {}),
      state: s.state,
      up: s.state === 'Established',
      transport: s.transport,
      ...(fault ? { fault } : {}),
      details: [
        ['session', s.name],
        ['state', s.state],
        ...s.ends.map((e) => [`${e.speaker ? e.speaker.kind : 'peer'} ${e.name}`, `${e.address} AS ${e.asn}`] as const),
        ['detection', describeDetection(s.detection)],
        ...(fault ? ([['held down by', fault]] as const) : []),
        ...s.ends.map((e, i) => [`routes received by ${e.name}`, String(s.view(i as 0 | 1).routesReceived)] as const),
        [
          `messages sent / received by ${s.ends[rsSide ?? 0].name}`,
          `${local.messagesSent} / ${local.messagesReceived}`,
        ],
        ...(local.connectedMs !== undefined
          ? ([['up since', new Date(Date.now() - local.connectedMs).toISOString()]] as const)
          : []),
        ...(local.lastDown ? ([['last down', local.lastDown]] as const) : []),
      ],
      ...(rs && rsSide !== undefined
        ? {
            peering: {
              resourceGroup: rs.resourceGroup,
              routeServer: rs.name,
              name: s.ends[rsSide === 0 ? 1 : 0].name,
            },
          }
        : {}),
      link: { session: s.name },
    });
  }
  for (const n of extraPeers.values()) add(n);

  // --- Groups of spokes, with what the lab counts in them --------------------------
  for (const { hubKey, id, inside, vms } of mp.spokeGroups) {
    const spokes = mp.spokesOf.get(hubKey)!;
    const hub = vnetById.get(hubKey)!;
    const sessions = edges.filter((e) => e.kind === 'bgp' && (inside.has(e.source) || inside.has(e.target)));
    const up = sessions.filter((e) => e.up).length;
    groups.push({
      id,
      kind: 'spokes',
      label: `${plural(spokes.length, 'spoke')} of ${hub.name}`,
      count: spokes.length,
      collapsed: false,
      summary: [
        `${plural(spokes.length, 'spoke VNet')} of ${hub.name}`,
        plural(vms, 'VM'),
        ...(sessions.length ? [`${plural(sessions.length, 'BGP session')}: ${up} Established`] : []),
      ],
    });
    add({
      id,
      kind: 'group',
      name: id,
      aliases: [],
      label: `${plural(spokes.length, 'spoke')} of ${hub.name}\n${plural(vms, 'VM')}`,
      column: 3,
      details: [
        ['spokes of', hub.name],
        ['VNets', String(spokes.length)],
        ['VMs', String(vms)],
      ],
      ref: { type: 'group', kind: 'spokes' },
    });
  }

  const bgp = edges.filter((e) => e.kind === 'bgp');
  return {
    lab: { name: lab.spec.name, mode: lab.mode, subscriptionId: m.subscriptionId },
    nodes,
    edges,
    groups,
    structure: '',
    counts: {
      vnets: m.virtualNetworks.length,
      vms: m.virtualMachines.length,
      sessions: bgp.length,
      established: bgp.filter((e) => e.up).length,
    },
  };
}

/** A short digest of the ids (FNV-1a): equal when no node or edge was added or removed. */
function structureKey(nodes: readonly ViewNode[], edges: readonly ViewEdge[]): string {
  const ids = [...nodes.map((n) => `${n.id}>${n.parent ?? ''};`), ...edges.map((e) => `${e.id};`)].join('');
  return `${nodes.length}.${edges.length}.${fnv(ids)}`;
}
