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
  advertisedRoutes,
  INSTANCE_NAMES,
  learnedRoutes,
  programmedRoutes,
  ROUTE_SERVER_ASN,
  routeServerPolicy,
  vnetRouteAttrs,
  vnetsServedBy,
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

  constructor(
    model: AzureModel,
    rs: RouteServer,
    private readonly ctx: RouteServerContext,
  ) {
    this.model = model;
    this.rs = rs;
    this.instances = [this.makeInstance(0), this.makeInstance(1)];
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
      maxPrefixes: settings.maxRoutesPerPeer,
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
  }

  async stop(): Promise<void> {
    for (const inst of this.instances) {
      for (const p of inst.peerings.values()) p.session.peer.stop();
      await inst.listener.close();
    }
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

  /** A new model (e.g. a VNet peering added): re-originate and re-apply the policy. */
  setModel(model: AzureModel, rs: RouteServer): void {
    this.model = model;
    this.rs = rs;
    for (const inst of this.instances)
      inst.speaker.setPolicy(routeServerPolicy(rs, inst.index, model.routeServerSettings));
    this.originateVnets();
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

  private peering(name: string): PeeringRuntime[] {
    const out = this.instances.map((i) => i.peerings.get(name.toLowerCase())).filter((p): p is PeeringRuntime => !!p);
    if (out.length === 0) throw AzureErrors.bgpConnectionNotFound(name, this.rs.name);
    return out;
  }

  /** R-ARS-10 */
  learnedRoutes(peeringName: string): Record<string, LearnedRoute[]> {
    this.peering(peeringName);
    const out: Record<string, LearnedRoute[]> = {};
    for (const inst of this.instances) {
      const p = inst.peerings.get(peeringName.toLowerCase())!;
      out[inst.name] = learnedRoutes(inst.ip, inst.speaker.adjRibIn(p.session.neighbor.source.id));
    }
    return out;
  }

  /** R-ARS-9 */
  advertisedRoutes(peeringName: string): Record<string, AdvertisedRoute[]> {
    this.peering(peeringName);
    const out: Record<string, AdvertisedRoute[]> = {};
    for (const inst of this.instances) {
      const p = inst.peerings.get(peeringName.toLowerCase())!;
      out[inst.name] = advertisedRoutes(inst.ip, inst.speaker.adjRibOut(p.session.neighbor.source.id));
    }
    return out;
  }

  /** R-ARS-8: what this Route Server programs into NICs. */
  programmed(): ProgrammedRoute[] {
    return this.programmedOf(this.instances.map((i) => i.speaker.locRib()));
  }

  /** R-ARS-8: what this Route Server programs for one prefix, if anything (the same rule, one prefix). */
  programmedFor(prefix: Prefix): ProgrammedRoute | undefined {
    return this.programmedOf(
      this.instances.map((i) => {
        const best = selectBest(i.speaker.candidates(prefix), i.speaker.bestPathConfig);
        return best.length > 0 ? [{ prefix, best }] : [];
      }),
    )[0];
  }

  private programmedOf(instances: Iterable<{ prefix: Prefix; best: Path[] }>[]): ProgrammedRoute[] {
    const cfg = this.instances[0].speaker.bestPathConfig;
    return programmedRoutes(instances, cfg, (a, b) => {
      // Compare on the decisive steps only; the neighbour tie-break is per instance.
      const c = compare(a, b, { ...cfg, steps: cfg.steps.filter((s) => s !== 'neighbor-address') });
      return c.order;
    });
  }

  /**
   * R-ARS-3: an NVA peered with one instance only gets inconsistent programming in Azure;
   * say so for every peering that is Established on exactly one instance.
   */
  warnings(): string[] {
    const out: string[] = [];
    for (const c of this.rs.bgpConnections) {
      const up = this.instances.filter((i) => i.peerings.get(c.name.toLowerCase())?.session.peer.isEstablished);
      if (up.length === 1) {
        out.push(
          `peering '${c.name}' (${c.peerIp}) is Established with ${up[0]!.name} only: an NVA must peer with both instances ` +
            `(${this.rs.virtualRouterIps.join(' and ')}); Azure programs its routes inconsistently otherwise (R-ARS-3)`,
        );
      }
    }
    return out;
  }

  /** Sessions per instance, for `arslab status`: counters kept as routes change, no table walked. */
  status() {
    return this.instances.map((inst) => ({
      instance: inst.name,
      address: inst.ip,
      listen: `${inst.realIp}:${this.ctx.port}`,
      prefixes: inst.speaker.prefixCount,
      refused: inst.listener.refused.length,
      peerings: [...inst.peerings.values()].map((p) => ({
        name: p.connection.name,
        peerIp: p.connection.peerIp,
        peerAsn: p.connection.peerAsn,
        state: p.session.peer.state,
        routesReceived: inst.speaker.heldFrom(p.session.neighbor.source.id),
        routesAdvertised: inst.speaker.advertisedTo(p.session.neighbor.source.id),
        // Wall time the session came up: the clock is monotonic, so count back from now.
        upSince:
          p.session.peer.counters.establishedAt === undefined
            ? undefined
            : new Date(Date.now() - (this.ctx.clock.now() - p.session.peer.counters.establishedAt)).toISOString(),
        lastDown: p.session.peer.counters.lastDown?.reason,
        messagesSent: p.session.peer.counters.messagesSent,
        messagesReceived: p.session.peer.counters.messagesReceived,
      })),
    }));
  }
}

export { parsePrefix };
