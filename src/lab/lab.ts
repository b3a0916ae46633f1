/**
 * @module lab/lab
 * A running lab: the Azure model, its Route Servers as live BGP speakers, the nodes
 * (real daemons and built-in speakers) and the event timeline. The API (src/api) reads
 * from here; nothing else holds routing state.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { realClock, type Clock } from '../bgp/clock.js';
import { silentLogger, type Logger } from '../bgp/log.js';
import {
  byId,
  effectiveRoutes,
  EffectiveRouteLayers,
  forwardIn,
  idKey,
  jsonBytesOf,
  nextHopIn,
  type AzureModel,
  type EffectiveRouteChanges,
  type EffectiveRouteTable,
  type GatewayRouteSource,
  type EffectiveRoutes,
  type Flow,
  type ForwardingDecision,
  type NetworkInterface,
  type NextHopResult,
  type ProgrammedRoute,
  type RouteServer,
  type GatewayRoute,
  type GatewayRoutes,
  type VirtualNetwork,
  gatewaysOfVnet,
  hubOf,
  mergeGatewayRoutes,
  effectiveRoutingPreference,
  routeServerOfVnet,
  servedByHub,
  vnetsServedBy,
  INSTANCE_NAMES,
  instanceProgrammedRoutes,
  nicPlace,
  primaryIpConfig,
  programmingInstance,
  programmingView,
  unpeeredOfKey,
  type ProgrammingView,
} from '../azure/index.js';
import type { Prefix } from '../bgp/wire/index.js';
import type { BestChange, Speaker } from '../rib/index.js';
import { AddressMap } from './addressing.js';
import { EventLog } from './events.js';
import { LabGraph, type LabSpeaker } from './graph/index.js';
import { createNode, type NodeRuntime } from './kinds/index.js';
import { RouteServerRuntime, type RouteServerContext } from './routeServer.js';
import { HybridRuntime } from './hybrid.js';
import { CustomerEdges } from './customerEdge.js';
import { DeliveryQueue } from './inprocess.js';
import { FabricProgramming } from './fabric.js';
import type { AddressingMode, DaemonNodeSpec, LabSpec } from './spec.js';
import type { Netns } from './netns.js';
import type { Connector } from '../bgp/transport/index.js';

/** A route server's programmed route as a gateway-route candidate (R-ARS-8). */
function fromRouteServer(r: ProgrammedRoute): GatewayRoute {
  return { ...r, origin: 'route-server', asPathLength: r.paths[0]?.attrs.asPathLength ?? 0 };
}

export interface LabOptions {
  /** Where the lab keeps its files (daemon work dirs, pcaps, logs). */
  readonly stateDir: string;
  readonly mode?: AddressingMode;
  readonly port?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Record every session to pcap files in stateDir/pcap. */
  readonly capture?: boolean;
  /** Bound on every daemon's life (tests), seconds. */
  readonly maxLifetimeSeconds?: number;
  /** Do not start the nodes (tests that start them one by one). */
  readonly startNodes?: boolean;
  /** Aborts the start (Ctrl-C while daemons start): start() removes what it created and rejects. */
  readonly signal?: AbortSignal;
  /** Called with the lab before it starts anything, so a crash handler can find what it started. */
  readonly onCreated?: (lab: Lab) => void;
}

/** 179 when we may bind privileged ports (root), else 1179 (ADR 0001). */
export function defaultBgpPort(): number {
  return process.getuid?.() === 0 ? 179 : 1179;
}

export class Lab {
  readonly events: EventLog;
  readonly addresses: AddressMap;
  readonly port: number;
  readonly mode: AddressingMode;
  /** Every BGP speaker of the lab and the sessions between them (ADR 0012); the nodes too. */
  readonly graph: LabGraph;
  readonly startedAt = new Date();
  private model_: AzureModel;
  private netns?: Netns;
  private stopped = false;
  /** One FIFO for every in-process route exchange: the same order on every run. */
  readonly queue = new DeliveryQueue();
  /** Gateways, circuits' MSEEs, built-in on-premises routers. */
  hybrid?: HybridRuntime;
  /**
   * The fabric between the control plane and the NICs when the lab's timing is not ideal
   * (R-TIME-1, R-TIME-2, ADR 0018): NICs see its programmed routes; without it, the
   * control plane's at once.
   */
  fabric?: FabricProgramming;
  /** The Azure side's TCP sessions with daemon nodes attached on premises. */
  private edges?: CustomerEdges;
  /** How route-server instances listen and connect (kept for route servers created at run time). */
  private azureTcp?: RouteServerContext;
  /** The reconcile of the last model change still starting or stopping runtimes (applyModel). */
  private reconciling: Promise<void> = Promise.resolve();

