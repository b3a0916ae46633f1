/**
 * @module lab/fabric
 * Azure's fabric between the control plane and the NICs (R-TIME-1, R-TIME-2, ADR 0018):
 * a best-path change on a route server or gateway shows at once in their own listings
 * (learned and advertised routes, BGP tables) and reaches the NICs' effective routes — and
 * so the data path, `probe` and Network Watcher's next hop — only when the fabric programs
 * it. This module schedules that programming on the lab's clock; the times come from the
 * pure model (`programmingSlot` in src/azure/programmingTiming.ts).
 *
 * It watches the control plane's routes for each VNet (`Lab.gatewayRoutes`) — for each view of
 * them its NICs get (R-ARS-21: a NIC whose route-server instance lacks an NVA's routes; in the
 * usual case every NIC gets the one view '') — after every
 * lab event and every drained batch of in-process deliveries it compares them per prefix
 * (next hops and origin: what a NIC shows) with the last it saw, and gives each changed
 * prefix a programming slot. When a slot comes, the NICs get the state the slot programs
 * and the timeline gets a `route` event from `fabric/<vnet>` with the change's delay.
 */
import type { Clock, TimerHandle } from '../bgp/clock.js';
import { formatPrefix } from '../bgp/wire/index.js';
import {
  idKey,
  programmingSlot,
  seededUniform,
  TIMING_PROFILES,
  type GatewayRoute,
  type GatewayRoutes,
  type PrefixProgramming,
  type TimingProfile,
  type VirtualNetwork,
} from '../azure/index.js';
import type { EventLog, LabEvent } from './events.js';
import type { TimingSettings } from './spec.js';

interface PrefixEntry {
  /** What a NIC shows of the prefix: origin and next hops of each route. */
  readonly signature: string;
  readonly routes: readonly GatewayRoute[];
}

interface VnetState {
  readonly vnet: VirtualNetwork;
  /** The view of the VNet's routes this state programs (R-ARS-21; '' in the usual case). */
  readonly view: string;
  /** The control plane's routes as last seen, per prefix. */
  live: Map<string, PrefixEntry>;
  /** Live prefixes in the control plane's order (NIC listings keep Azure's row order). */
  order: string[];
  servedPrefixes: GatewayRoutes['servedPrefixes'];
  dropped: GatewayRoutes['dropped'];
  /** What the NICs have now, per prefix. */
  readonly programmed: Map<string, PrefixEntry>;
  /** The model's memory per prefix (its last or next programming). */
  readonly timing: Map<string, PrefixProgramming>;
  /** Slots waiting, per prefix, in time order. */
  readonly slots: Map<string, Slot[]>;
}

/** A programming to come: the entry it programs (undefined: the prefix goes). */
interface Slot {
  entry: PrefixEntry | undefined;
  readonly changedAt: number;
  readonly dampened: boolean;
  readonly handle: TimerHandle;
}

/** One NIC-programming change as it happened (the what-if timeline prints these). */
export interface ProgrammingEvent {
  readonly vnet: string;
  readonly prefix: string;
  readonly nextHops: readonly string[];
  /** When the control plane changed, and when the NICs got it (clock ms). */
  readonly changedAt: number;
  readonly programmedAt: number;
  readonly dampened: boolean;
}

export class FabricProgramming {
  readonly profile: TimingProfile;
  private readonly draw: () => number;
  private readonly vnets = new Map<string, VnetState>();
  private dirty = false;
  private stopped = false;
  /** Programmings done so far: the version of what the NICs show (their tables' version). */
  version = 0;
  private readonly unfollow: () => void;
  /** Called with each programming as it happens (what-if). */
  onProgrammed?: (e: ProgrammingEvent) => void;

  constructor(
    settings: TimingSettings,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly liveRoutes: (vnet: VirtualNetwork, view: string) => GatewayRoutes,
    private readonly allVnets: () => readonly VirtualNetwork[],
    /** R-ARS-21: the views other than '' the NICs of each VNet get now, by VNet id key. */
    private readonly otherViews: () => ReadonlyMap<string, readonly string[]> = () => new Map(),
  ) {
    this.profile = TIMING_PROFILES[settings.profile];
    this.draw = seededUniform(settings.seed);
    this.unfollow = events.follow((e) => this.onEvent(e));
  }

  private onEvent(e: LabEvent): void {
    // Its own events and the data plane's change no route.
    if (e.type === 'probe' || e.source.startsWith('fabric/')) return;
    this.changed();
  }

  /** Something may have changed the control plane's routes: look once the current work is done. */
  changed(): void {
    if (this.dirty || this.stopped) return;
    this.dirty = true;
    queueMicrotask(() => this.check());
  }

  /** Compares every VNet's control-plane routes with the last seen; schedules what changed. */
  check(): void {
    this.dirty = false;
    if (this.stopped) return;
    const now = this.clock.now();
    const seen = new Set<string>();
    const others = this.otherViews();
    for (const vnet of this.allVnets()) {
      // '' first: a view appearing starts from what '' has programmed.
      for (const view of ['', ...(others.get(idKey(vnet.id)) ?? [])]) this.checkView(vnet, view, now, seen);
    }
    // A VNet gone from the model: its NICs are gone with it; a view no NIC gets any more, too.
    for (const [key, st] of this.vnets)
      if (!seen.has(key)) {
        for (const q of st.slots.values()) for (const s of q) this.clock.clearTimer(s.handle);
        this.vnets.delete(key);
      }
  }

