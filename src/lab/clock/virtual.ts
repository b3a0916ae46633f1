/**
 * @module lab/clock/virtual
 * A Clock whose time moves only when told (`advance`): timers fire in due order, at once.
 * Hold timers, BFD detection and retries then take microseconds in tests, and a lab can be
 * stepped through Azure's real timings (180 s hold, 0.9 s BFD) deterministically.
 */
import type { Clock, TimerHandle } from '../../bgp/clock.js';

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private nextId = 1;
  private pending: Pending[] = [];

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.pending.push({ id, at: this.t + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.id !== handle.id);
  }

  /** Moves time forward by `ms`, firing every timer due on the way, earliest (then oldest) first. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending)
        if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }

  /** When the earliest waiting timer is due, or undefined when none waits. */
  nextDue(): number | undefined {
    let at: number | undefined;
    for (const p of this.pending) if (at === undefined || p.at < at) at = p.at;
    return at;
  }

  /** Timers still waiting (tests). */
  get waiting(): number {
    return this.pending.length;
  }
}
