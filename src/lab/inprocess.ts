/**
 * @module lab/inprocess
 * BGP sessions between the lab's own speakers (route-server instances, gateway instances,
 * MSEEs, built-in on-premises routers) without sockets: the same Speaker code and policies
 * as real sessions, UPDATEs passed as route batches. Delivery goes through one FIFO queue
 * per lab, so every run of a lab exchanges routes in the same order.
 *
 * A session can be cut (no NOTIFICATION: each side notices after its detection time —
 * BFD where the link runs it, else the hold time) or closed (NOTIFICATION: both sides at
 * once), and restored; the speakers flush and re-advertise as after a real session.
 */
import type { Clock, TimerHandle } from '../bgp/clock.js';
import { CONTEXT_4OCTET, formatPrefix, type Prefix } from '../bgp/wire/index.js';
import {
  nlriRoomFor,
  type Neighbor,
  type OutboundBatch,
  type RouteAttrs,
  type RouteSource,
  type Speaker,
} from '../rib/index.js';
import type { PrefixLimit } from '../azure/index.js';
import type { EventLog } from './events.js';

/**
 * Runs deliveries in the order they were posted, after the current work finishes. A drain
 * that runs `budget` deliveries without emptying the queue hands the event loop back (the
 * rest follows in the same order on the next turn): a routing loop that never converges —
 * a policy bug — then leaves timers running, so a test's timeout can still fire.
 */
export class DeliveryQueue {
  private readonly queue: (() => void)[] = [];
  private scheduled = false;
  private draining = false;

  /** Called each time the queue runs empty (the fabric looks for changed routes then). */
  onDrained?: () => void;

  constructor(private readonly budget = 100_000) {}

