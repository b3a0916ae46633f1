/**
 * @module lab/kinds/speaker
 * ARSLab's built-in scripted BGP speaker: an NVA stand-in that peers with the
 * route-server instances of the peerings naming its address, originates the routes of
 * its spec and takes ExaBGP-style announce/withdraw commands at run time. It keeps what
 * it receives, so tests and demos can read what the Route Server advertised.
 */
import { formatPrefix, parseIpv4, parsePrefix, type Prefix } from '../../bgp/wire/index.js';
import { BgpListener } from '../../bgp/transport/index.js';
import { ROUTE_SERVER_ASN, INSTANCE_NAMES } from '../../azure/index.js';
import {
  formatCommunity,
  formatLargeCommunity,
  internAttrs,
  newRouteSource,
  pathAsns,
  pathContains,
  prependAsPath,
  Speaker,
  type RouteAttrs,
  type SpeakerPolicy,
} from '../../rib/index.js';
import { parseAnnounceCommand } from '../announceCommand.js';
import { createBgpNeighbor, type BgpNeighbor } from '../bgpNeighbor.js';
import type { DaemonRoute, DaemonSession } from '../daemons/types.js';
import type { SpeakerNodeSpec, SpeakerRouteSpec } from '../spec.js';
import type { NodeContext } from './context.js';
import type { NodeRuntime, NodeState, NodeStatus } from './types.js';

const WELL_KNOWN: Record<string, number> = {
  'no-export': 0xffffff01,
  'no-advertise': 0xffffff02,
  'no-export-subconfed': 0xffffff03,
};

export function parseCommunity(text: string): number | undefined {
  const w = WELL_KNOWN[text.toLowerCase()];
  if (w !== undefined) return w;
  const m = /^(\d+):(\d+)$/.exec(text);
  if (!m) return undefined;
  const hi = Number(m[1]);
  const lo = Number(m[2]);
  return hi <= 0xffff && lo <= 0xffff ? ((hi << 16) | lo) >>> 0 : undefined;
}

/**
 * A route a built-in speaker or router originates (a lab-file route, or ExaBGP's `announce
 * route …`), as its prefix and interned attributes; what is wrong with it otherwise.
 */
export function originatedRoute(
  r: SpeakerRouteSpec,
  defaultNextHop: string,
): { prefix: Prefix; attrs: RouteAttrs } | { error: string } {
  const prefix = parsePrefix(r.prefix);
  if (!prefix) return { error: `not a prefix: ${r.prefix}` };
  const communities: number[] = [];
  for (const c of r.communities ?? []) {
    const v = parseCommunity(c);
    if (v === undefined) return { error: `not a community: ${c}` };
    communities.push(v);
  }
  const large = [];
  for (const c of r.largeCommunities ?? []) {
    const m = /^(\d+):(\d+):(\d+)$/.exec(c);
    if (!m) return { error: `not a large community: ${c}` };
    large.push({ globalAdmin: Number(m[1]), localData1: Number(m[2]), localData2: Number(m[3]) });
  }
  const attrs = internAttrs({
    origin: r.origin === 'egp' ? 1 : r.origin === 'incomplete' ? 2 : 0,
    asPath: r.asPath?.length ? [{ type: 2, asns: r.asPath }] : [],
    nextHop: r.nextHop ?? defaultNextHop,
    ...(r.med !== undefined ? { med: r.med } : {}),
    ...(communities.length ? { communities } : {}),
    ...(large.length ? { largeCommunities: large } : {}),
  });
  return { prefix, attrs };
}

function speakerPolicy(asn: number): SpeakerPolicy {
  return {
    bestPath: {
      steps: ['local-pref', 'as-path-length', 'origin', 'med', 'ebgp-over-ibgp', 'router-id', 'neighbor-address'],
      maxPaths: 1,
    },
    // RFC 4271 §9.1.2: a route carrying our own AS is a loop.
    import: (_from, attrs) =>
      pathContains(attrs, asn)
        ? { accept: false, rule: 'RFC4271-9.1.2', reason: `AS_PATH contains own AS ${asn}` }
        : { accept: true },
    // Only our own routes go out; the speaker does not transit.
    export: (_to, path) =>
      path.source.kind !== 'local'
        ? { rule: 'speaker', reason: 'the built-in speaker only advertises its own routes' }
        : internAttrs({ ...path.attrs, asPath: prependAsPath(path.attrs.asPath, asn) }),
  };
}

export class SpeakerNode implements NodeRuntime {
  private readonly speaker: Speaker;
  private readonly sessions_: { label: string; session: BgpNeighbor }[] = [];
  private listener?: BgpListener;
  private state: NodeState = 'created';
  private readonly realAddress: string;

