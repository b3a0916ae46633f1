/**
 * @module lab/routeServer
 * A running Azure Route Server: two instances (R-ARS-1), each a routing speaker with the
 * Azure policy of src/azure, a TCP listener on its (mapped) address and one BGP session
 * per peering. Both sides may open the connection (R-ARS-3); only configured peer IPs
 * are accepted.
 */
import type { Clock } from '../bgp/clock.js';
import type { Logger } from '../bgp/log.js';
import { BgpListener, type Connector } from '../bgp/transport/index.js';
import { formatPrefix, parseIpv4, parsePrefix, type Prefix } from '../bgp/wire/index.js';
import {
  routeServerPeerLimit,
  advertisedRoutes,
  INSTANCE_NAMES,
  learnedRoutes,
  programmedRoutes,
  ROUTE_SERVER_ASN,
  routeServerPolicy,
  vnetRouteAttrs,
  vnetsServedBy,
  withoutUnpeered,
  AzureErrors,
  type AdvertisedRoute,
  type AzureModel,
  type BgpConnection,
  type LearnedRoute,
  type ProgrammedRoute,
  type RouteServer,
} from '../azure/index.js';
import { compare, newRouteSource, selectBest, Speaker, type Path } from '../rib/index.js';
import type { AddressMap } from './addressing.js';
import { createBgpNeighbor, type BgpNeighbor } from './bgpNeighbor.js';
import type { EventLog } from './events.js';
import {
  routeServerStatus,
  routeServerWarnings,
  TcpSession,
  type LabGraph,
  type LabSpeaker,
  type SessionSide,
} from './graph/index.js';

export interface RouteServerContext {
  readonly addresses: AddressMap;
  readonly port: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventLog;
  readonly connectRetryTime: number;
  readonly pcapDir?: string;
  /** How to open outgoing connections (netns mode passes one that connects inside the namespace). */
  readonly connector?: Connector;
  /** How to listen (netns mode: sockets accepted inside the namespace are handed over). */
  readonly listen?: (listener: BgpListener) => Promise<void>;
  /** The lab graph the instances and their peerings register into. */
  readonly graph: LabGraph;
}

export interface PeeringRuntime {
  readonly connection: BgpConnection;
  readonly session: BgpNeighbor;
}

export interface InstanceRuntime {
  readonly index: 0 | 1;
  readonly name: (typeof INSTANCE_NAMES)[number];
  readonly ip: string;
  readonly realIp: string;
  readonly speaker: Speaker;
  readonly listener: BgpListener;
  readonly peerings: Map<string, PeeringRuntime>;
}

function ipToId(ip: string): number {
  return parseIpv4(ip) ?? 0;
}

export class RouteServerRuntime {
  readonly instances: [InstanceRuntime, InstanceRuntime];
  private rs: RouteServer;
  private model: AzureModel;
  private originated: Prefix[] = [];
  /** start() ran: a peering added later starts at once. */
  private started = false;

  constructor(
    model: AzureModel,
    rs: RouteServer,
    private readonly ctx: RouteServerContext,
  ) {
    this.model = model;
    this.rs = rs;
    this.instances = [this.makeInstance(0), this.makeInstance(1)];
    this.register();
  }

  /** Registers both instances and their peerings' TCP sessions in the lab graph (R-ARS-1, R-ARS-3). */
  private register(): void {
    const g = this.ctx.graph;
    const n = this.rs.name;
    g.addRouteServer(this.rs.id, this);
    for (const inst of this.instances) {
      const name = `${n}/IN_${inst.index}`;
      const speaker = g.addSpeaker({
        kind: 'route-server',
        name,
        title: `route server ${n} ${inst.name} (${inst.ip})`,
        at: `route-server instance ${name}`,
        aliases: [n, name, `${n}/${inst.name}`, inst.speaker.name, inst.ip].map((x) => x.toLowerCase()),
        addresses: [{ address: inst.ip, claim: 'own' }],
        asn: ROUTE_SERVER_ASN,
        owner: { kind: 'route-server', runtime: this, instance: inst.index },
        rib: inst.speaker,
      });
      for (const p of inst.peerings.values()) this.registerPeering(inst, p, speaker);
    }
  }

  /** One peering's TCP session on one instance, in the lab graph (R-ARS-3). */
  private registerPeering(inst: InstanceRuntime, p: PeeringRuntime, speaker: LabSpeaker): void {
    const settings = this.model.routeServerSettings;
    const name = `${this.rs.name}/IN_${inst.index}`;
    const c = p.connection;
    this.ctx.graph.addSession(
      new TcpSession(
        `${name}<->${c.name}`,
        { name, address: inst.ip, asn: ROUTE_SERVER_ASN, speaker, bgp: p.session },
        { name: c.name, address: c.peerIp, asn: c.peerAsn },
        { clock: this.ctx.clock, holdTime: settings.holdTime, keepaliveTime: settings.keepaliveTime },
      ),
    );
  }

