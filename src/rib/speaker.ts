/**
 * @module rib/speaker
 * A BGP speaker's routing state, without sockets: Adj-RIB-In, Loc-RIB and Adj-RIB-Out
 * (RFC 4271 §3.2) for one router — a Route Server instance, a gateway instance, an
 * emulated MSEE. Neighbours are either real BGP sessions or in-process links; the speaker
 * only sees their RouteSource and an output to send to. Policy (Azure's rules) comes in
 * through SpeakerPolicy, so the same machinery runs every router of the lab.
 *
 * Storage: one PrefixTable per speaker maps a prefix to its candidate paths ranked best
 * first (a single Path when there is one — the common case costs one map entry).
 * Rejected paths stay in the list, after the candidates, so that the Adj-RIB-In and
 * `explain` can show them. The Adj-RIB-Out is a PrefixTable per neighbour holding what
 * was sent, so that every change is sent as a diff and listings show exactly that.
 */
import { AFI_IPV4, MAX_MESSAGE_LENGTH, type Prefix } from '../bgp/wire/index.js';
import { Ipv4Nlri, ipv4PrefixAddrAt, prefixWireLength } from '../bgp/wire/nlri.js';
import type { RouteAttrs } from './attrs.js';
import { rank, selectBest, type BestPathConfig } from './bestPath.js';
import { internPath, newRouteSource, type Path, type Rejection, type RouteSource } from './path.js';
import { PrefixTable } from './prefixTable.js';

export type ImportDecision =
  | { readonly accept: true; readonly attrs?: RouteAttrs; readonly weight?: number; readonly preference?: number }
  | { readonly accept: false; readonly rule: string; readonly reason: string };

/** What a prefix-dependent import policy makes of a path (SpeakerPolicy.importPrefix). */
export interface ImportChange {
  readonly attrs: RouteAttrs;
  readonly preference?: number;
}

export interface SpeakerPolicy {
  readonly bestPath: BestPathConfig;
  /** Inbound policy for one attribute set from one neighbour (prefix-independent). */
  import(from: Neighbor, attrs: RouteAttrs): ImportDecision;
  /**
   * Inbound policy that depends on the prefix (optional; called after `import` accepts): a
   * rejection, the attributes (and preference) the path takes for this prefix instead — a
   * route-map that sets communities on some prefixes only — or undefined to keep the path.
   */
  importPrefix?(from: Neighbor, prefix: Prefix, path: Path): Rejection | ImportChange | undefined;
  /** Outbound policy: the attributes to send `to` for `path`, or why it is withheld. */
  export(to: Neighbor, path: Path, prefix: Prefix): RouteAttrs | Rejection;
  /** When false (default) `export` results are cached per (neighbour, path). */
  readonly exportDependsOnPrefix?: boolean;
}

export interface OutboundBatch {
  readonly withdrawn: Prefix[];
  readonly announced: { readonly attrs: RouteAttrs; readonly prefixes: Prefix[] }[];
  /**
   * Routes the export policy gives this neighbour that no UPDATE to it can carry, reported
   * once each (until they change or the session restarts): for the neighbour to log. They
   * are in no Adj-RIB-Out; one that was advertised before is in `withdrawn`.
   */
  readonly notSent?: readonly NotSent[];
}

/** Routes with one attribute set that cannot be sent to a neighbour, and why. */
export interface NotSent {
  readonly attrs: RouteAttrs;
  readonly prefixes: readonly Prefix[];
  /** One line, e.g. "an UPDATE carrying it would be 4,099 octets, over the 4,096 of RFC 4271 §4.1". */
  readonly reason: string;
}

/** The rule cited when a route is too large to send (RFC 4271 §4.1: Length at most 4096). */
export const UPDATE_TOO_LARGE_RULE = 'RFC4271-4.1';

/**
 * How a prefix limit counts an UPDATE: `held-plus-update` — the routes held from the
 * neighbour plus every route of the UPDATE, re-advertisements included (the Route Server's
 * NVA peers, R-ARS-5); `prefixes-held` — the distinct prefixes held once the UPDATE is taken
 * in, as a router's maximum-prefix counts (the MSEE and the VPN gateway, R-ER-8, R-VPN-6).
 */
export type PrefixCounting = 'held-plus-update' | 'prefixes-held';

