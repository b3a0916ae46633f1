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
import type { Prefix } from '../bgp/wire/index.js';
import type { RouteAttrs } from './attrs.js';
import { rank, selectBest, type BestPathConfig } from './bestPath.js';
import { internPath, newRouteSource, type Path, type Rejection, type RouteSource } from './path.js';
import { PrefixTable } from './prefixTable.js';

export type ImportDecision =
  | { readonly accept: true; readonly attrs?: RouteAttrs; readonly weight?: number; readonly preference?: number }
  | { readonly accept: false; readonly rule: string; readonly reason: string };

export interface SpeakerPolicy {
  readonly bestPath: BestPathConfig;
  /** Inbound policy for one attribute set from one neighbour (prefix-independent). */
  import(from: Neighbor, attrs: RouteAttrs): ImportDecision;
  /** Inbound policy that depends on the prefix (optional; called after `import` accepts). */
  importPrefix?(from: Neighbor, prefix: Prefix, path: Path): Rejection | undefined;
  /** Outbound policy: the attributes to send `to` for `path`, or why it is withheld. */
  export(to: Neighbor, path: Path, prefix: Prefix): RouteAttrs | Rejection;
  /** When false (default) `export` results are cached per (neighbour, path). */
  readonly exportDependsOnPrefix?: boolean;
}

export interface OutboundBatch {
  readonly withdrawn: Prefix[];
  readonly announced: { readonly attrs: RouteAttrs; readonly prefixes: Prefix[] }[];
}

export interface Neighbor {
  readonly source: RouteSource;
  /** R-ARS-5: maximum routes held from this neighbour plus those in one UPDATE. */
  readonly maxPrefixes?: number;
  /** Where this speaker's advertisements to the neighbour go. */
  send(batch: OutboundBatch): void;
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
    });
  }

  removeNeighbor(id: number): void {
    this.neighborDown(id);
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
    if (!st || !st.up) return;
    for (const [prefix, attrs] of st.adjOut) st.pending.set(prefix, attrs);
    this.flush();
  }

  /** Policy changed (e.g. branch-to-branch toggled): re-import every path and re-export everything. */
  setPolicy(policy: SpeakerPolicy): void {
    this.policy = policy;
    for (const st of this.neighbors.values()) st.exportCache = new WeakMap();
    for (const [prefix, e] of [...this.table]) {
      const old = asList(e);
      const updated = old.map((p) => (p.source.kind === 'local' ? p : this.makePath(this.neighbors.get(p.source.id)?.neighbor, p.source, p.attrs, prefix)));
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
   * then the announced prefixes, all with one attribute set.
   */
  receive(id: number, withdrawn: readonly Prefix[], announced?: { attrs: RouteAttrs; prefixes: readonly Prefix[] }): ReceiveResult {
    const st = this.neighbors.get(id);
    if (!st) return {};
    const src = st.neighbor.source;
    for (const p of withdrawn) this.replace(p, src, undefined);
    if (announced && announced.prefixes.length > 0) {
      const limit = st.neighbor.maxPrefixes;
      // R-ARS-5: held routes plus the routes of this UPDATE, re-advertisements included.
      if (limit !== undefined && st.held + announced.prefixes.length > limit) {
        this.flush();
        return { limitExceeded: { limit, count: st.held + announced.prefixes.length } };
      }
      const total = this.maxReceivedTotal;
      if (total !== undefined && this.receivedTotal + announced.prefixes.length > total) {
        this.flush();
        return { limitExceeded: { limit: total, count: this.receivedTotal + announced.prefixes.length, total: true } };
      }
      const path = this.makePath(st.neighbor, src, announced.attrs);
      // Prefixes new to the table (a full table arriving): no neighbour lookup, one best
      // list per UPDATE, and export only to the up neighbours other than the source — a
      // prefix absent from the table is in no Adj-RIB-Out, and split horizon gives the
      // source nothing.
      const bulk = !this.policy.importPrefix;
      const targets: NeighborState[] = [];
      if (bulk) for (const n of this.neighbors.values()) if (n.up && n !== st) targets.push(n);
      const best: Path[] = path.rejected ? [] : [path];
      for (const p of announced.prefixes) {
        if (bulk && this.table.get(p) === undefined) {
          this.table.set(p, path);
          st.held++;
          this.receivedTotal++;
          if (best.length > 0) {
            this.onBestChange?.({ prefix: p, oldBest: [], newBest: best });
            for (const t of targets) this.exportPrefix(t, p, best);
          }
          continue;
        }
        let chosen = path;
        if (this.policy.importPrefix && !path.rejected) {
          const r = this.policy.importPrefix(st.neighbor, p, path);
          if (r) chosen = internPath(src, announced.attrs, path.weight, path.preference, r);
        }
        this.replace(p, src, chosen);
      }
    }
    this.flush();
    return {};
  }

  /** Originate a route from this speaker itself (e.g. the VNet address space, R-ARS-9). */
  originate(prefix: Prefix, attrs: RouteAttrs, weight = 0): void {
    this.replace(prefix, this.localSource, internPath(this.localSource, attrs, weight, 0));
    this.flush();
  }

  withdrawLocal(prefix: Prefix): void {
    this.replace(prefix, this.localSource, undefined);
    this.flush();
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
    let oldBest: Path[];
    let next: Path[];
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
    oldBest = selectBest(list, cfg);
    const i = list.findIndex((p) => p.source.id === src.id);
    if (i >= 0 && list[i] === path) return; // unchanged (implicit re-advertisement)
    next = list.slice();
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

  private exportPrefix(st: NeighborState, prefix: Prefix, best: readonly Path[]): void {
    const d = this.exportDecision(st, prefix, best);
    const attrs = d === undefined || isRejection(d) ? undefined : d;
    const prev = st.adjOut.get(prefix);
    if (prev === attrs) return;
    if (attrs) st.adjOut.set(prefix, attrs);
    else st.adjOut.delete(prefix);
    st.pending.set(prefix, attrs ?? null);
  }

  /** Sends every neighbour its pending changes, grouped by attribute set. */
  flush(): void {
    for (const st of this.neighbors.values()) {
      if (!st.up || st.pending.size === 0) continue;
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
      st.neighbor.send({ withdrawn, announced: [...groups].map(([attrs, prefixes]) => ({ attrs, prefixes })) });
    }
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

  /** Why a prefix is or is not advertised to a neighbour (for `explain`). */
  explainExport(id: number, prefix: Prefix): RouteAttrs | Rejection | undefined {
    const st = this.neighbors.get(id);
    if (!st) return undefined;
    return this.exportDecision(st, prefix, this.bestOf(this.table.get(prefix) ?? []));
  }

  heldFrom(id: number): number {
    return this.neighbors.get(id)?.held ?? 0;
  }

  get prefixCount(): number {
    return this.table.size;
  }
}
