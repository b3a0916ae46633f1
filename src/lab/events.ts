/**
 * @module lab/events
 * The lab's event timeline: session changes, UPDATEs received, routes programmed or
 * removed, faults — each with a monotonic timestamp (milliseconds since the lab started,
 * from the lab's Clock) and the wall time. Kept in a bounded ring; followers get new ones.
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

  /** The events after `seq` still held, oldest first. */
  since(seq = 0): LabEvent[] {
    const oldest = Math.max(1, this.seq - this.capacity + 1);
    const out: LabEvent[] = [];
    for (let s = Math.max(oldest, Math.floor(seq) + 1); s <= this.seq; s++)
      out.push(this.ring[(s - 1) % this.capacity]!);
    return out;
  }

  follow(fn: (e: LabEvent) => void): () => void {
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }
}