  private constructor(
    readonly spec: LabSpec,
    readonly options: LabOptions,
  ) {
    const clock = options.clock ?? realClock;
    this.events = new EventLog(clock);
    this.graph = new LabGraph(clock, this.events);
    this.mode = options.mode ?? spec.settings.addressing;
    this.addresses = new AddressMap(this.mode, this.mode === 'loopback' ? spec.settings.loopbackAddresses : {});
    this.port =
      options.port ??
      (spec.settings.bgpPort === 'auto' ? (this.mode === 'netns' ? 179 : defaultBgpPort()) : spec.settings.bgpPort);
    this.model_ = spec.model;
  }

  get model(): AzureModel {
    return this.model_;
  }

  static async start(spec: LabSpec, options: LabOptions): Promise<Lab> {
    const lab = new Lab(spec, options);
    options.onCreated?.(lab);
    try {
      await lab.boot();
    } catch (e) {
      await lab.stop().catch(() => {});
      // Interrupted: say so, rather than what the interruption broke (a killed `ip`, say).
      throw options.signal?.aborted ? options.signal.reason : e;
    }
    return lab;
  }

  private async boot(): Promise<void> {
    const o = this.options;
    const clock = o.clock ?? realClock;
    const logger = o.logger ?? silentLogger;
    mkdirSync(o.stateDir, { recursive: true });
    const capture = o.capture ?? this.spec.settings.capture;
    const pcapDir = capture ? join(o.stateDir, 'pcap') : undefined;
    if (pcapDir) mkdirSync(pcapDir, { recursive: true });
    this.events.emit('lab', this.spec.name, `starting (${this.mode} mode, BGP port ${this.port})`);

    const checkpoint = () => o.signal?.throwIfAborted();
    checkpoint();
    if (this.mode === 'netns') {
      const { Netns } = await import('./netns.js');
      // Known from its first namespace on, so that a crash during the start removes it too.
      this.netns = await Netns.create(this.spec.name, o.stateDir, logger, (n) => (this.netns = n));
    }

    // How the Azure side's TCP speakers (route-server instances, and the MSEEs and gateway
    // instances facing daemon nodes) listen and connect.
    const azureSide = this.netns?.azure();
    const azureTcp: RouteServerContext = {
      addresses: this.addresses,
      port: this.port,
      clock,
      logger,
      events: this.events,
      connectRetryTime: this.spec.settings.connectRetryTime,
      graph: this.graph,
      ...(pcapDir ? { pcapDir } : {}),
      ...(azureSide ? { connector: azureSide.connector, listen: azureSide.listen } : {}),
    };
    this.azureTcp = azureTcp;
    for (const rs of this.model_.routeServers) {
      // The runtime registers itself (its two instances and their peerings) in the lab graph.
      new RouteServerRuntime(this.model_, rs, azureTcp);
      if (this.netns) for (const ip of rs.virtualRouterIps) await this.netns.addAzureAddress(ip);
    }
    // Netns mode: one namespace per VM address, shared by the nodes on it (a web server and
    // the agent beside it), named after the first of them.
    const namespaces = new Map<string, Awaited<ReturnType<Netns['addNode']>>>();
    for (const n of this.spec.nodes) {
      checkpoint();
      const workDir = join(o.stateDir, 'nodes', n.name);
      mkdirSync(workDir, { recursive: true });
      // A daemon's further addresses: its other attachments, its customer links (lab file `links`).
      const more = [
        ...(n.kind !== 'speaker' && n.kind !== 'http' ? (n.attach ?? []).map((a) => a.address ?? '') : []),
        ...(this.spec.links ?? []).flatMap((l) => l.ends.filter((e) => e.name === n.name).map((e) => e.address)),
      ].filter((a) => a && a !== n.address);
      for (const a of more) this.addresses.add(a);
      let ns = namespaces.get(n.address);
      if (this.netns && !ns) {
        ns = await this.netns.addNode(n.name, n.address, more);
        namespaces.set(n.address, ns);
      }
      const node = createNode(n, {
        model: this.model_,
        mode: this.mode,
        addresses: this.addresses,
        port: this.port,
        clock,
        logger,
        events: this.events,
        graph: this.graph,
        workDir,
        ...(more.length > 0 ? { moreAddresses: more } : {}),
        ...(pcapDir ? { pcapDir } : {}),
        ...(ns ? { netns: ns.name, connector: ns.connector, listen: ns.listen } : {}),
        ...(o.maxLifetimeSeconds ? { maxLifetimeSeconds: o.maxLifetimeSeconds } : {}),
      });
      this.graph.addNode(node);
    }
    checkpoint();
    for (const rt of this.graph.routeServers()) await rt.start();
    this.hybrid = new HybridRuntime(this.model_, this.spec.routers, {
      clock,
      events: this.events,
      queue: this.queue,
      graph: this.graph,
      ...(this.spec.links ? { links: this.spec.links } : {}),
    });
    this.watchHubSpeakers();
    this.hybrid.start();
    const timing = this.spec.settings.timing;
    if (timing && timing.profile !== 'ideal') {
      this.fabric = new FabricProgramming(
        timing,
        clock,
        this.events,
        (vnet, view) => this.gatewayRoutes(vnet, undefined, view),
        () => this.model_.virtualNetworks,
        () => this.otherViews(),
      );
      this.queue.onDrained = () => this.fabric?.changed();
      this.fabric.changed();
      this.events.emit('lab', this.spec.name, `timing profile ${timing.profile} (seed ${timing.seed})`);
    }
    const netns = this.netns;
    this.edges = new CustomerEdges(
      this.hybrid,
      this.spec.nodes.filter((n): n is DaemonNodeSpec => n.kind !== 'speaker' && n.kind !== 'http'),
      { ...azureTcp, ...(netns ? { addAzureAddress: (a: string) => netns.addAzureAddress(a) } : {}) },
    );
    await this.edges.start();
    await this.queue.settled();
    if (o.startNodes !== false) {
      for (const node of this.graph.nodes()) {
        checkpoint();
        await node.start();
      }
    }
    checkpoint();
    this.events.emit('lab', this.spec.name, 'up');
  }

