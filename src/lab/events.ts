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
  private readonly ring: LabEvent[] = [];
  private seq = 0;
  private readonly start: number;
  private readonly followers = new Set<(e: LabEvent) => void>();
  private readonly watchers = new Set<(topic: LiveTopic, data: unknown) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly capacity = 20000,
  ) {
    this.start = clock.now();
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
    this.ring.push(e);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const f of this.followers) f(e);
    return e;
  }

  /** Events after `seq` still in the ring, oldest first; at most `limit`. */
  since(seq = 0, limit = Infinity): LabEvent[] {
    // Sequence numbers in the ring are consecutive: the first one after `seq` is found by offset.
    const first = this.ring[0]?.seq;
    if (first === undefined || Number.isNaN(seq)) return [];
    const from = Math.max(0, Math.floor(seq) - first + 1);
    return this.ring.slice(from, limit === Infinity ? undefined : from + limit);
  }

  /** The oldest sequence number still in the ring (0 when empty). */
  get oldestSeq(): number {
    return this.ring[0]?.seq ?? 0;
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