export interface Neighbor {
  readonly source: RouteSource;
  /** Maximum routes from this neighbour, counted as `prefixCounting` says (R-ARS-5, R-ER-8, R-VPN-6). */
  readonly maxPrefixes?: number;
  /** Default `held-plus-update` (R-ARS-5). */
  readonly prefixCounting?: PrefixCounting;
  /** Where this speaker's advertisements to the neighbour go. */
  send(batch: OutboundBatch): void;
  /**
   * False while the neighbour's transport takes no more (a peer that stopped reading): flush()
   * then keeps its changes in its pending table — the latest state per prefix, so no more
   * than one entry per prefix whatever the churn — and sends them at a later flush() once
   * this is true again (ADR 0014). Absent: always ready.
   */
  readyToSend?(): boolean;
  /**
   * Octets an UPDATE to this neighbour has left for NLRI when it carries `attrs` (after the
   * session's encoding: 2- or 4-octet AS, AS4_PATH): a prefix whose wire length exceeds it
   * cannot be sent (RFC 4271 §4.1, 4,096 octets per message). The speaker then leaves the
   * route out of this neighbour's Adj-RIB-Out, withdraws it if it was advertised, and reports
   * it in `OutboundBatch.notSent`, as BIRD and FRR do with an attribute list too long (ADR
   * 0013). Absent: no size limit (a neighbour that takes routes as data).
   */
  nlriRoom?(attrs: RouteAttrs, afi: number): number;
  /**
   * `send` threw (a bug, not bad input): the neighbour's Adj-RIB-Out may no longer be what it
   * holds, so it should drop the session and start afresh. The other neighbours are served
   * regardless. Absent: the error is rethrown once every neighbour was served.
   */
  sendFailed?(error: unknown): void;
  /** Anything the policy needs to know about the neighbour (peering name, role…). */
  readonly info?: Readonly<Record<string, unknown>>;
}

export interface ReceiveResult {
  /** The UPDATE would exceed maxPrefixes: nothing was installed; reset the session (Cease/1). */
  readonly limitExceeded?: { readonly limit: number; readonly count: number; readonly total?: true };
}

export interface BestChange {
  readonly prefix: Prefix;
  readonly oldBest: readonly Path[];
  readonly newBest: readonly Path[];
}

type Entry = Path | Path[];

function asList(e: Entry | undefined): Path[] {
  return e === undefined ? [] : Array.isArray(e) ? e : [e];
}

const NO_PATHS: readonly Path[] = Object.freeze([]);

/**
 * The change of a prefix new to the table, from the wire: its Prefix object is made only if
 * someone reads it (the route server's timeline reads the first 16 of a burst).
 */
class NewBest implements BestChange {
  private p: Prefix | undefined;
  constructor(
    private readonly addr: number,
    private readonly len: number,
    readonly newBest: readonly Path[],
  ) {}

  get prefix(): Prefix {
    return (this.p ??= { afi: AFI_IPV4, addr: this.addr, len: this.len });
  }

  get oldBest(): readonly Path[] {
    return NO_PATHS;
  }
}

/**
 * Calls an onBestChange callback from the bulk loop. V8 would inline the callback into the
 * loop, and then every deoptimisation of the callback (whose own state changes shape, e.g.
 * the route server's event batching) throws the whole loop back to the interpreter while it
 * recompiles (measured: 3 rounds of 13–18 ms compiles during a 300,000-route load). Calling it
 * from here, a call site that has seen more than one function, keeps it out of line.
 */
function notify(cb: (change: BestChange) => void, change: BestChange): void {
  cb(change);
}
{
  // Feedback is recorded once V8 has given the function a feedback vector (after a few calls).
  const probe: BestChange = { prefix: { afi: AFI_IPV4, addr: 0, len: 0 }, oldBest: NO_PATHS, newBest: NO_PATHS };
  const fns = [(): void => {}, (): void => {}].map((f) => f.bind(null));
  for (let i = 0; i < 64; i++) notify(fns[i & 1]!, probe);
}

