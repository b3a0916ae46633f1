/**
 * @module lab/topologyView
 * The lab as one picture (issue 14): every VNet, subnet and peering, route-server and
 * gateway instance, circuit and MSEE, on-premises router, VM with the nodes it runs, and
 * every BGP session with its state — read from what the running Lab holds (the model, the
 * route-server runtimes, the hybrid runtime, the nodes), for `GET /arslab/topology` and the
 * web page. The page draws this and computes nothing: every state, count and name here is
 * the lab's.
 *
 * Nodes carry the names the CLI, `trace` and `explain` use ("hub1rs/IN_0", "er1/0",
 * "er-circuit/primary", "onprem", a VM's name), so a trace or an explanation can be drawn
 * on the graph by name. Large labs are aggregated: the spokes of each hub and the plain VMs
 * of each subnet form groups (count and summary from here), which the page shows collapsed
 * until expanded — 4,000 NIC nodes are not drawn at once.
 *
 * This is the one module that turns the runtime into the picture; the lab graph of issue 9
 * will replace its insides (the enumeration of speakers and sessions), not its output.
 */
import {
  byId,
  hubOf,
  idKey,
  isHub,
  MSEE_ASN,
  primaryIpConfig,
  ROUTE_SERVER_ASN,
  type AzureModel,
  type VirtualNetwork,
} from '../azure/index.js';
import type { Speaker } from '../rib/index.js';
import type { HybridRuntime } from './hybrid.js';
import type { InProcessSession } from './inprocess.js';
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
  | { readonly type: 'group'; readonly members: readonly string[] };

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
  /** The session's label (as `arslab link list` and the timeline name it) or the peering's names. */
  readonly label: string;
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
}