  private checkView(vnet: VirtualNetwork, view: string, now: number, seen: Set<string>): void {
    const key = stateKey(vnet, view);
    seen.add(key);
    const live = this.liveRoutes(vnet, view);
    let st = this.vnets.get(key);
    if (!st) {
      const base = view === '' ? undefined : this.vnets.get(stateKey(vnet, ''));
      if (live.routes.length === 0 && !base) return;
      // R-ARS-21: NICs moving to a view keep what the fabric had programmed for them ('');
      // only where the views differ is a change programmed.
      st = {
        vnet,
        view,
        live: new Map(base?.programmed),
        order: [...(base?.order ?? [])],
        servedPrefixes: base?.servedPrefixes ?? [],
        dropped: base?.dropped ?? [],
        programmed: new Map(base?.programmed),
        timing: new Map(base?.timing),
        slots: new Map(),
      };
      this.vnets.set(key, st);
    }
    const next = new Map<string, PrefixEntry>();
    const grouped = new Map<string, GatewayRoute[]>();
    for (const r of live.routes) {
      const p = formatPrefix(r.prefix);
      const list = grouped.get(p);
      if (list) list.push(r);
      else grouped.set(p, [r]);
    }
    for (const [p, routes] of grouped) next.set(p, { signature: signature(routes), routes });
    for (const [p, entry] of next) if (st.live.get(p)?.signature !== entry.signature) this.schedule(st, p, entry, now);
    for (const p of st.live.keys()) if (!next.has(p)) this.schedule(st, p, undefined, now);
    st.live = next;
    st.order = [...grouped.keys()];
    st.servedPrefixes = live.servedPrefixes;
    st.dropped = live.dropped;
  }

  private schedule(st: VnetState, prefix: string, entry: PrefixEntry | undefined, now: number): void {
    const queue = st.slots.get(prefix) ?? [];
    const last = queue.at(-1);
    const state = st.timing.get(prefix) ?? {};
    let slot = programmingSlot(this.profile, state, now, this.draw());
    if (slot.joined && last) {
      // The slot still to come programs the latest state; it keeps its first change's time.
      last.entry = entry;
      return;
    }
    // Joined a slot that fired this very millisecond: a new change, 1 ms on (R-TIME-2 applies).
    if (slot.joined) slot = programmingSlot(this.profile, state, now + 1, this.draw());
    st.timing.set(prefix, slot.next);
    // Slots of one prefix come in time order (each at least the dampening window after the
    // one before), so each fires the first of its queue.
    const dampened = slot.dampened;
    const waiting: Slot = {
      entry,
      changedAt: now,
      dampened,
      handle: this.clock.setTimer(slot.at - now, () => {
        const q = st.slots.get(prefix);
        if (!q || q[0] !== waiting) return;
        q.shift();
        if (q.length === 0) st.slots.delete(prefix);
        this.program(st, prefix, waiting.entry, waiting.changedAt, waiting.dampened);
      }),
    };
    queue.push(waiting);
    st.slots.set(prefix, queue);
  }

  private program(st: VnetState, prefix: string, entry: PrefixEntry | undefined, changedAt: number, dampened: boolean) {
    if (this.stopped) return;
    if (entry) st.programmed.set(prefix, entry);
    else st.programmed.delete(prefix);
    this.version++;
    const now = this.clock.now();
    const nextHops = entry ? entry.routes.flatMap((r) => r.nextHops) : [];
    const delay = ((now - changedAt) / 1000).toFixed(1);
    this.events.emit(
      'route',
      `fabric/${st.vnet.name}`,
      `${entry ? 'programmed' : 'removed'} in ${st.view === '' ? 'NICs' : `the NICs missing ${st.view} (R-ARS-21)`}: ${prefix}${entry ? ` -> [${nextHops.join(', ')}]` : ''} (${delay} s after the change${dampened ? ', held back by dampening (R-TIME-2)' : ''})`,
      { vnet: st.vnet.name, prefix, nextHops, delayMs: Math.round(now - changedAt), dampened },
    );
    this.onProgrammed?.({
      vnet: st.vnet.name,
      prefix,
      nextHops,
      changedAt,
      programmedAt: now,
      dampened,
    });
  }

  /** What the NICs of `vnet` (of a view, R-ARS-21) have now: the programmed routes, in the control plane's order. */
  routes(vnet: VirtualNetwork, view = ''): GatewayRoutes {
    if (this.dirty) this.check();
    const st = this.vnets.get(stateKey(vnet, view)) ?? this.vnets.get(stateKey(vnet, ''));
    if (!st) return { routes: [], servedPrefixes: this.liveRoutes(vnet, view).servedPrefixes, dropped: [] };
    const order = new Map(st.order.map((p, i) => [p, i]));
    const prefixes = [...st.programmed.keys()].sort(
      (a, b) => (order.get(a) ?? Number.MAX_SAFE_INTEGER) - (order.get(b) ?? Number.MAX_SAFE_INTEGER),
    );
    return {
      routes: prefixes.flatMap((p) => st.programmed.get(p)!.routes),
      servedPrefixes: st.servedPrefixes,
      dropped: st.dropped,
    };
  }

  /** Prefixes whose latest change the NICs do not have yet (explain, what-if). */
  pending(vnet: VirtualNetwork, view = ''): string[] {
    return [...(this.vnets.get(stateKey(vnet, view))?.slots.keys() ?? [])];
  }

  stop(): void {
    this.stopped = true;
    this.unfollow();
    for (const st of this.vnets.values())
      for (const q of st.slots.values()) for (const s of q) this.clock.clearTimer(s.handle);
  }
}

/** A VNet's state key: the VNet, and the view when not '' (R-ARS-21). */
function stateKey(vnet: VirtualNetwork, view: string): string {
  return view === '' ? idKey(vnet.id) : `${idKey(vnet.id)}|${view}`;
}

function signature(routes: readonly GatewayRoute[]): string {
  return routes.map((r) => `${r.origin}:${r.nextHops.join(',')}`).join(';');
}