  /**
   * Replace the model (an API PUT/DELETE already checked it) and reconcile the running lab
   * with it — the one path every run-time change takes (ADR 0034):
   * - a route server gone: its runtime leaves the lab graph at once (its NICs' routes with
   *   it) and its sessions close (Cease) and listeners stop;
   * - a route server new (its IP configuration put): its two instances register, listen and
   *   open their peerings (instant: ADR 0034 on Azure's ~20 minutes);
   * - a route server kept: its peerings follow its bgpConnections (RouteServerRuntime.
   *   setModel: a new one's sessions start, a deleted one's close), it re-originates and
   *   re-applies policy; when the VNets it serves change (a hub–spoke peering made or
   *   removed), it asks its NVAs for their routes again (R-ARS-13);
   * - the hybrid runtime follows the model (HybridRuntime.setModel): gateways, circuits,
   *   connections and Global Reach created, changed or deleted get or lose their speakers and
   *   sessions through the boot's builder (wire), kept where equal; gateway settings, route
   *   tables (R-VPN-2);
   * - NICs, VMs, VNets and route tables need nothing started: the effective-route layers
   *   (ADR 0015) compare what each layer was built from with the new model, and a hub whose
   *   route server came or went is rebuilt (`hubChanged`).
   * The model swap and the graph's changes are done when this returns; the promise settles
   * once new listeners listen and old ones are closed (the API awaits it).
   */
  applyModel(next: AzureModel, why: string): Promise<void> {
    const prev = this.model_;
    this.model_ = next;
    const starting: RouteServerRuntime[] = [];
    const stopping: RouteServerRuntime[] = [];
    const keep = new Set(next.routeServers.map((r) => idKey(r.id)));
    for (const rt of this.graph.routeServers()) {
      if (keep.has(idKey(rt.resource.id))) continue;
      this.graph.removeRouteServer(rt.resource.id);
      this.routeLayers.hubChanged(idKey(rt.resource.virtualNetwork));
      stopping.push(rt);
      this.events.emit('lab', rt.resource.name, 'route server deleted: its instances stop');
    }
    for (const rt of this.graph.routeServers()) {
      const rs = next.routeServers.find((r) => idKey(r.id) === idKey(rt.resource.id));
      if (!rs) continue;
      const before = vnetsServedBy(prev, rt.resource)
        .map((v) => idKey(v.id))
        .sort()
        .join();
      rt.setModel(next, rs);
      const after = vnetsServedBy(next, rs)
        .map((v) => idKey(v.id))
        .sort()
        .join();
      if (before !== after) rt.refreshPeers(why);
    }
    const ctx = this.azureTcp;
    if (ctx) {
      for (const rs of next.routeServers) {
        if (this.graph.routeServer(rs.id)) continue;
        const rt = new RouteServerRuntime(next, rs, ctx);
        this.watchSpeakers(
          this.graph
            .speakers({ kind: 'route-server' })
            .filter((s) => s.owner.kind === 'route-server' && s.owner.runtime === rt),
        );
        this.routeLayers.hubChanged(idKey(rs.virtualNetwork));
        starting.push(rt);
        this.events.emit('lab', rs.name, 'route server created: its two instances come up');
      }
    }
    const hy = this.hybrid;
    if (hy) {
      // Gateways created, deleted or rebuilt: their hubs' NIC layers are rebuilt, and the new
      // instances' best-path changes are watched like the boot's.
      for (const hub of hy.setModel(next)) this.routeLayers.hubChanged(hub);
      this.watchSpeakers(
        this.graph
          .speakers({ kind: ['expressroute-gateway', 'vpn-gateway'] })
          .filter((s) => s.rib && !this.watched.has(s.rib)),
      );
    }
    this.events.emit('lab', this.spec.name, `model changed: ${why}`);
    const netns = this.netns;
    const run = async () => {
      await Promise.all(stopping.map((rt) => rt.stop()));
      for (const rt of starting) {
        if (netns) for (const ip of rt.resource.virtualRouterIps) await netns.addAzureAddress(ip);
        await rt.start();
      }
    };
    // One change after another: a route server deleted and created again reuses its addresses.
    const done = this.reconciling.then(run).catch((e: unknown) => {
      this.events.emit('warning', this.spec.name, `applying '${why}': ${String(e)}`);
      throw e;
    });
    // Handled here (a warning above), so callers that do not await it — tests and in-process
    // changes that need only the synchronous part — leave no unhandled rejection.
    this.reconciling = done.catch(() => {});
    return done;
  }