function sameBest(a: readonly Path[], b: readonly Path[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface NeighborState {
  readonly neighbor: Neighbor;
  up: boolean;
  readonly adjOut: PrefixTable<RouteAttrs>;
  /** Changes to send at the next flush: attrs to announce, null to withdraw. */
  pending: PrefixTable<RouteAttrs | null>;
  exportCache: WeakMap<Path, RouteAttrs | Rejection>;
  /** Prefixes held from this neighbour (accepted or rejected). */
  held: number;
  /** Routes exported to this neighbour that no UPDATE can carry (RFC 4271 §4.1), with why. */
  readonly unsent: PrefixTable<{ readonly attrs: RouteAttrs; readonly reason: string }>;
  /** Of those, the ones not reported yet: they ride on the next batch. */
  newlyUnsent: { prefix: Prefix; attrs: RouteAttrs; reason: string }[];
}

function isRejection(x: RouteAttrs | Rejection): x is Rejection {
  return (x as Rejection).rule !== undefined && (x as RouteAttrs).key === undefined;
}

export class Speaker {
  private readonly table = new PrefixTable<Entry>();
  private readonly neighbors = new Map<number, NeighborState>();
  readonly localSource: RouteSource;
  private policy: SpeakerPolicy;
  /** Called for every change of a prefix's best paths (event timeline, NIC programming). */
  onBestChange?: (change: BestChange) => void;
  /** R-ARS-5: most routes held from all neighbours together (undefined: no limit). */
  maxReceivedTotal?: number;
  private receivedTotal = 0;
  // receive(): the best list of the last new path, and the up neighbours other than the source.
  private lastBest: readonly Path[] = NO_PATHS;
  private targets: NeighborState[] = [];
  private targetsFor: NeighborState | undefined;
  private lastImport: { st: NeighborState; attrs: RouteAttrs; policy: SpeakerPolicy; path: Path } | undefined;

  constructor(
    readonly name: string,
    readonly asn: number,
    readonly routerId: number,
    policy: SpeakerPolicy,
  ) {
    this.policy = policy;
    this.localSource = newRouteSource({ name: `${name}:local`, address: '', asn, kind: 'local', routerId });
  }

  // -------------------------------------------------------------------------
  // Neighbours

  addNeighbor(n: Neighbor): void {
    if (this.neighbors.has(n.source.id)) throw new Error(`${this.name}: neighbour ${n.source.name} added twice`);
    this.neighbors.set(n.source.id, {
      neighbor: n,
      up: false,
      adjOut: new PrefixTable(),
      pending: new PrefixTable(),
      exportCache: new WeakMap(),
      held: 0,
      unsent: new PrefixTable(),
      newlyUnsent: [],
    });
  }

  removeNeighbor(id: number): void {
    this.neighborDown(id);
    this.lastImport = undefined;
    this.neighbors.delete(id);
  }

  neighbor(id: number): Neighbor | undefined {
    return this.neighbors.get(id)?.neighbor;
  }

  isUp(id: number): boolean {
    return this.neighbors.get(id)?.up ?? false;
  }

  /** The session came up: advertise the whole Loc-RIB to it (RFC 4271 §9.4 initial update). */
  neighborUp(id: number): void {
    const st = this.neighbors.get(id);
    if (!st || st.up) return;
    st.up = true;
    st.adjOut.clear();
    st.pending = new PrefixTable();
    // What cannot be sent is reported again, once for this session (which may encode
    // differently: 4-octet AS or not).
    st.unsent.clear();
    st.newlyUnsent = [];
    for (const [prefix, e] of this.table) this.exportPrefix(st, prefix, this.bestOf(e));
    this.flush();
  }

  /** The session went down: forget what we sent it and everything it sent us. */
  neighborDown(id: number): void {
    const st = this.neighbors.get(id);
    if (!st) return;
    st.up = false;
    st.adjOut.clear();
    st.pending = new PrefixTable();
    st.unsent.clear();
    st.newlyUnsent = [];
    if (st.held > 0) {
      for (const [prefix, e] of [...this.table]) {
        if (asList(e).some((p) => p.source.id === id)) this.replace(prefix, st.neighbor.source, undefined);
      }
      st.held = 0; // replace() counted each one down already
    }
    this.flush();
  }

  /** The neighbour asked for a ROUTE-REFRESH: send the Adj-RIB-Out again. */
  refresh(id: number): void {
    const st = this.neighbors.get(id);
    if (!st?.up) return;
    for (const [prefix, attrs] of st.adjOut) st.pending.set(prefix, attrs);
    this.flush();
  }

  /** Policy changed (e.g. branch-to-branch toggled): re-import every path and re-export everything. */
  setPolicy(policy: SpeakerPolicy): void {
    this.policy = policy;
    this.lastImport = undefined;
    for (const st of this.neighbors.values()) st.exportCache = new WeakMap();
    for (const [prefix, e] of [...this.table]) {
      const old = asList(e);
      const updated = old.map((p) =>
        p.source.kind === 'local'
          ? p
          : this.makePath(this.neighbors.get(p.source.id)?.neighbor, p.source, p.attrs, prefix),
      );
      const ranked = rank(updated, policy.bestPath);
      const oldBest = this.bestOf(e);
      this.table.set(prefix, ranked.length === 1 ? ranked[0]! : ranked);
      const newBest = selectBest(ranked, policy.bestPath);
      if (!sameBest(oldBest, newBest)) this.onBestChange?.({ prefix, oldBest, newBest });
    }
    for (const st of this.neighbors.values()) {
      if (!st.up) continue;
      const seen = new PrefixTable<true>();
      for (const [prefix, e] of this.table) {
        seen.set(prefix, true);
        this.exportPrefix(st, prefix, this.bestOf(e));
      }
      for (const [prefix] of [...st.adjOut]) if (!seen.has(prefix)) this.exportPrefix(st, prefix, []);
    }
    this.flush();
  }

  // -------------------------------------------------------------------------
  // Routes in

  /**
   * One UPDATE's worth of routes from neighbour `id` (RFC 4271 §9.1): withdrawals first,
   * then the announced prefixes, all with one attribute set. The announced prefixes may be
   * Prefix objects or an IPv4 NLRI field still in wire form (Ipv4Nlri: no object per route).
   */
  receive(
    id: number,
    withdrawn: readonly Prefix[],
    announced?: { attrs: RouteAttrs; prefixes: readonly Prefix[] | Ipv4Nlri },
  ): ReceiveResult {
    const st = this.neighbors.get(id);
    if (!st) return {};
    this.targetsFor = undefined;
    const src = st.neighbor.source;
    for (const p of withdrawn) this.replace(p, src, undefined);
    const count = announced ? announced.prefixes.length : 0;
    if (announced && count > 0) {
      const limit = st.neighbor.maxPrefixes;
      // R-ARS-5: held routes plus the routes of this UPDATE, re-advertisements included;
      // R-ER-8, R-VPN-6: the prefixes held once it is taken in (only looked at near the limit).
      if (limit !== undefined && st.held + count > limit) {
        const n =
          st.neighbor.prefixCounting === 'prefixes-held'
            ? st.held + this.notHeldFrom(src.id, announced.prefixes)
            : st.held + count;
        if (n > limit) {
          this.flush();
          return { limitExceeded: { limit, count: n } };
        }
      }
      const total = this.maxReceivedTotal;
      if (total !== undefined && this.receivedTotal + count > total) {
        this.flush();
        return { limitExceeded: { limit: total, count: this.receivedTotal + count, total: true } };
      }
      const path = this.importedPath(st, announced.attrs);
      const prefixes = announced.prefixes;
      if (prefixes instanceof Ipv4Nlri) this.receiveWire(st, path, announced.attrs, prefixes);
      else for (const p of prefixes) this.receiveOne(st, path, announced.attrs, p);
    }
    this.flush();
    return {};
  }

  /** How many of these prefixes the neighbour `id` has not sent before (prefix-limit counting). */
  private notHeldFrom(id: number, prefixes: readonly Prefix[] | Ipv4Nlri): number {
    let n = 0;
    const heldHere = (p: Prefix) => asList(this.table.get(p)).some((x) => x.source.id === id);
    if (prefixes instanceof Ipv4Nlri) {
      const b = prefixes.bytes;
      for (let at = prefixes.start; at < prefixes.end; ) {
        const len = b[at]!;
        const addr = ipv4PrefixAddrAt(b, at);
        at += 1 + ((len + 7) >> 3);
        if (!heldHere({ afi: AFI_IPV4, addr, len })) n++;
      }
    } else for (const p of prefixes) if (!heldHere(p)) n++;
    return n;
  }

  /**
   * The import of one announced prefix. A prefix new to the table (a full table arriving)
   * takes the bulk path: one table probe, no neighbour lookup, the UPDATE's one best list,
   * export only to the up neighbours other than the source — a prefix absent from the table
   * is in no Adj-RIB-Out, and split horizon gives the source nothing. Others go through
   * replace(), which ranks the candidates.
   */
  private receiveOne(st: NeighborState, path: Path, attrs: RouteAttrs, p: Prefix): void {
    const chosen = this.importPrefix(st, path, attrs, p);
    const added = p.afi === AFI_IPV4 ? this.table.addV4(p.addr, p.len, chosen) : this.addV6(p, chosen);
    if (!added) {
      this.replace(p, st.neighbor.source, chosen);
      return;
    }
    st.held++;
    this.receivedTotal++;
    if (chosen.rejected) return;
    const best = chosen === path ? this.bestList(path) : [chosen];
    this.onBestChange?.({ prefix: p, oldBest: NO_PATHS, newBest: best });
    this.exportNew(st, p, best);
  }

  /** As receiveOne for each prefix of an IPv4 NLRI field in wire form, without a Prefix object when none is needed. */
  private receiveWire(st: NeighborState, path: Path, attrs: RouteAttrs, nlri: Ipv4Nlri): void {
    const b = nlri.bytes;
    const end = nlri.end;
    const table = this.table;
    const importPrefix = path.rejected ? undefined : this.policy.importPrefix;
    const best = this.bestList(path);
    const targets = this.exportTargets(st);
    const cb = this.onBestChange;
    for (let at = nlri.start; at < end; ) {
      const len = b[at]!;
      const addr = ipv4PrefixAddrAt(b, at);
      at += 1 + ((len + 7) >> 3);
      let p: Prefix | undefined;
      let chosen = path;
      if (importPrefix !== undefined) {
        p = { afi: AFI_IPV4, addr, len };
        chosen = prefixPath(st.neighbor.source, path, attrs, importPrefix.call(this.policy, st.neighbor, p, path));
      }
      if (!table.addV4(addr, len, chosen)) {
        this.replace(p ?? { afi: AFI_IPV4, addr, len }, st.neighbor.source, chosen);
        continue;
      }
      st.held++;
      this.receivedTotal++;
      if (chosen.rejected || best.length === 0) continue; // refused by the per-prefix policy: no best path
      const own = chosen === path ? best : [chosen];
      if (targets.length === 0) {
        if (cb !== undefined)
          notify(cb, p === undefined ? new NewBest(addr, len, own) : { prefix: p, oldBest: NO_PATHS, newBest: own });
        continue;
      }
      p ??= { afi: AFI_IPV4, addr, len };
      if (cb !== undefined) notify(cb, { prefix: p, oldBest: NO_PATHS, newBest: own });
      for (const t of targets) this.exportPrefix(t, p, own);
    }
  }

  /** The path for `p` after the per-prefix import policy (a rejected twin when it refuses). */
  private importPrefix(st: NeighborState, path: Path, attrs: RouteAttrs, p: Prefix): Path {
    if (!this.policy.importPrefix || path.rejected) return path;
    return prefixPath(st.neighbor.source, path, attrs, this.policy.importPrefix(st.neighbor, p, path));
  }

  private addV6(p: Prefix, path: Path): boolean {
    if (this.table.get(p) !== undefined) return false;
    this.table.set(p, path);
    return true;
  }

  /** [path] (or [] when rejected): one array shared by the prefixes new to the table. */
  private bestList(path: Path): readonly Path[] {
    if (path.rejected) return NO_PATHS;
    if (this.lastBest[0] !== path) this.lastBest = [path];
    return this.lastBest;
  }

  /** Up neighbours other than `st`, computed once per receive() (see flush, which resets it). */
  private exportTargets(st: NeighborState): NeighborState[] {
    if (this.targetsFor !== st) {
      this.targets = [];
      for (const n of this.neighbors.values()) if (n.up && n !== st) this.targets.push(n);
      this.targetsFor = st;
    }
    return this.targets;
  }

  /** Export of a prefix that was in no table: to the up neighbours other than its source. */
  private exportNew(st: NeighborState, p: Prefix, best: readonly Path[]): void {
    for (const t of this.exportTargets(st)) this.exportPrefix(t, p, best);
  }

  /**
   * Originate a route from this speaker itself (e.g. the VNet address space, R-ARS-9) — or,
   * with `source` (a `kind: 'local'` source of its own), a configured static route that is
   * not the speaker's own range (a VPN connection without BGP, R-VPN-4), kept apart from it.
   */
  originate(prefix: Prefix, attrs: RouteAttrs, weight = 0, source: RouteSource = this.localSource): void {
    this.replace(prefix, source, internPath(source, attrs, weight, 0));
    this.flush();
  }

  withdrawLocal(prefix: Prefix, source: RouteSource = this.localSource): void {
    this.replace(prefix, source, undefined);
    this.flush();
  }

  /**
   * makePath for an UPDATE from `st`: the import policy is a function of the neighbour and the
   * attribute set (SpeakerPolicy.import), so the last result is reused while both and the
   * policy repeat, as in the UPDATEs of a table transfer.
   */
  private importedPath(st: NeighborState, attrs: RouteAttrs): Path {
    const m = this.lastImport;
    if (m !== undefined && m.st === st && m.attrs === attrs && m.policy === this.policy) return m.path;
    const path = this.makePath(st.neighbor, st.neighbor.source, attrs);
    this.lastImport = { st, attrs, policy: this.policy, path };
    return path;
  }

  private makePath(n: Neighbor | undefined, src: RouteSource, attrs: RouteAttrs, _prefix?: Prefix): Path {
    if (!n) return internPath(src, attrs);
    const d = this.policy.import(n, attrs);
    if (!d.accept) return internPath(src, attrs, 0, 0, { rule: d.rule, reason: d.reason });
    return internPath(src, d.attrs ?? attrs, d.weight ?? 0, d.preference ?? 0);
  }

  /** Puts `path` (or nothing) as the candidate from `src` for `prefix`, then propagates. */
  private replace(prefix: Prefix, src: RouteSource, path: Path | undefined): void {
    const e = this.table.get(prefix);
    const cfg = this.policy.bestPath;
    const nst = this.neighbors.get(src.id);
    if (e === undefined) {
      if (!path) return;
      if (nst) {
        nst.held++;
        this.receivedTotal++;
      }
      // Fast path: first route for the prefix.
      this.table.set(prefix, path);
      const newBest = path.rejected ? [] : [path];
      if (newBest.length) this.propagate(prefix, [], newBest);
      return;
    }
    const list = asList(e);
    const oldBest = selectBest(list, cfg);
    const i = list.findIndex((p) => p.source.id === src.id);
    if (i >= 0 && list[i] === path) return; // unchanged (implicit re-advertisement)
    let next = list.slice();
    if (i >= 0) {
      if (path) next[i] = path;
      else {
        next.splice(i, 1);
        if (nst) {
          nst.held--;
          this.receivedTotal--;
        }
      }
    } else {
      if (!path) return;
      next.push(path);
      if (nst) {
        nst.held++;
        this.receivedTotal++;
      }
    }
    if (next.length === 0) this.table.delete(prefix);
    else {
      const ranked = next.length === 1 ? next : rank(next, cfg);
      this.table.set(prefix, ranked.length === 1 ? ranked[0]! : ranked);
      next = ranked;
    }
    const newBest = selectBest(next, cfg);
    if (!sameBest(oldBest, newBest)) this.propagate(prefix, oldBest, newBest);
  }

  private propagate(prefix: Prefix, oldBest: Path[], newBest: Path[]): void {
    this.onBestChange?.({ prefix, oldBest, newBest });
    for (const st of this.neighbors.values()) if (st.up) this.exportPrefix(st, prefix, newBest);
  }

  // -------------------------------------------------------------------------
  // Routes out

  /** The attributes to advertise to this neighbour for these best paths, or why none. */
  exportDecision(st: NeighborState, prefix: Prefix, best: readonly Path[]): RouteAttrs | Rejection | undefined {
    // RFC 4271 §9.1.3: the best path is advertised, and not back to the neighbour it came
    // from — with no fallback to another equal-cost path (seed 001: a gateway instance whose
    // own path is the route server's best gets nothing back; ADR 0007).
    const path = best[0];
    if (!path || path.source.id === st.neighbor.source.id) return undefined;
    if (this.policy.exportDependsOnPrefix) return this.policy.export(st.neighbor, path, prefix);
    let d = st.exportCache.get(path);
    if (d === undefined) {
      d = this.policy.export(st.neighbor, path, prefix);
      st.exportCache.set(path, d);
    }
    return d;
  }

  /**
   * Why `attrs` for `prefix` cannot reach `st`'s neighbour in one UPDATE, or undefined when it
   * fits (RFC 4271 §4.1: at most 4,096 octets; the neighbour measures its own encoding).
   */
  private tooLarge(st: NeighborState, attrs: RouteAttrs, prefix: Prefix): string | undefined {
    const measure = st.neighbor.nlriRoom;
    if (measure === undefined) return undefined;
    // Called for every route exported: the neighbour answers fast (rib/wire nlriRoomFor).
    const room = measure.call(st.neighbor, attrs, prefix.afi);
    const need = prefixWireLength(prefix);
    if (need <= room) return undefined;
    const octets = MAX_MESSAGE_LENGTH - room + need;
    return `an UPDATE carrying it would be ${octets.toLocaleString('en-US')} octets, over the ${MAX_MESSAGE_LENGTH.toLocaleString('en-US')} RFC 4271 §4.1 allows`;
  }

  private exportPrefix(st: NeighborState, prefix: Prefix, best: readonly Path[]): void {
    const d = this.exportDecision(st, prefix, best);
    let attrs = d === undefined || isRejection(d) ? undefined : d;
    if (attrs !== undefined && st.neighbor.nlriRoom !== undefined) {
      const why = this.tooLarge(st, attrs, prefix);
      if (why !== undefined) {
        if (st.unsent.get(prefix)?.attrs !== attrs) {
          st.unsent.set(prefix, { attrs, reason: why });
          st.newlyUnsent.push({ prefix, attrs, reason: why });
        }
        attrs = undefined;
      } else if (st.unsent.size > 0) st.unsent.delete(prefix);
    } else if (st.unsent.size > 0) st.unsent.delete(prefix);
    const prev = st.adjOut.get(prefix);
    if (prev === attrs) return;
    if (attrs) st.adjOut.set(prefix, attrs);
    else st.adjOut.delete(prefix);
    st.pending.set(prefix, attrs ?? null);
  }

  /**
   * Sends every neighbour its pending changes, grouped by attribute set. A neighbour whose
   * `send` throws is told (`sendFailed`) and the others are still served: one neighbour's
   * trouble never stops another's routes. A neighbour that is not readyToSend keeps its
   * changes (and its routes not sent) until a later flush (ADR 0014).
   */
  flush(): void {
    let failure: { error: unknown } | undefined;
    for (const st of this.neighbors.values()) {
      if (!st.up || (st.pending.size === 0 && st.newlyUnsent.length === 0)) continue;
      if (st.neighbor.readyToSend?.() === false) continue;
      const withdrawn: Prefix[] = [];
      const groups = new Map<RouteAttrs, Prefix[]>();
      for (const [prefix, attrs] of st.pending) {
        if (attrs === null) withdrawn.push(prefix);
        else {
          let g = groups.get(attrs);
          if (!g) groups.set(attrs, (g = []));
          g.push(prefix);
        }
      }
      st.pending = new PrefixTable();
      const notSent = this.takeNotSent(st);
      const batch: OutboundBatch = {
        withdrawn,
        announced: [...groups].map(([attrs, prefixes]) => ({ attrs, prefixes })),
        ...(notSent ? { notSent } : {}),
      };
      try {
        st.neighbor.send(batch);
      } catch (error) {
        if (st.neighbor.sendFailed) st.neighbor.sendFailed(error);
        else failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /** The routes newly found unsendable to `st` (still unsendable now), grouped by attribute set. */
  private takeNotSent(st: NeighborState): NotSent[] | undefined {
    if (st.newlyUnsent.length === 0) return undefined;
    const groups = new Map<RouteAttrs, { prefixes: Prefix[]; reason: string }>();
    for (const u of st.newlyUnsent) {
      if (st.unsent.get(u.prefix)?.attrs !== u.attrs) continue; // sendable again, or changed since
      const g = groups.get(u.attrs);
      if (g) g.prefixes.push(u.prefix);
      else groups.set(u.attrs, { prefixes: [u.prefix], reason: u.reason });
    }
    st.newlyUnsent = [];
    return groups.size
      ? [...groups].map(([attrs, g]) => ({ attrs, prefixes: g.prefixes, reason: g.reason }))
      : undefined;
  }

  // -------------------------------------------------------------------------
  // Reading the tables

  private bestOf(e: Entry): Path[] {
    return selectBest(asList(e), this.policy.bestPath);
  }

  get bestPathConfig(): BestPathConfig {
    return this.policy.bestPath;
  }

  /** Loc-RIB: every prefix with its best (equal-cost) paths, in arrival order. */
  *locRib(): IterableIterator<{ prefix: Prefix; best: Path[] }> {
    for (const [prefix, e] of this.table) {
      const best = this.bestOf(e);
      if (best.length) yield { prefix, best };
    }
  }

  /** Candidates for one prefix, best first, rejected last. */
  candidates(prefix: Prefix): Path[] {
    return asList(this.table.get(prefix));
  }

  /** Adj-RIB-In of one neighbour: every path it sent, accepted or rejected. */
  *adjRibIn(id: number): IterableIterator<{ prefix: Prefix; path: Path }> {
    for (const [prefix, e] of this.table) {
      for (const p of asList(e)) if (p.source.id === id) yield { prefix, path: p };
    }
  }

  /** Adj-RIB-Out of one neighbour: what was advertised to it. */
  *adjRibOut(id: number): IterableIterator<{ prefix: Prefix; attrs: RouteAttrs }> {
    const st = this.neighbors.get(id);
    if (!st) return;
    for (const [prefix, attrs] of st.adjOut) yield { prefix, attrs };
  }

  /** Routes the policy exports to a neighbour that are not sent because no UPDATE can carry them. */
  *notSentTo(id: number): IterableIterator<{ prefix: Prefix; attrs: RouteAttrs; reason: string }> {
    const st = this.neighbors.get(id);
    if (!st) return;
    for (const [prefix, u] of st.unsent) yield { prefix, attrs: u.attrs, reason: u.reason };
  }

  /** Why a prefix is or is not advertised to a neighbour (for `explain`). */
  explainExport(id: number, prefix: Prefix): RouteAttrs | Rejection | undefined {
    const st = this.neighbors.get(id);
    if (!st) return undefined;
    const d = this.exportDecision(st, prefix, this.bestOf(this.table.get(prefix) ?? []));
    const unsent = st.up ? st.unsent.get(prefix) : undefined;
    if (d !== undefined && !isRejection(d) && unsent?.attrs === d)
      return { rule: UPDATE_TOO_LARGE_RULE, reason: `not sent: ${unsent.reason}` };
    return d;
  }

  heldFrom(id: number): number {
    return this.neighbors.get(id)?.held ?? 0;
  }

  /**
   * Prefixes this speaker would advertise to a neighbour now, whether the session is up or
   * not: a walk of the Loc-RIB through the export policy (a session held down by a prefix
   * limit comes back once this is within it, R-ER-8).
   */
  exportableTo(id: number): number {
    const st = this.neighbors.get(id);
    if (!st) return 0;
    let n = 0;
    for (const [prefix, e] of this.table) {
      const d = this.exportDecision(st, prefix, this.bestOf(e));
      if (d !== undefined && !isRejection(d)) n++;
    }
    return n;
  }

  /** Prefixes in a neighbour's Adj-RIB-Out: a count, not a walk of the table (status). */
  advertisedTo(id: number): number {
    return this.neighbors.get(id)?.adjOut.size ?? 0;
  }

  get prefixCount(): number {
    return this.table.size;
  }
}

/** The path `path` becomes for one prefix after SpeakerPolicy.importPrefix said `r`. */
function prefixPath(
  source: RouteSource,
  path: Path,
  received: RouteAttrs,
  r: Rejection | ImportChange | undefined,
): Path {
  if (r === undefined) return path;
  if ('rule' in r) return internPath(source, received, path.weight, path.preference, r);
  if (r.attrs === path.attrs && (r.preference ?? path.preference) === path.preference) return path;
  return internPath(source, r.attrs, path.weight, r.preference ?? path.preference);
}
