/**
 * @module agent/health
 * The health of one backend as a pure state machine: results in, state and transitions
 * out, the delay to the next check as a function of the state. No I/O and no clock here
 * (the scheduler in monitor.ts runs probes and timers on an injected Clock), so every
 * rise/fall sequence is tested without waiting.
 *
 * States: `unknown` (just started: nothing announced for it), `up`, `down`. A backend
 * changes state after `rise` consecutive successes (to up) or `fall` consecutive failures
 * (to down); from `unknown`, whichever count is reached first decides. A result that
 * agrees with the current state resets the opposite count. While a change is pending (at
 * least one result that differs from the state, or the state is unknown), checks run every
 * `fastInterval` instead of `interval`.
 */
export type HealthState = 'unknown' | 'up' | 'down';

export interface HealthParams {
  readonly rise: number;
  readonly fall: number;
  readonly interval: number;
  readonly fastInterval?: number;
}

export interface Health {
  readonly state: HealthState;
  /** Consecutive successes not yet acted on (toward up). */
  readonly successes: number;
  /** Consecutive failures not yet acted on (toward down). */
  readonly failures: number;
  readonly transitions: number;
  readonly lastResult?: CheckResult;
}

export interface CheckResult {
  readonly ok: boolean;
  /** Why, for logs and /status: "HTTP 200", "connection refused", "exit code 1", "timeout after 500ms". */
  readonly detail: string;
  readonly durationMs: number;
}

export interface HealthStep {
  readonly health: Health;
  /** Set when the state changed with this result. */
  readonly changed?: { readonly from: HealthState; readonly to: HealthState };
  /** The result differs from the previous one (for "check result transition" logs). */
  readonly resultFlipped: boolean;
}

export const initialHealth: Health = { state: 'unknown', successes: 0, failures: 0, transitions: 0 };

export function stepHealth(h: Health, result: CheckResult, p: HealthParams): HealthStep {
  const resultFlipped = h.lastResult === undefined || h.lastResult.ok !== result.ok;
  const successes = result.ok ? h.successes + 1 : 0;
  const failures = result.ok ? 0 : h.failures + 1;
  let to: HealthState = h.state;
  if (result.ok && h.state !== 'up' && successes >= p.rise) to = 'up';
  else if (!result.ok && h.state !== 'down' && failures >= p.fall) to = 'down';
  if (to === h.state) {
    // Results that agree with the state are not "pending".
    const agrees = (h.state === 'up' && result.ok) || (h.state === 'down' && !result.ok);
    return {
      health: { ...h, successes: agrees ? 0 : successes, failures: agrees ? 0 : failures, lastResult: result },
      resultFlipped,
    };
  }
  return {
    health: { state: to, successes: 0, failures: 0, transitions: h.transitions + 1, lastResult: result },
    changed: { from: h.state, to },
    resultFlipped,
  };
}

/** A change is pending: the state is unknown or the last result disagreed with it. */
export function pending(h: Health): boolean {
  return h.state === 'unknown' || h.successes > 0 || h.failures > 0;
}

/** Milliseconds until the next check. */
export function nextDelay(h: Health, p: HealthParams): number {
  return pending(h) && p.fastInterval !== undefined ? p.fastInterval : p.interval;
}