  get resource(): RouteServer {
    return this.rs;
  }

  private label(i: 0 | 1, peering?: string): string {
    return `${this.rs.name}/IN_${i}${peering ? `/${peering}` : ''}`;
  }

  private makeInstance(index: 0 | 1): InstanceRuntime {
    const ip = this.rs.virtualRouterIps[index];
    const realIp = this.ctx.addresses.add(ip);
    const settings = this.model.routeServerSettings;
    const speaker = new Speaker(
      `${this.rs.name}/${INSTANCE_NAMES[index]}`,
      ROUTE_SERVER_ASN,
      ipToId(ip),
      routeServerPolicy(this.rs, index, settings),
    );
    // Best-path changes go to the timeline one by one when few, as a count when many (a
    // 300,000-route table must not write 300,000 events).
    let batch: string[] = [];
    let count = 0;
    speaker.onBestChange = (c) => {
      if (count++ === 0) {
        queueMicrotask(() => {
          if (count <= 16) for (const m of batch) this.ctx.events.emit('route', this.label(index), m);
          else this.ctx.events.emit('route', this.label(index), `best path changed for ${count} prefixes`, { count });
          batch = [];
          count = 0;
        });
      }
      if (count <= 16) {
        const what = c.newBest.length === 0 ? 'removed' : c.oldBest.length === 0 ? 'added' : 'changed';
        batch.push(`best ${what}: ${formatPrefix(c.prefix)} -> [${c.newBest.map((p) => p.attrs.nextHop).join(', ')}]`);
      }
    };
    speaker.maxReceivedTotal = settings.maxRoutesTotal;
    const listener = new BgpListener(realIp, this.ctx.port, { logger: this.ctx.logger, name: this.label(index) });
    // R-ARS-3: only configured peer IPs may connect; say who tried.
    listener.onRefused = (r) =>
      this.ctx.events.emit(
        'refused',
        this.label(index),
        `connection from unconfigured address ${this.ctx.addresses.display(r.remoteAddress)} refused (Cease/Connection Rejected)`,
        {
          remoteAddress: this.ctx.addresses.display(r.remoteAddress),
        },
      );
    const inst: InstanceRuntime = {
      index,
      name: INSTANCE_NAMES[index],
      ip,
      realIp,
      speaker,
      listener,
      peerings: new Map(),
    };
    for (const c of this.rs.bgpConnections) this.addPeering(inst, c);
    return inst;
  }

  private addPeering(inst: InstanceRuntime, c: BgpConnection): void {
    const settings = this.model.routeServerSettings;
    const peerReal = this.ctx.addresses.add(c.peerIp);
    const source = newRouteSource({
      name: c.name,
      address: c.peerIp,
      asn: c.peerAsn,
      kind: 'ebgp',
      routerId: ipToId(c.peerIp),
      role: 'nva',
    });
    const session = createBgpNeighbor({
      speaker: inst.speaker,
      source,
      prefixLimit: routeServerPeerLimit(settings.maxRoutesPerPeer),
      info: { role: 'nva', peering: c.name },
      label: this.label(inst.index, c.name),
      addresses: this.ctx.addresses,
      events: this.ctx.events,
      peer: {
        name: this.label(inst.index, c.name),
        remote: { address: peerReal, port: this.ctx.port },
        localAddress: inst.realIp,
        clock: this.ctx.clock,
        logger: this.ctx.logger,
        ...(this.ctx.connector ? { connector: this.ctx.connector } : {}),
        ...(this.ctx.pcapDir
          ? {
              pcap: {
                dir: this.ctx.pcapDir,
                local: { address: inst.ip, port: 179 },
                remote: { address: c.peerIp, port: 179 },
              },
            }
          : {}),
        fsm: {
          localAs: ROUTE_SERVER_ASN,
          localId: ipToId(inst.ip),
          peerAs: c.peerAsn,
          holdTime: settings.holdTime,
          keepaliveTime: settings.keepaliveTime,
          // R-ARS-22: what the route server does with an NVA asking for a short hold time.
          ...(settings.minHoldTime ? { minHoldTime: settings.minHoldTime } : {}),
          connectRetryTime: this.ctx.connectRetryTime,
          passive: false,
          families: ['ipv4-unicast'],
        },
      },
    });
    inst.speaker.addNeighbor(session.neighbor);
    inst.listener.register(peerReal, session.peer);
    inst.peerings.set(c.name.toLowerCase(), { connection: c, session });
  }

