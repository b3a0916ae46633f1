/**
 * @module bgp/clock
 * Time as an injected dependency. The FSM never reads a clock; the transport starts and
 * stops its timers through a Clock so that a lab can run on real or virtual time
 * (virtual clock: src/lab/clock/). Times are milliseconds on a monotonic scale.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Monotonic milliseconds (not wall time). */
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

let nextId = 1;

/** Node's timers and performance.now(). */
export class RealClock implements Clock {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  now(): number {
    return performance.now();
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    this.timers.set(id, t);
    return { id };
  }
  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) {
      clearTimeout(t);
      this.timers.delete(handle.id);
    }
  }
}

export const realClock: Clock = new RealClock();