  /** True once stop() began (probes stop sending). */
  get isStopped(): boolean {
    return this.stopped;
  }

  node(name: string): NodeRuntime | undefined {
    return this.graph.node(name);
  }

  routeServer(rs: RouteServer): RouteServerRuntime | undefined {
    return this.graph.routeServer(rs.id);
  }

  /** R-ARS-8: the routes a Route Server programs now. */
  programmed = (rs: RouteServer): readonly ProgrammedRoute[] => this.routeServer(rs)?.programmed() ?? [];

  /**
   * R-ARS-21: the one place that says what a NIC gets from its hub's route server: the
   * instance that programs it (by its primary address; the other one while it is under
   * maintenance) and the NVA peerings that instance never had. Undefined without a route
   * server (or an address). Every path to a NIC's gateway routes — the incremental layers,
   * the fabric's programming, explain, next hop, forwarding — goes through it.
   */
  programmingView(nic: NetworkInterface): ProgrammingView | undefined {
    const m = this.model_;
    const place = nicPlace(m, nic);
    const hub = place && hubOf(m, place.vnet);
    const rs = hub && routeServerOfVnet(m, hub);
    const rt = rs && this.routeServer(rs);
    const address = primaryIpConfig(nic)?.privateIPAddress;
    if (!rt || !address) return undefined;
    const maintained = this.graph.faults.maintenances().map((x) => x.instance);
    const i = programmingInstance(
      address,
      [0, 1].map((k) => maintained.includes(`${rt.resource.name}/IN_${k}`)) as [boolean, boolean],
    );
    return programmingView(i, rt.unpeeredWith(i));
  }