  constructor(
    readonly spec: SpeakerNodeSpec,
    private readonly ctx: NodeContext,
  ) {
    this.realAddress = ctx.addresses.add(spec.address);
    const routerId = parseIpv4(spec.routerId ?? spec.address) ?? 0;
    this.speaker = new Speaker(spec.name, spec.asn, routerId, speakerPolicy(spec.asn));
    const me = ctx.graph.addSpeaker({
      kind: 'speaker',
      name: spec.name,
      title: `built-in speaker ${spec.name} (${spec.address}, AS ${spec.asn})`,
      at: `node ${spec.name}`,
      aliases: [spec.name.toLowerCase(), spec.address],
      addresses: [{ address: spec.address, claim: 'own' }],
      asn: spec.asn,
      owner: { kind: 'node', node: this },
      rib: this.speaker,
    });
    for (const rs of ctx.model.routeServers) {
      if (!rs.bgpConnections.some((c) => c.peerIp === spec.address)) continue;
      rs.virtualRouterIps.forEach((ip, i) => {
        if (spec.peerWith !== 'both' && spec.peerWith !== `IN_${i}`) return;
        const real = ctx.addresses.add(ip);
        const label = `${spec.name}->${rs.name}/IN_${i}`;
        const session = createBgpNeighbor({
          speaker: this.speaker,
          source: newRouteSource({
            name: `${rs.name}/${INSTANCE_NAMES[i]}`,
            address: ip,
            asn: ROUTE_SERVER_ASN,
            kind: 'ebgp',
            routerId: parseIpv4(ip) ?? 0,
          }),
          label,
          addresses: ctx.addresses,
          events: ctx.events,
          peer: {
            name: label,
            remote: { address: real, port: ctx.port },
            localAddress: this.realAddress,
            clock: ctx.clock,
            logger: ctx.logger,
            ...(ctx.connector ? { connector: ctx.connector } : {}),
            fsm: {
              localAs: spec.asn,
              localId: routerId,
              peerAs: ROUTE_SERVER_ASN,
              holdTime: spec.holdTime,
              keepaliveTime: Math.max(1, Math.floor(spec.holdTime / 3)),
              connectRetryTime: 2,
              passive: false,
              families: ['ipv4-unicast'],
            },
          },
        });
        this.speaker.addNeighbor(session.neighbor);
        this.sessions_.push({ label, session });
        // The other end of the route-server instance's session with this address.
        ctx.graph.attachTcp(
          { speaker: me, address: spec.address, name: spec.name },
          { address: ip, asn: ROUTE_SERVER_ASN, name: `${rs.name}/IN_${i}` },
          session,
        );
      });
    }
  }

  private originate(r: SpeakerRouteSpec): string | undefined {
    const o = originatedRoute(r, this.spec.address);
    if ('error' in o) return o.error;
    this.speaker.originate(o.prefix, o.attrs);
    return undefined;
  }

  async start(): Promise<void> {
    for (const r of this.spec.routes) {
      const err = this.originate(r);
      if (err) throw new Error(`node ${this.spec.name}: ${err}`);
    }
    // Listen too, so that the route server's own connection attempts succeed (R-ARS-3).
    const l = new BgpListener(this.realAddress, this.ctx.port, { logger: this.ctx.logger, name: this.spec.name });
    for (const s of this.sessions_) l.register(s.session.peer.options.remote.address, s.session.peer);
    try {
      if (this.ctx.listen) await this.ctx.listen(l);
      else await l.listen();
      this.listener = l;
    } catch (e) {
      this.ctx.events.emit(
        'warning',
        this.spec.name,
        `cannot listen on ${this.realAddress}:${this.ctx.port} (${(e as Error).message}); connecting only`,
      );
    }
    for (const s of this.sessions_) s.session.peer.start();
    this.state = 'running';
    this.ctx.events.emit('node', this.spec.name, 'started');
  }

  async stop(opts: { kill?: boolean } = {}): Promise<void> {
    for (const s of this.sessions_) {
      if (opts.kill) s.session.peer.abort();
      else s.session.peer.stop();
    }
    await this.listener?.close();
    this.listener = undefined;
    this.state = 'stopped';
    this.ctx.events.emit('node', this.spec.name, opts.kill ? 'killed (no NOTIFICATION)' : 'stopped');
  }

  pause(): void {
    for (const s of this.sessions_) s.session.peer.pause();
    this.state = 'paused';
  }

  resume(): void {
    for (const s of this.sessions_) s.session.peer.resume();
    this.state = 'running';
  }

  status(): NodeStatus {
    return {
      name: this.spec.name,
      kind: 'speaker',
      address: this.spec.address,
      realAddress: this.realAddress,
      state: this.state,
    };
  }

  pids(): number[] {
    return [];
  }

  async command(text: string): Promise<string> {
    const r = parseAnnounceCommand(text);
    if (!r.ok) throw new Error(r.error);
    if (r.command.action === 'withdraw') {
      this.speaker.withdrawLocal(parsePrefix(r.command.prefix)!);
      return 'done';
    }
    const err = this.originate(r.command.route);
    if (err) throw new Error(err);
    return 'done';
  }

  async sessions(): Promise<DaemonSession[]> {
    return this.sessions_.map((s) => ({
      neighbor: s.session.neighbor.source.address,
      state: s.session.peer.state,
      established: s.session.peer.isEstablished,
      name: s.label,
      remoteAs: ROUTE_SERVER_ASN,
    }));
  }

  async receivedRoutes(): Promise<DaemonRoute[]> {
    const out: DaemonRoute[] = [];
    for (const s of this.sessions_) {
      const best = new Set<unknown>();
      for (const { prefix, path } of this.speaker.adjRibIn(s.session.neighbor.source.id)) {
        const cands = this.speaker.candidates(prefix);
        best.add(cands[0]);
        out.push({
          prefix: formatPrefix(prefix),
          nextHop: path.attrs.nextHop,
          asPath: pathAsns(path.attrs),
          origin: (['IGP', 'EGP', 'INCOMPLETE'] as const)[path.attrs.origin],
          communities: (path.attrs.communities ?? []).map(formatCommunity),
          largeCommunities: (path.attrs.largeCommunities ?? []).map(formatLargeCommunity),
          ...(path.attrs.med !== undefined ? { med: path.attrs.med } : {}),
          peer: s.session.neighbor.source.address,
          best: cands[0] === path && !path.rejected,
        });
      }
    }
    return out;
  }

  /** Prefixes this speaker originates (tests). */
  originatedPrefixes(): Prefix[] {
    return [...this.speaker.locRib()].filter((e) => e.best[0]?.source.kind === 'local').map((e) => e.prefix);
  }
}