  async start(): Promise<void> {
    this.originateVnets();
    for (const inst of this.instances) {
      if (this.ctx.listen) await this.ctx.listen(inst.listener);
      else await inst.listener.listen();
      this.ctx.events.emit(
        'lab',
        this.label(inst.index),
        `listening on ${inst.realIp}:${this.ctx.port} (emulated ${inst.ip})`,
      );
    }
    for (const inst of this.instances) for (const p of inst.peerings.values()) p.session.peer.start();
    this.started = true;
  }

  /**
   * Stops every session (Cease) and closes both listeners. A session whose stop throws is
   * logged and the rest go on: stopping is the way out of trouble and must not itself fail
   * half-way, leaving listeners bound.
   */
  async stop(): Promise<void> {
    for (const inst of this.instances) {
      for (const p of inst.peerings.values()) {
        // A cut link is restored first, so that the peer gets our Cease and no socket is left open.
        try {
          p.session.peer.restoreLink();
          p.session.peer.stop();
        } catch (e) {
          this.ctx.events.emit('warning', this.label(inst.index, p.connection.name), `stopping: ${String(e)}`);
        }
      }
    }
    await Promise.allSettled(this.instances.map((inst) => inst.listener.close()));
  }

  /** R-ARS-9: each instance originates the address spaces of the VNets it serves. */
  private originateVnets(): void {
    const want: Prefix[] = [];
    for (const v of vnetsServedBy(this.model, this.rs)) want.push(...v.prefixes);
    for (const inst of this.instances) {
      const attrs = vnetRouteAttrs(inst.ip);
      for (const p of this.originated)
        if (!want.some((w) => w.afi === p.afi && w.addr === p.addr && w.len === p.len)) inst.speaker.withdrawLocal(p);
      for (const p of want) inst.speaker.originate(p, attrs);
    }
    this.originated = want;
  }

  /**
   * A new model (e.g. a VNet peering added, a bgpConnection put or deleted): the peerings
   * follow the resource's bgpConnections — a deleted one's sessions close (Cease) and its
   * routes are withdrawn, a new one's start on both instances, so the instances accept that
   * NVA (R-ARS-3); one whose peer IP or ASN changed is both — then the instances
   * re-originate and re-apply the policy.
   */
  setModel(model: AzureModel, rs: RouteServer): void {
    this.model = model;
    this.rs = rs;
    const want = new Map(rs.bgpConnections.map((c) => [c.name.toLowerCase(), c]));
    for (const inst of this.instances) {
      for (const [k, p] of [...inst.peerings]) {
        const c = want.get(k);
        if (c && c.peerIp === p.connection.peerIp && c.peerAsn === p.connection.peerAsn) {
          // Same session; the resource (its id, its name's case) may be new.
          inst.peerings.set(k, { connection: c, session: p.session });
          continue;
        }
        this.removePeering(inst, k);
      }
      const speaker = this.ctx.graph.speakerOf(inst.speaker);
      for (const [k, c] of want) {
        if (inst.peerings.has(k)) continue;
        this.addPeering(inst, c);
        const p = inst.peerings.get(k)!;
        if (speaker) this.registerPeering(inst, p, speaker);
        this.ctx.events.emit(
          'lab',
          this.label(inst.index, c.name),
          `peering added: ${c.peerIp} AS ${c.peerAsn} (R-ARS-3)`,
        );
        if (this.started) p.session.peer.start();
      }
      inst.speaker.setPolicy(routeServerPolicy(rs, inst.index, model.routeServerSettings));
    }
    this.originateVnets();
  }

  /** A peering's session on one instance ends: Cease to the NVA, its routes withdrawn, its listener entry and graph session gone. */
  private removePeering(inst: InstanceRuntime, key: string): void {
    const p = inst.peerings.get(key);
    if (!p) return;
    try {
      p.session.peer.restoreLink();
      p.session.peer.stop();
    } catch (e) {
      this.ctx.events.emit('warning', this.label(inst.index, p.connection.name), `stopping: ${String(e)}`);
    }
    const real = this.ctx.addresses.real(p.connection.peerIp);
    if (real) inst.listener.unregister(real);
    inst.speaker.removeNeighbor(p.session.neighbor.source.id);
    inst.peerings.delete(key);
    const session = this.ctx.graph.session(`${this.rs.name}/IN_${inst.index}<->${p.connection.name}`);
    if (session) this.ctx.graph.removeSession(session);
    this.ctx.events.emit('lab', this.label(inst.index, p.connection.name), 'peering removed: session closed (Cease)');
  }