  post(fn: () => void): void {
    this.queue.push(fn);
    if (!this.scheduled && !this.draining) {
      this.scheduled = true;
      queueMicrotask(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    this.draining = true;
    try {
      let n = 0;
      for (let fn = this.queue.shift(); fn; fn = this.queue.shift()) {
        fn();
        if (++n >= this.budget && this.queue.length > 0) {
          this.scheduled = true;
          setImmediate(() => this.drain());
          return;
        }
      }
    } finally {
      this.draining = false;
    }
    if (this.queue.length === 0) this.onDrained?.();
  }

  /** Resolves once every delivery posted so far (and any they post) has run. */
  async settled(): Promise<void> {
    while (this.queue.length > 0 || this.scheduled || this.draining) await new Promise((r) => setImmediate(r));
  }
}

export type InProcessState = 'Idle' | 'Established' | 'Cut' | 'AdminDown';

/** One side of an in-process session. */
export interface SessionEnd {
  readonly speaker: Speaker;
  /** How this end's speaker sees the other end (its neighbour identity). */
  readonly peer: RouteSource;
  /** Anything the speaker's policy needs about the other end (role, link…). */
  readonly info?: Readonly<Record<string, unknown>>;
  /** Most routes this end accepts from the other, and how it counts them (R-ER-8, R-VPN-6). */
  readonly prefixLimit?: PrefixLimit;
  /**
   * Told after this end's speaker took in routes from the other end ('down': everything
   * from it was flushed) — for bookkeeping the speaker does not keep, e.g. the arrival
   * order gateway listings show (azure/gatewayListings ArrivalOrder).
   */
  readonly onChange?: (
    change: { readonly withdrawn: readonly Prefix[]; readonly announced: readonly Prefix[] } | 'down',
  ) => void;
}

export interface SessionTimers {
  /** Negotiated hold time, seconds: how long a cut goes unnoticed without BFD. */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  /** BFD (ExpressRoute links: 300 ms × 3, R-ER-1): detection in interval × multiplier. */
  readonly bfd?: { readonly intervalMs: number; readonly multiplier: number };
  /**
   * One end's hold timer runs out on a healthy session, `seconds` after it comes up: it
   * negotiated a hold time the other end's keepalives do not meet (a VPN gateway's fixed 60 s
   * keepalives toward a router asking for less, R-VPN-5). The session is reset and comes up
   * again after FLAP_RETRY_SECONDS, again and again.
   */
  readonly flapAfter?: { readonly seconds: number; readonly why: string };
}

/** After a flap (SessionTimers.flapAfter), the ends connect again in 1 s: the route server's first IdleHoldTimer wait. */
export const FLAP_RETRY_SECONDS = 1;

/**
 * A session dropped for a prefix limit comes back once the sending end would advertise no
 * more than the limit (R-ER-8: "reset once the prefix count goes below the limit"), looked at
 * every 5 s of the lab clock. Microsoft gives no delay: ARSLab's choice, ADR 0040.
 */
export const PREFIX_LIMIT_RECHECK_SECONDS = 5;

/** What an end reports about the session (list-bgp-peer-status and the like). */
export interface EndView {
  readonly state: InProcessState;
  readonly routesReceived: number;
  readonly messagesSent: number;
  readonly messagesReceived: number;
  /** Milliseconds since Established, or undefined. */
  readonly connectedMs?: number;
}

export class InProcessSession {
  private state_: InProcessState = 'Idle';
  private readonly na: Neighbor;
  private readonly nb: Neighbor;
  private detect: TimerHandle[] = [];
  private retry?: TimerHandle;
  private readonly sent = [0, 0];
  private readonly received = [0, 0];
  private establishedAt?: number;
  /** The end that went away (drop): it flushed at once and cannot heal; the other detects. */
  private gone?: 0 | 1;
  /** Held down by end `side`'s prefix limit until the other end is within it (R-ER-8). */
  private limitHold?: { readonly side: 0 | 1; timer: TimerHandle };

  constructor(
    readonly label: string,
    private readonly a: SessionEnd,
    private readonly b: SessionEnd,
    private readonly ctx: {
      readonly clock: Clock;
      readonly events?: EventLog;
      readonly queue: DeliveryQueue;
      readonly timers: SessionTimers;
    },
  ) {
    this.na = this.endpoint(0);
    this.nb = this.endpoint(1);
    a.speaker.addNeighbor(this.na);
    b.speaker.addNeighbor(this.nb);
  }

  get state(): InProcessState {
    return this.state_;
  }

  /** Neighbor `side` (0: registered in a's speaker, standing for b) and its delivery to the other side. */
  private endpoint(side: 0 | 1): Neighbor {
    const here = side === 0 ? this.a : this.b;
    const there = side === 0 ? this.b : this.a;
    return {
      source: here.peer,
      ...(here.info ? { info: here.info } : {}),
      ...(here.prefixLimit ? { maxPrefixes: here.prefixLimit.max, prefixCounting: here.prefixLimit.counting } : {}),
      // Azure's gateways, MSEEs and on-premises routers speak BGP on the wire, 4-octet AS
      // capable: a route no UPDATE can carry does not cross these sessions either (RFC 4271 §4.1).
      nlriRoom: (attrs: RouteAttrs, afi: number): number => nlriRoomFor(attrs, afi, CONTEXT_4OCTET),
      send: (batch: OutboundBatch) => {
        for (const g of batch.notSent ?? []) {
          const more = g.prefixes.length > 1 ? ` and ${g.prefixes.length - 1} more` : '';
          this.ctx.events?.emit(
            'warning',
            this.label,
            `${formatPrefix(g.prefixes[0]!)}${more} not sent by ${here.speaker.name} to ${there.speaker.name}: ${g.reason}; the session stays up`,
            { prefixes: g.prefixes.slice(0, 16).map(formatPrefix), count: g.prefixes.length, rule: 'RFC4271-4.1' },
          );
        }
        if (this.state_ !== 'Established') return; // a cut link loses what is sent over it
        this.sent[side]! += batch.announced.length + (batch.withdrawn.length ? 1 : 0);
        this.ctx.queue.post(() => this.deliver((1 - side) as 0 | 1, there, batch));
      },
    };
  }

  /** Hands a batch to `to`'s speaker, as from its neighbour. */
  private deliver(side: 0 | 1, to: SessionEnd, batch: OutboundBatch): void {
    if (this.state_ !== 'Established') return;
    const n = side === 0 ? this.na : this.nb;
    this.received[side]! += batch.announced.length + (batch.withdrawn.length ? 1 : 0);
    let withdrawn: readonly Prefix[] = batch.withdrawn;
    const groups = batch.announced.length ? batch.announced : [undefined];
    for (const g of groups) {
      const r = to.speaker.receive(n.source.id, withdrawn, g);
      withdrawn = [];
      if (r.limitExceeded) {
        const lim = to.prefixLimit;
        const from = (side === 0 ? this.b : this.a).speaker.name;
        const what = lim ? ` (${lim.what}, at most ${lim.max.toLocaleString('en-US')}, ${lim.rule})` : '';
        this.ctx.events?.emit(
          'notification',
          this.label,
          `prefix limit exceeded at ${to.speaker.name}: ${r.limitExceeded.count} > ${r.limitExceeded.limit}${what}; session reset (Cease/1), down until ${from} advertises ${r.limitExceeded.limit} or fewer`,
          {
            limit: r.limitExceeded.limit,
            count: r.limitExceeded.count,
            at: to.speaker.name,
            from,
            ...(lim ? { rule: lim.rule } : {}),
          },
        );
        this.close('prefix limit');
        this.holdForLimit(side, r.limitExceeded.limit);
        return;
      }
    }
    to.onChange?.({ withdrawn: batch.withdrawn, announced: batch.announced.flatMap((g) => g.prefixes) });
  }

  /**
   * Bring the session up: both speakers advertise their tables to each other (RFC 4271
   * §9.4). A cut link restored before either side noticed keeps its session: what was
   * lost meanwhile is sent again, as TCP would retransmit it.
   */
  open(): void {
    if (this.state_ === 'Established') return;
    for (const t of this.detect) this.ctx.clock.clearTimer(t);
    this.detect = [];
    if (this.retry) this.ctx.clock.clearTimer(this.retry);
    this.retry = undefined;
    this.clearLimitHold();
    if (this.state_ === 'Cut' && this.gone !== undefined) {
      // One end went away meanwhile: nothing to heal, a fresh session comes up.
      this.teardown('Idle', 'restarted');
    }
    if (this.state_ === 'Cut') {
      this.state_ = 'Established';
      this.ctx.events?.emit('session', this.label, 'link restored before detection: session kept, lost UPDATEs resent');
      this.resync(0);
      this.resync(1);
      return;
    }
    this.state_ = 'Established';
    this.establishedAt = this.ctx.clock.now();
    this.ctx.events?.emit('session', this.label, 'Established');
    const flap = this.ctx.timers.flapAfter;
    if (flap) {
      this.detect.push(
        this.ctx.clock.setTimer(flap.seconds * 1000, () => {
          this.detect = [];
          if (this.state_ !== 'Established' && this.state_ !== 'Cut') return;
          this.ctx.events?.emit('notification', this.label, `Hold Timer Expired (4/0): ${flap.why}`);
          this.teardown('Idle', flap.why);
          this.scheduleRetry(FLAP_RETRY_SECONDS);
        }),
      );
    }
    this.a.speaker.neighborUp(this.na.source.id);
    this.b.speaker.neighborUp(this.nb.source.id);
  }

  /** Close with a NOTIFICATION (graceful): both sides flush at once. */
  close(why = 'administratively closed', admin = false): void {
    if (admin) this.clearLimitHold();
    if (this.state_ === 'Idle' || this.state_ === 'AdminDown') {
      if (admin) this.state_ = 'AdminDown';
      return;
    }
    this.teardown(admin ? 'AdminDown' : 'Idle', `closed: ${why}`);
  }

  /**
   * Cut the link without a NOTIFICATION: nothing crosses any more; each side keeps its
   * routes until it notices — after BFD's detection time where the link runs BFD, else
   * after the hold time — then flushes (R-ER-1, R-VPN-1).
   */
  cut(): void {
    if (this.state_ !== 'Established') return;
    this.state_ = 'Cut';
    const t = this.ctx.timers;
    const ms = t.bfd ? t.bfd.intervalMs * t.bfd.multiplier : t.holdTime * 1000;
    this.ctx.events?.emit('session', this.label, `link cut: detection in ${ms} ms (${t.bfd ? 'BFD' : 'hold timer'})`);
    this.detect.push(
      this.ctx.clock.setTimer(ms, () => {
        this.detect = [];
        if (this.state_ === 'Cut') this.teardown('Idle', t.bfd ? 'BFD down' : 'hold timer expired');
      }),
    );
  }

  /**
   * End `side` goes away at once (a route-server instance taken down for maintenance): its
   * speaker flushes what it learned over the session now, and nothing it would send gets
   * out; the other end hears nothing and keeps its routes until its detection time, then
   * flushes. open() brings up a fresh session.
   */
  drop(side: 0 | 1, why: string): void {
    if (this.state_ !== 'Established' && this.state_ !== 'Cut') return;
    if (this.state_ === 'Established') this.cut();
    if (this.gone !== undefined) return;
    this.gone = side;
    const end = side === 0 ? this.a : this.b;
    this.ctx.events?.emit('session', this.label, `${end.speaker.name} went away: ${why}`);
    end.speaker.neighborDown((side === 0 ? this.na : this.nb).source.id);
    end.onChange?.('down');
  }

  private teardown(next: InProcessState, why: string): void {
    for (const tm of this.detect) this.ctx.clock.clearTimer(tm);
    this.detect = [];
    this.gone = undefined;
    const wasUp = this.state_ === 'Established' || this.state_ === 'Cut';
    // Counters stay monotonic across sessions: the keepalives (and OPEN, KEEPALIVE) of the
    // session that ends are folded in.
    for (const side of [0, 1] as const) {
      const extra = this.sessionMessages();
      this.sent[side]! += extra;
      this.received[side]! += extra;
    }
    this.state_ = next;
    this.establishedAt = undefined;
    if (!wasUp) return;
    this.ctx.events?.emit('session', this.label, `down: ${why}`);
    this.a.speaker.neighborDown(this.na.source.id);
    this.b.speaker.neighborDown(this.nb.source.id);
    this.a.onChange?.('down');
    this.b.onChange?.('down');
  }

  /** Keepalives one way per keepalive interval while up, plus OPEN and its KEEPALIVE. */
  private sessionMessages(): number {
    if (this.establishedAt === undefined) return 0;
    const upMs = this.ctx.clock.now() - this.establishedAt;
    const ka = this.ctx.timers.keepaliveTime <= 0 ? 0 : Math.floor(upMs / 1000 / this.ctx.timers.keepaliveTime);
    return ka + 2;
  }

  /**
   * After a cut healed: side `side` sends again what its Adj-RIB-Out holds toward the other
   * end, and withdraws what the other end still holds from it but it no longer advertises.
   */
  private resync(side: 0 | 1): void {
    const here = side === 0 ? this.a : this.b;
    const there = side === 0 ? this.b : this.a;
    const nHere = side === 0 ? this.na : this.nb;
    const nThere = side === 0 ? this.nb : this.na;
    // Only the difference: a full re-advertisement would count twice toward prefix limits.
    const held = new Map<string, { prefix: Prefix; attrs: RouteAttrs }>();
    for (const { prefix, path } of there.speaker.adjRibIn(nThere.source.id))
      held.set(formatPrefix(prefix), { prefix, attrs: path.attrs });
    const groups = new Map<RouteAttrs, Prefix[]>();
    for (const { prefix, attrs } of here.speaker.adjRibOut(nHere.source.id)) {
      const k = formatPrefix(prefix);
      const had = held.get(k);
      held.delete(k);
      if (had?.attrs === attrs) continue;
      const g = groups.get(attrs);
      if (g) g.push(prefix);
      else groups.set(attrs, [prefix]);
    }
    const withdrawn = [...held.values()].map((h) => h.prefix);
    if (withdrawn.length === 0 && groups.size === 0) return;
    const batch: OutboundBatch = {
      withdrawn,
      announced: [...groups].map(([attrs, prefixes]) => ({ attrs, prefixes })),
    };
    this.sent[side]! += batch.announced.length + (withdrawn.length ? 1 : 0);
    this.ctx.queue.post(() => this.deliver((1 - side) as 0 | 1, there, batch));
  }

  /**
   * R-ER-8: the session stays down while the end sending to `side` would advertise more than
   * `side`'s limit, and comes back at the first look after it no longer would — no flap.
   */
  private holdForLimit(side: 0 | 1, limit: number): void {
    this.clearLimitHold();
    const sender = side === 0 ? this.b : this.a;
    const senderNeighbor = side === 0 ? this.nb : this.na;
    const look = (): void => {
      if (this.state_ !== 'Idle' || !this.limitHold) return;
      const n = sender.speaker.exportableTo(senderNeighbor.source.id);
      if (n > limit) {
        this.limitHold.timer = this.ctx.clock.setTimer(PREFIX_LIMIT_RECHECK_SECONDS * 1000, look);
        return;
      }
      this.limitHold = undefined;
      this.ctx.events?.emit(
        'session',
        this.label,
        `${sender.speaker.name} advertises ${n} ≤ ${limit}: prefix limit no longer exceeded, session re-established`,
      );
      this.open();
    };
    this.limitHold = { side, timer: this.ctx.clock.setTimer(PREFIX_LIMIT_RECHECK_SECONDS * 1000, look) };
  }

  private clearLimitHold(): void {
    if (this.limitHold) this.ctx.clock.clearTimer(this.limitHold.timer);
    this.limitHold = undefined;
  }

  private scheduleRetry(seconds: number): void {
    if (this.retry) this.ctx.clock.clearTimer(this.retry);
    this.retry = this.ctx.clock.setTimer(seconds * 1000, () => {
      this.retry = undefined;
      if (this.state_ === 'Idle') this.open();
    });
  }

  /** The session as end `side` (0 = a, 1 = b) sees it. Message counts only grow. */
  view(side: 0 | 1): EndView {
    const end = side === 0 ? this.a : this.b;
    const n = side === 0 ? this.na : this.nb;
    const upMs = this.establishedAt === undefined ? undefined : this.ctx.clock.now() - this.establishedAt;
    const now = this.sessionMessages();
    return {
      state: this.state_,
      routesReceived: end.speaker.heldFrom(n.source.id),
      messagesSent: this.sent[side]! + now,
      messagesReceived: this.received[side]! + now,
      ...(upMs !== undefined ? { connectedMs: upMs } : {}),
    };
  }

  /** End `side` (0 = a, 1 = b): its speaker, and how that speaker sees the other end. */
  end(side: 0 | 1): SessionEnd {
    return side === 0 ? this.a : this.b;
  }

  get timers(): SessionTimers {
    return this.ctx.timers;
  }

  /** The neighbour id of the other end in end `side`'s speaker (for Adj-RIB listings). */
  neighborId(side: 0 | 1): number {
    return (side === 0 ? this.na : this.nb).source.id;
  }

  remove(): void {
    this.close('removed', true);
    this.a.speaker.removeNeighbor(this.na.source.id);
    this.b.speaker.removeNeighbor(this.nb.source.id);
  }
}