  /**
   * R-NIC-2: the gateway-route candidates of a hub — the route server's NVA routes (R-ARS-8;
   * of the NICs' view, R-ARS-21), the ExpressRoute (R-ER-4) and VPN (R-VPN-1) gateways'
   * routes — for every prefix, or for one (`prefix`): in this order, which is the order they
   * are merged in (R-ARS-7).
   */
  private gatewayCandidates(hub: VirtualNetwork, view: string, prefix?: Prefix): GatewayRoute[] {
    const m = this.model_;
    const candidates: GatewayRoute[] = [];
    const rs = routeServerOfVnet(m, hub);
    const rt = rs && this.routeServer(rs);
    if (rt) {
      const unpeered = unpeeredOfKey(view);
      if (prefix) {
        const r = rt.programmedFor(prefix, unpeered);
        if (r) candidates.push(fromRouteServer(r));
      } else for (const r of rt.programmed(unpeered)) candidates.push(fromRouteServer(r));
    }
    for (const g of gatewaysOfVnet(m, hub)) {
      const gw = this.hybrid?.gateways.get(idKey(g.id));
      if (!gw) continue;
      const hy = this.hybrid!;
      if (prefix) {
        const r = gw.isExpressRoute ? hy.expressRouteRouteFor(gw, prefix) : hy.vpnRouteFor(gw, prefix);
        if (r) candidates.push(r);
      } else candidates.push(...(gw.isExpressRoute ? hy.expressRouteRoutes(gw) : hy.vpnRoutes(gw)));
    }
    return candidates;
  }

  /** Where the incremental effective routes get a hub's gateway routes: this lab's speakers. */
  private readonly gatewaySource: GatewayRouteSource = {
    viewOf: (_hubId, nic) => this.programmingView(nic)?.key ?? '',
    allCandidates: (hubId, view) => {
      const hub = byId(this.model_.virtualNetworks, hubId);
      return hub ? this.gatewayCandidates(hub, view) : [];
    },
    candidates: (hubId, prefix, view) => {
      const hub = byId(this.model_.virtualNetworks, hubId);
      return hub ? this.gatewayCandidates(hub, view, prefix) : [];
    },
    meshDown: (hubId) => (this.hybrid?.meshDown(hubId).length ?? 0) > 0,
  };

  /** Every NIC's effective routes, kept by diff from the speakers' best-path changes (ADR 0015). */
  readonly routeLayers = new EffectiveRouteLayers(this.gatewaySource);
  /** Per hub: best-path changes seen, for the memo of gatewayRoutes. */
  private readonly hubChanges = new Map<string, number>();
  private readonly gatewayMemo = new Map<
    string,
    { model: AzureModel; changes: number; mesh: string; value: GatewayRoutes }
  >();

  /**
   * Reports every best-path change of the hub's route-server and gateway instances to the
   * incremental effective routes (one map entry per change: the work waits for a NIC query).
   */
  private watchHubSpeakers(): void {
    this.watchSpeakers(this.graph.speakers({ kind: ['route-server', 'expressroute-gateway', 'vpn-gateway'] }));
  }

  /** watchHubSpeakers for these speakers (a route server created at run time: its two instances). */
  /** Speakers whose best-path changes are watched (watchSpeakers), so that none is watched twice. */
  private readonly watched = new WeakSet<Speaker>();

  private watchSpeakers(speakers: readonly LabSpeaker[]): void {
    const watch = (sp: Speaker, hubId: string) => {
      if (this.watched.has(sp)) return;
      this.watched.add(sp);
      const k = idKey(hubId);
      const prev = sp.onBestChange;
      const mark = (c: BestChange) => {
        this.hubChanges.set(k, (this.hubChanges.get(k) ?? 0) + 1);
        this.routeLayers.prefixChanged(k, c.prefix);
      };
      sp.onBestChange = prev
        ? (c) => {
            prev(c);
            mark(c);
          }
        : mark;
    };
    for (const s of speakers) {
      const o = s.owner;
      if (s.rib && (o.kind === 'route-server' || o.kind === 'gateway')) watch(s.rib, o.runtime.resource.virtualNetwork);
    }
  }

