/**
 * @module lab/kinds/speaker
 * ARSLab's built-in scripted BGP speaker: an NVA stand-in that peers with the
 * route-server instances of the peerings naming its address, originates the routes of
 * its spec and takes ExaBGP-style announce/withdraw commands at run time. It keeps what
 * it receives, so tests and demos can read what the Route Server advertised — in one
 * compact table (`ReceivedRoutes`), not in its RIB: the speaker never passes a received
 * route on, and every NVA receives every other NVA's routes, so a RIB entry per route
 * made a lab's memory grow as peers² × routes (issue 12).
 */
import {
  AFI_IPV4,
  formatPrefix,
  parseIpv4,
  parsePrefix,
  type LargeCommunity,
  type Prefix,
} from '../../bgp/wire/index.js';
import { Ipv4Nlri, ipv4PrefixAddrAt } from '../../bgp/wire/nlri.js';
import { BgpListener } from '../../bgp/transport/index.js';
import { ROUTE_SERVER_ASN, INSTANCE_NAMES } from '../../azure/index.js';
import {
  formatCommunity,
  formatLargeCommunity,
  internAttrs,
  newRouteSource,
  pathAsns,
  internPath,
  pathContains,
  prependAsPath,
  PrefixTable,
  rank,
  Speaker,
  type Path,
  type ReceiveResult,
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

/** 'GLOBAL:DATA1:DATA2' (RFC 8092), each 0-4294967295. */
export function parseLargeCommunity(text: string): LargeCommunity | undefined {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text);
  if (!m) return undefined;
  const [g, a, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return g <= 0xffffffff && a <= 0xffffffff && b <= 0xffffffff
    ? { globalAdmin: g, localData1: a, localData2: b }
    : undefined;
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
    const l = parseLargeCommunity(c);
    if (!l) return { error: `not a large community: ${c}` };
    large.push(l);
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

/**
 * What the route-server sessions sent an NVA, in one table for all its sessions: per prefix
 * one interned tuple of the attribute set each session holds (none where it sent nothing).
 * An NVA's routes from one route server share a handful of attribute sets, so the table
 * holds no JS object per route (PrefixTable keeps values by reference, ADR 0005).
 */
type Tuple = readonly (RouteAttrs | undefined)[];
const NO_TUPLE: Tuple = Object.freeze([]);

export class ReceivedRoutes {
  private readonly table = new PrefixTable<Tuple>();
  private readonly tuples = new Map<string, Tuple>();
  private readonly transitions = new Map<Tuple, Map<RouteAttrs | null, Tuple | null>[]>();
  /** Prefixes each session holds, kept as they change (status counts without a walk). */
  private readonly counts: number[];

  constructor(private readonly slots: number) {
    this.counts = new Array<number>(slots).fill(0);
  }

  get size(): number {
    return this.table.size;
  }

  /** How many prefixes session `slot` holds. */
  heldBy(slot: number): number {
    return this.counts[slot] ?? 0;
  }

  private count(slot: number, was: RouteAttrs | undefined, now: RouteAttrs | undefined): void {
    if (was === undefined && now !== undefined) this.counts[slot]!++;
    else if (was !== undefined && now === undefined) this.counts[slot]!--;
  }

  private tuple(values: Tuple): Tuple | undefined {
    if (values.every((v) => v === undefined)) return undefined;
    const key = values.map((v) => v?.key ?? '').join('\u0001');
    let t = this.tuples.get(key);
    if (!t) {
      // Tuples no prefix uses any more are dropped now and then (the table holds the live ones).
      if (this.tuples.size >= 4096) this.pruneTuples();
      this.tuples.set(key, (t = Object.freeze([...values])));
    }
    return t;
  }

  private pruneTuples(): void {
    const live = new Set(this.table.values());
    for (const [k, t] of this.tuples) if (!live.has(t)) this.tuples.delete(k);
    this.transitions.clear();
  }

  /**
   * The tuple with session `slot`'s attributes replaced by `attrs` (undefined: none left).
   * Remembered per (tuple, slot, attributes): a table transfer repeats one transition for
   * every route, which then costs two map probes.
   */
  private with(cur: Tuple | undefined, slot: number, attrs: RouteAttrs | undefined): Tuple | undefined {
    const from = cur ?? NO_TUPLE;
    let bySlot = this.transitions.get(from);
    if (!bySlot) this.transitions.set(from, (bySlot = []));
    const m = (bySlot[slot] ??= new Map());
    const k = attrs ?? null;
    let to = m.get(k);
    if (to === undefined) {
      to = this.tuple(Array.from({ length: this.slots }, (_, i) => (i === slot ? attrs : cur?.[i]))) ?? null;
      m.set(k, to);
    }
    return to ?? undefined;
  }

  /** Session `slot`'s attributes for `p` become `attrs` (undefined: withdrawn). */
  set(slot: number, p: Prefix, attrs: RouteAttrs | undefined): void {
    const cur = this.table.get(p);
    if (cur?.[slot] === attrs) return;
    this.count(slot, cur?.[slot], attrs);
    const t = this.with(cur, slot, attrs);
    if (t) this.table.set(p, t);
    else this.table.delete(p);
  }

  /** set() for an IPv4 prefix given as address and length (wire-form NLRI: no Prefix object). */
  setV4(slot: number, addr: number, len: number, attrs: RouteAttrs): void {
    const cur = this.table.getV4(addr, len);
    if (cur?.[slot] === attrs) return;
    this.count(slot, cur?.[slot], attrs);
    this.table.setV4(addr, len, this.with(cur, slot, attrs)!);
  }

  /** The session went down: forget what it sent. */
  clear(slot: number): void {
    for (const [p, t] of [...this.table]) if (t[slot] !== undefined) this.set(slot, p, undefined);
  }

  /** Every (prefix, attributes) session `slot` holds, in arrival order. */
  *of(slot: number): IterableIterator<{ prefix: Prefix; attrs: RouteAttrs }> {
    for (const [prefix, t] of this.table) {
      const attrs = t[slot];
      if (attrs) yield { prefix, attrs };
    }
  }

  /** Every session's attributes for `p`, by slot. */
  get(p: Prefix): readonly (RouteAttrs | undefined)[] | undefined {
    return this.table.get(p);
  }
}

/**
 * The NVA's Speaker: its own routes go out through the RIB as before (Adj-RIB-Out per
 * session, RFC 4271 §9.4 initial update on session up). What a session receives goes to
 * `received`, except for the prefixes the speaker originates itself: there a received path
 * competes with its own in the RIB (a better one makes the speaker stop advertising its own,
 * as it did when every received path was a candidate), so those stay candidates.
 */
class NvaSpeaker extends Speaker {
  readonly received: ReceivedRoutes;
  private readonly slots = new Map<number, number>();
  private readonly ids: number[] = [];
  /** Prefixes the speaker has originated: received paths of these are RIB candidates. */
  private readonly own = new PrefixTable<true>();

  constructor(name: string, asn: number, routerId: number, policy: SpeakerPolicy, sessions: number) {
    super(name, asn, routerId, policy);
    this.received = new ReceivedRoutes(Math.max(1, sessions));
  }

  /** Session `id` stores its routes in slot `slot`. */
  slotOf(id: number, slot: number): void {
    this.slots.set(id, slot);
    this.ids[slot] = id;
  }

  override receive(
    id: number,
    withdrawn: readonly Prefix[],
    announced?: { attrs: RouteAttrs; prefixes: readonly Prefix[] | Ipv4Nlri },
  ): ReceiveResult {
    const slot = this.slots.get(id);
    if (slot === undefined) return super.receive(id, withdrawn, announced);
    const ribWithdrawn: Prefix[] = [];
    for (const p of withdrawn) {
      if (this.own.has(p)) ribWithdrawn.push(p);
      else this.received.set(slot, p, undefined);
    }
    const ribAnnounced: Prefix[] = [];
    if (announced) {
      const { attrs, prefixes } = announced;
      if (prefixes instanceof Ipv4Nlri) {
        // Wire form: no Prefix object per route unless it is one of the speaker's own.
        const b = prefixes.bytes;
        for (let at = prefixes.start; at < prefixes.end; ) {
          const len = b[at]!;
          const addr = ipv4PrefixAddrAt(b, at);
          at += 1 + ((len + 7) >> 3);
          if (this.own.getV4(addr, len)) ribAnnounced.push({ afi: AFI_IPV4, addr, len });
          else this.received.setV4(slot, addr, len, attrs);
        }
      } else {
        for (const p of prefixes) {
          if (this.own.has(p)) ribAnnounced.push(p);
          else this.received.set(slot, p, attrs);
        }
      }
    }
    if (ribWithdrawn.length === 0 && ribAnnounced.length === 0) return {};
    return super.receive(
      id,
      ribWithdrawn,
      ribAnnounced.length ? { attrs: announced!.attrs, prefixes: ribAnnounced } : undefined,
    );
  }

  /** Its own route for `prefix`: what the sessions sent for it becomes RIB candidates first. */
  override originate(prefix: Prefix, attrs: RouteAttrs, weight = 0): void {
    if (!this.own.has(prefix)) {
      this.own.set(prefix, true);
      this.received.get(prefix)?.forEach((a, slot) => {
        if (!a) return;
        this.received.set(slot, prefix, undefined);
        super.receive(this.ids[slot]!, [], { attrs: a, prefixes: [prefix] });
      });
    }
    super.originate(prefix, attrs, weight);
  }

  /** Routes held from session `id`: the RIB's (prefixes it originates too) and the compact table's. */
  override heldFrom(id: number): number {
    const slot = this.slots.get(id);
    return super.heldFrom(id) + (slot === undefined ? 0 : this.received.heldBy(slot));
  }

  override neighborDown(id: number): void {
    super.neighborDown(id);
    const slot = this.slots.get(id);
    if (slot !== undefined) this.received.clear(slot);
  }
}

export class SpeakerNode implements NodeRuntime {
  private readonly speaker: NvaSpeaker;
  private readonly policy: SpeakerPolicy;
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
    this.policy = speakerPolicy(spec.asn);
    const instances = ctx.model.routeServers
      .filter((rs) => rs.bgpConnections.some((c) => c.peerIp === spec.address))
      .flatMap((rs) => rs.virtualRouterIps.map((ip, i) => ({ rs, ip, i })))
      .filter(({ i }) => spec.peerWith === 'both' || spec.peerWith === `IN_${i}`);
    this.speaker = new NvaSpeaker(spec.name, spec.asn, routerId, this.policy, instances.length);
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
        this.speaker.slotOf(session.neighbor.source.id, this.sessions_.length);
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

  /** The path a received attribute set makes (import policy applied, as the RIB would rank it). */
  private pathOf(slot: number, attrs: RouteAttrs): Path {
    const n = this.sessions_[slot]!.session.neighbor;
    const d = this.policy.import(n, attrs);
    return d.accept
      ? internPath(n.source, d.attrs ?? attrs, d.weight ?? 0, d.preference ?? 0)
      : internPath(n.source, attrs, 0, 0, { rule: d.rule, reason: d.reason });
  }

  /** The candidates for `prefix` ranked as the RIB ranks them: its own route and every session's. */
  private candidates(prefix: Prefix): Path[] {
    const received = this.speaker.received.get(prefix) ?? [];
    const paths = [...this.speaker.candidates(prefix)];
    received.forEach((attrs, slot) => {
      if (attrs) paths.push(this.pathOf(slot, attrs));
    });
    return rank(paths, this.speaker.bestPathConfig);
  }

  /** What session `slot` holds: from the RIB (prefixes the speaker originates too), then the compact table. */
  private *receivedOf(slot: number): IterableIterator<{ prefix: Prefix; path: Path }> {
    yield* this.speaker.adjRibIn(this.sessions_[slot]!.session.neighbor.source.id);
    for (const { prefix, attrs } of this.speaker.received.of(slot)) yield { prefix, path: this.pathOf(slot, attrs) };
  }

  async receivedRoutes(): Promise<DaemonRoute[]> {
    const out: DaemonRoute[] = [];
    for (const [slot, s] of this.sessions_.entries()) {
      for (const { prefix, path } of this.receivedOf(slot)) {
        const cands = this.candidates(prefix);
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
