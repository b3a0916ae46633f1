/**
 * @module agent/monitor
 * Runs one backend's health check on a Clock: probe, feed the result to the pure state
 * machine (health.ts), report, wait `interval` (or `fastInterval` while a change is
 * pending), again. The probe is injected, so tests drive it with a VirtualClock and
 * scripted results.
 */
import type { Clock, TimerHandle } from '../bgp/clock.js';
import type { CheckConfig } from './config.js';
import {
  initialHealth,
  nextDelay,
  stepHealth,
  type CheckResult,
  type Health,
  type HealthParams,
  type HealthStep,
} from './health.js';

export type Probe = (check: CheckConfig) => Promise<CheckResult>;

export class HealthMonitor {
  private h: Health = initialHealth;
  private timer?: TimerHandle;
  private running = false;
  private generation = 0;
  readonly params: HealthParams;

  constructor(
    readonly name: string,
    readonly check: CheckConfig,
    private readonly clock: Clock,
    private readonly probe: Probe,
    private readonly onStep: (monitor: HealthMonitor, step: HealthStep) => void,
  ) {
    this.params = {
      rise: check.rise,
      fall: check.fall,
      interval: check.interval,
      ...(check.fastInterval !== undefined ? { fastInterval: check.fastInterval } : {}),
    };
  }

  get health(): Health {
    return this.h;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    this.generation++;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    const gen = this.generation;
    this.timer = this.clock.setTimer(ms, () => {
      this.timer = undefined;
      if (!this.running || gen !== this.generation) return;
      const started = this.clock.now();
      void this.probe(this.check).then(
        (r) => this.finish(gen, started, r),
        (e: Error) => this.finish(gen, started, { ok: false, detail: `probe error: ${e.message}`, durationMs: 0 }),
      );
    });
  }

  private finish(gen: number, started: number, result: CheckResult): void {
    if (!this.running || gen !== this.generation) return;
    const s = stepHealth(this.h, result, this.params);
    this.h = s.health;
    this.onStep(this, s);
    // The interval runs from the start of one check to the start of the next.
    const elapsed = this.clock.now() - started;
    this.schedule(Math.max(0, nextDelay(this.h, this.params) - elapsed));
  }
}