  /** R-ARS-21: the views other than '' (programmingView) the NICs of each VNet get, by VNet id key (the fabric programs each). */
  private otherViews(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const nic of this.model_.networkInterfaces) {
      const key = this.programmingView(nic)?.key;
      const place = key ? nicPlace(this.model_, nic) : undefined;
      if (!key || !place) continue;
      const k = idKey(place.vnet.id);
      const list = out.get(k) ?? [];
      if (!list.includes(key)) list.push(key);
      out.set(k, list);
    }
    return out;
  }

  /**
   * R-NIC-2: what a NIC of a VNet is programmed with from its hub's gateways now: the
   * control plane's routes of its view (`gatewayRoutes`, R-ARS-21) once the fabric has
   * programmed them (R-TIME-1, R-TIME-2); with ideal timing, the same at once.
   */
  nicGatewayRoutes = (vnet: VirtualNetwork, nic?: NetworkInterface): GatewayRoutes =>
    this.fabric
      ? this.fabric.routes(vnet, nic ? (this.programmingView(nic)?.key ?? '') : '')
      : this.gatewayRoutes(vnet, nic);

  /**
   * R-NIC-2: what a VNet's NICs get from its hub's gateways — the route server's NVA
   * routes, the ExpressRoute and VPN gateways' routes — merged by the hub's routing
   * preference (R-ARS-7), every candidate with why (explain); for `nic`, what its view gets
   * (R-ARS-21), for `view` (a view's key), that view. Kept per hub and view until one of the
   * hub's speakers changes a best path, the model changes, or its mesh goes down or up.
   */
  gatewayRoutes = (vnet: VirtualNetwork, nic?: NetworkInterface, view?: string): GatewayRoutes => {
    const m = this.model_;
    const hub = hubOf(m, vnet);
    if (!hub) return { routes: [], servedPrefixes: [], dropped: [] };
    const v = nic ? this.programmingView(nic) : undefined;
    const key = v?.key ?? view ?? '';
    // A NIC's explanation names its instance when it misses routes: kept per NIC only then.
    const shared = key === '' || !v;
    const k = `${idKey(hub.id)}|${key}`;
    const changes = this.hubChanges.get(idKey(hub.id)) ?? 0;
    const mesh = JSON.stringify(this.hybrid?.meshDown(hub.id) ?? []);
    const memo = this.gatewayMemo.get(k);
    if (shared && memo && memo.model === m && memo.changes === changes && memo.mesh === mesh) return memo.value;
    const value = this.gatewayRoutesOfHub(hub, v ?? key);
    if (shared) {
      if (this.gatewayMemo.size > 64) this.gatewayMemo.clear();
      this.gatewayMemo.set(k, { model: m, changes, mesh, value });
    }
    return value;
  };

  /**
   * gatewayRoutes computed from scratch (the oracle of the incremental effective routes'
   * tests): for a view (R-ARS-21; its key, or a NIC's view, which also explains what the
   * NIC misses), or what every NIC gets in the usual case ('', the default).
   */
  gatewayRoutesOfHub(hub: VirtualNetwork, of: string | ProgrammingView | NetworkInterface = ''): GatewayRoutes {
    const m = this.model_;
    const view = typeof of === 'string' ? undefined : 'key' in of ? of : this.programmingView(of);
    const candidates = this.gatewayCandidates(hub, typeof of === 'string' ? of : (view?.key ?? ''));
    const rs = routeServerOfVnet(m, hub);
    const rt = rs && this.routeServer(rs);
    // R-ARS-21: what the NIC's instance does not program, with why (explain).
    const notProgrammed: { route: GatewayRoute; rule: string; reason: string }[] = [];
    if (rt && view && view.key !== '') {
      const o = (1 - view.instance) as 0 | 1;
      const { missing } = instanceProgrammedRoutes(rt.programmed(view.unpeered), rt.programmed(), {
        mine: INSTANCE_NAMES[view.instance],
        other: INSTANCE_NAMES[o],
      });
      for (const x of missing) notProgrammed.push({ ...x, route: fromRouteServer(x.route) });
    }
    const merged = mergeGatewayRoutes(candidates, effectiveRoutingPreference(rs), m.routeServerSettings.maxEcmpPaths);
    const servedPrefixes = servedByHub(m, hub).flatMap((v) => v.prefixes);
    // R-VPN-2: with the gateways' iBGP mesh broken by GatewaySubnet's route table, every
    // gateway- and route-server-learned route disappears from the NICs of the hub and of the
    // spokes using its gateways. That the route server's routes go too is what the reference
    // reports (seed 004 lab); ARSLab takes it as observed and does not model a mechanism
    // (docs/azure-differences.md).
    const down = this.hybrid?.meshDown(hub.id) ?? [];
    if (down.length > 0) {
      const first = down[0]!;
      const reason = `not programmed: the gateways' iBGP mesh of ${hub.name} is down (${down.length} session(s), e.g. ${first.label}): ${first.broken.reason}`;
      const withdrawn = [...merged.routes, ...merged.dropped.map((d) => d.route)].map((route) => ({
        route,
        rule: 'R-VPN-2',
        reason,
      }));
      return { routes: [], servedPrefixes, dropped: withdrawn };
    }
    return { routes: merged.routes, servedPrefixes, dropped: [...merged.dropped, ...notProgrammed] };
  }

  /**
   * A NIC's effective routes now (`show-effective-route-table`), from the shared layers: no
   * recomputation. With a timing profile other than ideal, what the fabric has programmed
   * (R-TIME-1, R-TIME-2), which the layers — following the control plane at once — do not
   * know: computed from scratch, O(routes) per query (ADR 0018).
   */
  effectiveRouteTable(nic: NetworkInterface): EffectiveRouteTable {
    if (this.fabric) return this.programmedTable(nic, this.fabric.version);
    return this.routeLayers.table(this.model_, nic);
  }

  private programmedTable(nic: NetworkInterface, version: number): EffectiveRouteTable {
    const r = effectiveRoutes(this.model_, nic, this.nicGatewayRoutes);
    return {
      version,
      layers: { system: 0, gateway: version, user: 0 },
      value: r.value,
      details: r.details,
      json: () => JSON.stringify({ value: r.value }),
      jsonBytes: () => jsonBytesOf(JSON.stringify({ value: r.value })),
    };
  }

  /** What changed in a NIC's effective routes after version `since` (effectiveRouteTable's version). */
  effectiveRouteChanges(nic: NetworkInterface, since: number): EffectiveRouteChanges {
    if (this.fabric) {
      const t = this.effectiveRouteTable(nic);
      return { version: t.version, full: true, prefixes: [], value: t.value };
    }
    return this.routeLayers.changesSince(this.model_, nic, since);
  }

  /** A NIC's effective routes computed from scratch, every candidate with why (explain). */
  effectiveRoutes(nic: NetworkInterface): EffectiveRoutes {
    return effectiveRoutes(this.model_, nic, this.nicGatewayRoutes);
  }

  nextHop(nic: NetworkInterface, destination: Prefix): NextHopResult {
    return nextHopIn(this.effectiveRouteTable(nic).details, destination);
  }

  /** Where a flow from `nic` goes now (first hop, ECMP by flow hash): what `arslab probe` follows. */
  forward(nic: NetworkInterface, flow: Flow): ForwardingDecision {
    return forwardIn(this.model_, nic, flow, this.effectiveRouteTable(nic).details);
  }

  /**
   * How data-plane probes reach a VM: in netns mode from the Azure namespace, whose bridge
   * has every VM namespace on-link; in loopback mode undefined (plain sockets to 127.x).
   */
  probeConnector(): Connector | undefined {
    return this.netns?.azure().connector;
  }

  /** Waits until every in-process route exchange posted so far has run. */
  async settled(): Promise<void> {
    await this.queue.settled();
  }

  /** Every process the lab started (for the state file and cleanup after a crash). */
  pids(): number[] {
    return [...this.graph.nodes().flatMap((n) => n.pids()), ...(this.netns?.helperPids() ?? [])];
  }

  namespaces(): string[] {
    return this.netns?.names() ?? [];
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.events.emit('lab', this.spec.name, 'stopping');
    // Each step runs whatever the one before it met: what the lab started is removed even
    // when something on the way out throws (ARCHITECTURE rule 6).
    const failed = (what: string) => (e: unknown) =>
      this.events.emit('warning', this.spec.name, `${what}: ${String(e)}`);
    const attempt = (fn: () => void, what: string) => {
      try {
        fn();
      } catch (e) {
        failed(what)(e);
      }
    };
    attempt(() => this.graph.faults.stop(), 'stopping faults');
    attempt(() => this.fabric?.stop(), 'stopping the fabric timing');
    attempt(() => this.hybrid?.stop(), 'stopping in-process sessions');
    const settle = (fn: () => Promise<void>, what: string) => Promise.resolve().then(fn).catch(failed(what));
    await settle(async () => this.edges?.stop(), 'stopping the customer edges');
    await Promise.all(this.graph.nodes().map((n) => settle(() => n.stop(), `stopping node ${n.spec.name}`)));
    await Promise.all(this.graph.routeServers().map((r) => settle(() => r.stop(), 'stopping a route server')));
    await this.netns?.destroy();
  }
}
