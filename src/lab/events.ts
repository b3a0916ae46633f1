/**
 * @module lab/events
 * The lab's event timeline: session changes, UPDATEs received, routes programmed or
 * removed, faults — each with a monotonic timestamp (milliseconds since the lab started,
 * from the lab's Clock) and the wall time. Kept in a bounded ring; followers get new ones.
 *
 * Beside the timeline, a live-only channel (`publish`/`watch`): messages handed to whoever
 * watches now and kept nowhere — a probe's result every 100 ms would push the timeline out
 * of its ring within the hour, and nobody reads old ones (the web page's failover chart).
 */
import type { Clock } from '../bgp/clock.js';

export interface LabEvent {
  /** Monotonic milliseconds since the lab started. */
  readonly t: number;
  /** Wall-clock ISO time, for humans. */
  readonly time: string;
  readonly seq: number;
  readonly type: 'session' | 'update' | 'route' | 'notification' | 'node' | 'refused' | 'lab' | 'probe' | 'warning';
  /** Where: "next-hop-ip-routeserver/IN_0/watcher", a node name… */
  readonly source: string;
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export class EventLog {
  /**
   * A circular buffer: slot `(seq - 1) % capacity` holds event `seq`. Array.shift on a full
   * ring moved every event on each emit (issue 8: a fifth of a busy lab's CPU).
   */
  private readonly ring: (LabEvent | undefined)[];
  private seq = 0;
  private readonly start: number;
  private readonly followers = new Set<(e: LabEvent) => void>();
  private readonly watchers = new Set<(topic: LiveTopic, data: unknown) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly capacity = 20000,
  ) {
    this.start = clock.now();
    this.ring = new Array<LabEvent | undefined>(capacity);
  }

  emit(type: LabEvent['type'], source: string, message: string, data?: Record<string, unknown>): LabEvent {
    const e: LabEvent = {
      t: Math.round((this.clock.now() - this.start) * 1000) / 1000,
      time: new Date().toISOString(),
      seq: ++this.seq,
      type,
      source,
      message,
      ...(data ? { data } : {}),
    };
    this.ring[(e.seq - 1) % this.capacity] = e;
    for (const f of this.followers) f(e);
    return e;
  }

  /** Events after `seq` still held, oldest first; at most `limit` (a reader's chunk). */
  since(seq = 0, limit = Infinity): LabEvent[] {
    const out: LabEvent[] = [];
    if (Number.isNaN(seq)) return out;
    const from = Math.max(this.oldestSeq, Math.floor(seq) + 1);
    const end = Math.min(this.seq, from + limit - 1);
    for (let s = from; s <= end; s++) out.push(this.ring[(s - 1) % this.capacity]!);
    return out;
  }

  /** The oldest sequence number still held (1 when none was ever dropped). */
  get oldestSeq(): number {
    return Math.max(1, this.seq - this.capacity + 1);
  }

  follow(fn: (e: LabEvent) => void): () => void {
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }

  /** Hands `data` to the current watchers of the live channel; nothing is kept. */
  publish(topic: LiveTopic, data: unknown): void {
    for (const w of this.watchers) w(topic, data);
  }

  watch(fn: (topic: LiveTopic, data: unknown) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }
}

/** Topics of the live channel: 'probe' carries ProbeLive messages (src/lab/probe.ts). */
export type LiveTopic = 'probe';