  /**
   * R-ARS-13: after a hub–spoke peering change the route server asks every NVA for its
   * routes again: ROUTE-REFRESH, or a hard reset where the NVA did not negotiate it.
   */
  refreshPeers(why: string): void {
    for (const inst of this.instances) {
      for (const p of inst.peerings.values()) {
        const done = p.session.peer.requestRefresh();
        if (done !== 'not-established') {
          this.ctx.events.emit(
            'session',
            this.label(inst.index, p.connection.name),
            `${done === 'route-refresh' ? 'ROUTE-REFRESH sent' : 'session reset (no route refresh capability)'}: ${why} (R-ARS-13)`,
          );
        }
      }
    }
  }

  /** The VNet address spaces this route server originates now (R-ARS-9). */
  get originatedPrefixes(): readonly Prefix[] {
    return this.originated;
  }

  /** A peering's sessions (the lab graph's), instance 0 first. */
  private peering(name: string): SessionSide[] {
    const sides = this.ctx.graph.peeringSessions(this.rs.id, name);
    if (sides.length === 0) throw AzureErrors.bgpConnectionNotFound(name, this.rs.name);
    return sides;
  }

  /** The instance at the local end of one of its sessions, and its neighbour id for the peer. */
  private instanceOf(x: SessionSide): { inst: InstanceRuntime; id: number } {
    const o = x.local.speaker?.owner;
    return { inst: this.instances[o?.kind === 'route-server' ? o.instance : 0], id: x.local.source?.id ?? -1 };
  }

  /** R-ARS-10 */
  learnedRoutes(peeringName: string): Record<string, LearnedRoute[]> {
    const out: Record<string, LearnedRoute[]> = {};
    for (const x of this.peering(peeringName)) {
      const { inst, id } = this.instanceOf(x);
      out[inst.name] = learnedRoutes(inst.ip, inst.speaker.adjRibIn(id));
    }
    return out;
  }

  /** R-ARS-9 */
  advertisedRoutes(peeringName: string): Record<string, AdvertisedRoute[]> {
    const out: Record<string, AdvertisedRoute[]> = {};
    for (const x of this.peering(peeringName)) {
      const { inst, id } = this.instanceOf(x);
      out[inst.name] = advertisedRoutes(inst.ip, inst.speaker.adjRibOut(id));
    }
    return out;
  }

  /**
   * R-ARS-8: what this Route Server programs into NICs: both instances merged (ADR 0007) —
   * for the NICs of an instance that never peered with some NVAs (R-ARS-21, `unpeered`,
   * `unpeeredWith`), without those NVAs' paths.
   */
  programmed(unpeered: readonly string[] = []): ProgrammedRoute[] {
    const skip = new Set(unpeered);
    return this.programmedOf(this.instances.map((i) => withoutUnpeered(i.speaker.locRib(), skip)));
  }

  /** R-ARS-8: what this Route Server programs for one prefix, if anything (the same rule, one prefix). */
  programmedFor(prefix: Prefix, unpeered: readonly string[] = []): ProgrammedRoute | undefined {
    const skip = new Set(unpeered);
    return this.programmedOf(
      this.instances.map((i) => {
        const best = selectBest(i.speaker.candidates(prefix), i.speaker.bestPathConfig);
        return withoutUnpeered(best.length > 0 ? [{ prefix, best }] : [], skip);
      }),
    )[0];
  }

  /**
   * R-ARS-21, R-ARS-3: the NVA peerings (names, sorted) whose session with instance `i`
   * never reached Established while their session with the other instance did — an NVA
   * peered with the other instance only. Its routes, held by the other instance, do not
   * reach the NICs `i` programs. Empty in the usual case (every NVA peered with both, or
   * with neither yet), where both instances program the same routes.
   */
  unpeeredWith(i: 0 | 1): string[] {
    const other = this.instances[1 - i]!;
    const out: string[] = [];
    for (const [k, p] of this.instances[i].peerings)
      if (
        p.session.peer.counters.establishedTransitions === 0 &&
        (other.peerings.get(k)?.session.peer.counters.establishedTransitions ?? 0) > 0
      )
        out.push(p.connection.name);
    return out.sort();
  }

  private programmedOf(instances: Iterable<{ prefix: Prefix; best: Path[] }>[]): ProgrammedRoute[] {
    const cfg = this.instances[0].speaker.bestPathConfig;
    return programmedRoutes(instances, cfg, (a, b) => {
      // Compare on the decisive steps only; the neighbour tie-break is per instance.
      const c = compare(a, b, { ...cfg, steps: cfg.steps.filter((s) => s !== 'neighbor-address') });
      return c.order;
    });
  }

  /** R-ARS-3 warnings (peerings Established on one instance only), read from the lab graph. */
  warnings(): string[] {
    return routeServerWarnings(this.ctx.graph, this);
  }

  /** Sessions per instance, for `arslab status`, read from the lab graph. */
  status() {
    return routeServerStatus(this.ctx.graph, this, this.ctx.port);
  }
}

export { parsePrefix };