export interface ViewGroup {
  readonly id: string;
  readonly kind: 'spokes' | 'vms';
  readonly label: string;
  readonly count: number;
  /** Lines the page shows on the collapsed group (counts by the lab). */
  readonly summary: readonly string[];
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

/** The fault that holds an in-process session down now, or '' (as `arslab link list` prints it). */
export function sessionFault(h: HybridRuntime, s: InProcessSession): string {
  const held = h.held.get(s);
  if (held === undefined) return h.isActiveSession(s) ? '' : 'branch-to-branch off';
  return held === 'link' ? 'link down' : `router ${held} stopped`;
}

/** How a cut of this in-process session is detected. */
export function sessionDetection(s: InProcessSession): string {
  const t = s.timers;
  return t.bfd ? `BFD ${t.bfd.intervalMs * t.bfd.multiplier} ms` : `hold timer ${t.holdTime} s`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The lab as nodes, edges and groups (module comment). */
export function topologyView(lab: Lab): TopologyView {
  const m: AzureModel = lab.model;
  const nodes: ViewNode[] = [];
  const index = new Map<string, ViewNode>();
  const add = (n: ViewNode) => {
    nodes.push(n);
    index.set(n.id, n);
  };
  const edges: ViewEdge[] = [];
  const groups: ViewGroup[] = [];
  const bySpeaker = new Map<Speaker, string>();
  const h = lab.hybrid;

  // --- VNets: hub, spoke of a hub, or on their own -------------------------------------
  const vnetById = new Map(m.virtualNetworks.map((v) => [idKey(v.id), v] as const));
  const hubOfVnet = new Map<string, VirtualNetwork | undefined>();
  for (const v of m.virtualNetworks) hubOfVnet.set(idKey(v.id), hubOf(m, v));
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
    for (const s of spokes) spokeGroup.set(idKey(s.id), `group:spokes:${hubKey}`);
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
  const nodesOfVm = new Map<string, { name: string; kind: string; state: string }[]>();
  for (const n of lab.nodes.values()) {
    const vm = 'vm' in n.spec ? n.spec.vm : undefined;
    if (!vm) continue;
    const list = nodesOfVm.get(idKey(vm)) ?? [];
    list.push({ name: n.spec.name, kind: n.spec.kind, state: n.status().state });
    nodesOfVm.set(idKey(vm), list);
  }
  const vmOfAddress = new Map<string, string>();
  const peerAddresses = new Set<string>();
  for (const rt of lab.routeServers.values()) for (const c of rt.resource.bgpConnections) peerAddresses.add(c.peerIp);
  const nicById = new Map(m.networkInterfaces.map((n) => [idKey(n.id), n] as const));
  // Plain VMs (no node, not a BGP peer) of one subnet form a group when there are at least two.
  const plainBySubnet = new Map<string, string[]>();
  const vmRows = new Map<string, { subnet?: string; plain: boolean }>();
  for (const vm of m.virtualMachines) {
    const nics = vm.networkInterfaces.map((id) => nicById.get(idKey(id))).filter((n) => !!n);
    const addresses = nics.flatMap((n) => n.ipConfigurations.map((c) => c.privateIPAddress));
    for (const a of addresses) vmOfAddress.set(a, vm.id);
    const subnet = nics[0] ? primaryIpConfig(nics[0])?.subnet : undefined;
    const plain = !nodesOfVm.has(idKey(vm.id)) && !addresses.some((a) => peerAddresses.has(a));
    vmRows.set(vm.id, { ...(subnet ? { subnet } : {}), plain });
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
    const id = `group:vms:${subnetKey}`;
    for (const vm of vms) vmGroup.set(idKey(vm), id);
    groups.push({
      id,
      kind: 'vms',
      label: `${plural(vms.length, 'VM')}`,
      count: vms.length,
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
      ref: { type: 'group', members: vms },
    });
  }
  for (const vm of m.virtualMachines) {
    const nics = vm.networkInterfaces.map((id) => nicById.get(idKey(id))).filter((n) => !!n);
    const row = vmRows.get(vm.id)!;
    const onVm = nodesOfVm.get(idKey(vm.id)) ?? [];
    const state = onVm.length
      ? (NODE_STATE_ORDER.find((st) => onVm.some((n) => n.state === st)) ?? onVm[0]!.state)
      : undefined;
    const address = nics[0] ? (primaryIpConfig(nics[0])?.privateIPAddress ?? '') : '';
    const group = vmGroup.get(idKey(vm.id));
    add({
      id: vm.id,
      kind: 'vm',
      name: vm.name,
      aliases: [...nics.map((n) => n.name), ...onVm.map((n) => n.name)],
      label: `${vm.name}${onVm.length ? ` · ${[...new Set(onVm.map((n) => n.kind))].join('+')}` : ''}\n${address}`,
      ...(row.subnet ? { parent: row.subnet } : {}),
      ...(group ? { group } : {}),
      column: row.subnet ? columnOfSubnet(row.subnet) : 3,
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

  // --- Route-server instances and their TCP sessions with NVAs ----------------------
  const subnetNamed = (vnetId: string, name: string) =>
    vnetById.get(idKey(vnetId))?.subnets.find((s) => s.name.toLowerCase() === name.toLowerCase());
  const extraPeers = new Map<string, ViewNode>();
  for (const rt of lab.routeServers.values()) {
    const rs = rt.resource;
    const subnet = byId(m.virtualNetworks, rs.virtualNetwork)?.subnets.find((s) => idKey(s.id) === idKey(rs.subnet));
    const status = rt.status();
    for (const inst of rt.instances) {
      const id = `route-server:${idKey(rs.id)}/${inst.index}`;
      bySpeaker.set(inst.speaker, id);
      add({
        id,
        kind: 'route-server',
        name: `${rs.name}/IN_${inst.index}`,
        aliases: [inst.ip, `${rs.name}/${inst.name}`],
        label: `${rs.name}\nIN_${inst.index} ${inst.ip}`,
        ...(subnet ? { parent: subnet.id } : {}),
        column: 2,
        details: [
          ['route server', rs.name],
          ['instance', inst.name],
          ['address', inst.ip],
          ['ASN', String(ROUTE_SERVER_ASN)],
          ['prefixes held', String(status[inst.index]!.prefixes)],
          ['branch-to-branch', rs.allowBranchToBranchTraffic ? 'on' : 'off'],
          ['hub routing preference', rs.hubRoutingPreference],
        ],
        ref: {
          type: 'route-server',
          resourceGroup: rs.resourceGroup,
          routeServer: rs.name,
          instance: inst.name,
          index: inst.index,
          address: inst.ip,
          peerings: rs.bgpConnections.map((c) => c.name),
        },
      });
      for (const p of status[inst.index]!.peerings) {
        let target = vmOfAddress.get(p.peerIp);
        if (!target) {
          // A peer address no VM holds: an external daemon (it must run on that address).
          target = `peer:${p.peerIp}`;
          if (!extraPeers.has(target))
            extraPeers.set(target, {
              id: target,
              kind: 'peer',
              name: p.peerIp,
              aliases: [],
              label: `peer ${p.peerIp}\nAS ${p.peerAsn}`,
              ...(subnet ? { parent: subnet.id } : {}),
              column: 2,
              details: [
                ['peer address', p.peerIp],
                ['ASN', String(p.peerAsn)],
                ['note', 'no VM of the lab has this address'],
              ],
            });
        }
        edges.push({
          id: `bgp:${idKey(rs.id)}/${inst.index}/${p.name.toLowerCase()}`,
          kind: 'bgp',
          source: id,
          target,
          label: `${rs.name}/IN_${inst.index}/${p.name}`,
          state: p.state,
          up: p.state === 'Established',
          transport: 'tcp',
          details: [
            ['peering', p.name],
            ['peer', `${p.peerIp} AS ${p.peerAsn}`],
            ['state', p.state],
            ['routes received', String(p.routesReceived)],
            ['routes advertised', String(p.routesAdvertised)],
            ['messages sent / received', `${p.messagesSent} / ${p.messagesReceived}`],
            ...(p.upSince ? ([['up since', p.upSince]] as const) : []),
            ...(p.lastDown ? ([['last down', p.lastDown]] as const) : []),
          ],
          peering: { resourceGroup: rs.resourceGroup, routeServer: rs.name, name: p.name },
        });
      }
    }
  }
  for (const n of extraPeers.values()) add(n);

  // --- Gateways, circuits, MSEEs, on-premises routers ------------------------------
  const onprem = 'onprem';
  const hasOnprem =
    (h?.routers.size ?? 0) > 0 || [...lab.nodes.values()].some((n) => 'attach' in n.spec && n.spec.attach);
  if (hasOnprem)
    add({
      id: onprem,
      kind: 'onprem',
      name: 'on-premises',
      aliases: [],
      label: 'on-premises / other clouds',
      column: 0,
      details: [['what', 'routers outside Azure: customer edges of circuits, VPN devices']],
    });
  if (h) {
    for (const gw of h.gateways.values()) {
      const g = gw.resource;
      const subnet = subnetNamed(g.virtualNetwork, 'GatewaySubnet');
      gw.instances.forEach((sp, i) => {
        const id = `gateway:${idKey(g.id)}/${i}`;
        bySpeaker.set(sp, id);
        add({
          id,
          kind: 'gateway',
          name: `${g.name}/${i}`,
          aliases: [g.instanceAddresses[i] ?? ''],
          label: `${g.name}/${i} ${g.gatewayType === 'ExpressRoute' ? 'ER' : 'VPN'}\n${g.instanceAddresses[i]}`,
          ...(subnet ? { parent: subnet.id } : {}),
          column: 2,
          details: [
            ['gateway', g.name],
            [
              'type',
              g.gatewayType === 'ExpressRoute' ? 'ExpressRoute' : `VPN${g.activeActive ? ' (active-active)' : ''}`,
            ],
            ['SKU', g.sku],
            ['instance', String(i)],
            ['address', g.instanceAddresses[i] ?? ''],
            ['ASN', String(g.asn)],
            ['prefixes held', String(sp.prefixCount)],
          ],
          ref: {
            type: 'gateway',
            resourceGroup: g.resourceGroup,
            gateway: g.name,
            gatewayType: g.gatewayType,
            index: i,
            address: g.instanceAddresses[i] ?? '',
            peers: [],
          },
        });
      });
    }
    for (const c of h.circuits.values()) {
      const r = c.resource;
      const pr = r.peerings[0];
      add({
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
      });
      c.msees.forEach((sp, link) => {
        const path = link === 0 ? 'primary' : 'secondary';
        const id = `msee:${idKey(r.id)}/${path}`;
        bySpeaker.set(sp, id);
        add({
          id,
          kind: 'msee',
          name: sp.name,
          aliases: [c.mseeLinkAddress(link as 0 | 1)],
          label: `MSEE ${path}\n${c.mseeLinkAddress(link as 0 | 1)}`,
          parent: r.id,
          column: 1,
          details: [
            ['MSEE', sp.name],
            ['address on the link', c.mseeLinkAddress(link as 0 | 1)],
            ['ASN', String(MSEE_ASN)],
            ['prefixes held', String(sp.prefixCount)],
          ],
          ref: { type: 'msee', resourceGroup: r.resourceGroup, circuit: r.name, path },
        });
      });
    }
    for (const r of h.routers.values()) {
      const id = `router:${r.spec.name.toLowerCase()}`;
      bySpeaker.set(r.speaker, id);
      add({
        id,
        kind: 'router',
        name: r.spec.name,
        aliases: [r.spec.routerId],
        label: `${r.spec.name}\nAS ${r.spec.asn}`,
        parent: onprem,
        column: 0,
        state: r.state,
        details: [
          ['router', r.spec.name],
          ['ASN', String(r.spec.asn)],
          ['router ID', r.spec.routerId],
          ['state', r.state],
          ['routes originated', String(r.spec.routes.length)],
          ['sessions', String(r.sessions.length)],
        ],
        ref: { type: 'router', node: r.spec.name },
      });
    }
    // In-process sessions: gateway ↔ MSEE, MSEE ↔ router, router ↔ VPN gateway, the gateways' iBGP mesh.
    const peersOf = new Map<string, Set<string>>();
    for (const s of h.sessions.values()) {
      const a = bySpeaker.get(s.end(0).speaker);
      const b = bySpeaker.get(s.end(1).speaker);
      if (!a || !b) continue;
      for (const side of [0, 1] as const) {
        const here = bySpeaker.get(s.end(side === 0 ? 1 : 0).speaker)!;
        const set = peersOf.get(here) ?? new Set<string>();
        set.add(s.end(side).peer.address);
        peersOf.set(here, set);
      }
      const fault = sessionFault(h, s);
      const v0 = s.view(0);
      const v1 = s.view(1);
      // Drawn from on premises toward Azure, and from the MSEE toward the gateway.
      const rank = (id: string) => index.get(id)?.column ?? 2;
      const [src, dst, vs, vd] = rank(a) <= rank(b) ? [a, b, v1, v0] : [b, a, v0, v1];
      edges.push({
        id: `bgp:${s.label.toLowerCase()}`,
        kind: 'bgp',
        source: src,
        target: dst,
        label: s.label,
        state: s.state,
        up: s.state === 'Established',
        transport: 'in-process',
        ...(fault ? { fault } : {}),
        details: [
          ['session', s.label],
          ['state', s.state],
          ['detection', sessionDetection(s)],
          ...(fault ? ([['held down by', fault]] as const) : []),
          [`routes received by ${index.get(src)?.name}`, String(vs.routesReceived)],
          [`routes received by ${index.get(dst)?.name}`, String(vd.routesReceived)],
        ],
        link: { session: s.label },
      });
    }
    // Each gateway instance's BGP peers (for list-advertised-routes --peer).
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (n.ref?.type !== 'gateway') continue;
      nodes[i] = { ...n, ref: { ...n.ref, peers: [...(peersOf.get(n.id) ?? [])] } };
      index.set(n.id, nodes[i]!);
    }
  }
  // Daemons on premises (attach: no VM): shown, their sessions are not wired yet (issue 9).
  for (const n of lab.nodes.values()) {
    if (!('attach' in n.spec) || !n.spec.attach || n.spec.vm) continue;
    const st = n.status();
    add({
      id: `daemon:${n.spec.name.toLowerCase()}`,
      kind: 'daemon',
      name: n.spec.name,
      aliases: [n.spec.address],
      label: `${n.spec.name} · ${n.spec.kind}\n${n.spec.address}`,
      parent: onprem,
      column: 0,
      state: st.state,
      details: [
        ['node', n.spec.name],
        ['kind', n.spec.kind],
        ['address', n.spec.address],
        ['state', st.state],
      ],
      ref: { type: 'daemon', node: n.spec.name },
    });
  }

  // --- Groups of spokes, with what the lab counts in them --------------------------
  const byParent = new Map<string, ViewNode[]>();
  for (const n of nodes) {
    if (!n.parent) continue;
    const list = byParent.get(n.parent) ?? [];
    list.push(n);
    byParent.set(n.parent, list);
  }
  const descendants = (id: string): ViewNode[] => {
    const out: ViewNode[] = [];
    const stack = [id];
    while (stack.length) {
      for (const c of byParent.get(stack.pop()!) ?? []) {
        out.push(c);
        stack.push(c.id);
      }
    }
    return out;
  };
  for (const [hubKey, spokes] of spokesOf) {
    if (spokes.length < 2) continue;
    const hub = vnetById.get(hubKey)!;
    const id = `group:spokes:${hubKey}`;
    const inside = new Set(spokes.flatMap((s) => [s.id, ...descendants(s.id).map((d) => d.id)]));
    const vms = [...inside].filter((x) => index.get(x)?.kind === 'vm').length;
    const sessions = edges.filter((e) => e.kind === 'bgp' && (inside.has(e.source) || inside.has(e.target)));
    const up = sessions.filter((e) => e.up).length;
    groups.push({
      id,
      kind: 'spokes',
      label: `${plural(spokes.length, 'spoke')} of ${hub.name}`,
      count: spokes.length,
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
      ref: { type: 'group', members: spokes.map((s) => s.id) },
    });
  }

  const bgp = edges.filter((e) => e.kind === 'bgp');
  return {
    lab: { name: lab.spec.name, mode: lab.mode, subscriptionId: m.subscriptionId },
    nodes,
    edges,
    groups,
    structure: structureKey(nodes, edges),
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
  let h = 0x811c9dc5;
  const add = (s: string) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  };
  for (const n of nodes) add(`${n.id}>${n.parent ?? ''}|${n.group ?? ''};`);
  for (const e of edges) add(`${e.id};`);
  return `${nodes.length}.${edges.length}.${h.toString(16)}`;
}
