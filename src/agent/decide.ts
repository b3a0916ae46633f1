/**
 * @module agent/decide
 * What to advertise for one VIP, from the backends' health and the drains: pure.
 *
 * - watcher: next hop = the first usable backend in the configured order; with
 *   `failback: false` the current backend stays while it is usable, even when an earlier
 *   one recovers; no usable backend → withdraw.
 * - per-backend: usable → announce with next hop = this backend; otherwise the VIP's
 *   `unhealthy` action: withdraw, or announce with the local AS prepended `prependCount`
 *   more times (Azure Route Server picks the shorter AS path, R-ARS-7), or with a MED
 *   (which Azure Route Server ignores: the config loader warns).
 *
 * A backend is usable when its health is `up` and it is not drained. A drained VIP is
 * withdrawn. Nothing is announced for a watcher VIP while a backend preferred to the pick
 * has not been checked enough to be up or down (start-up).
 */
import type { HealthState } from './health.js';
import type { VipConfig } from './config.js';

export interface Announcement {
  readonly nextHop: string;
  /** Extra copies of the local AS (0: the path is just the local AS). */
  readonly prepend: number;
  readonly med?: number;
  /** The backend the next hop belongs to. */
  readonly backend: string;
}

export interface VipInputs {
  readonly health: ReadonlyMap<string, HealthState>;
  readonly drainedBackends: ReadonlySet<string>;
  readonly vipDrained: boolean;
  /** The backend announced now (for failback: false). */
  readonly current?: string;
}

export function usable(name: string, inputs: VipInputs): boolean {
  return inputs.health.get(name) === 'up' && !inputs.drainedBackends.has(name);
}

export function decideVip(vip: VipConfig, inputs: VipInputs): Announcement | undefined {
  if (inputs.vipDrained) return undefined;
  if (vip.pattern === 'per-backend') {
    const b = vip.backends[0]!;
    const med = b.med ?? vip.med;
    const base = { nextHop: b.nextHop, backend: b.name, ...(med !== undefined ? { med } : {}) };
    if (usable(b.name, inputs)) return { ...base, prepend: 0 };
    const u = vip.unhealthy;
    // A backend never checked yet is not announced at all (nothing is known about it).
    if (inputs.health.get(b.name) === 'unknown' && !inputs.drainedBackends.has(b.name)) return undefined;
    if (u.action === 'prepend') return { ...base, prepend: u.prependCount ?? 1 };
    if (u.action === 'med') return { ...base, prepend: 0, med: u.med ?? 0 };
    return undefined;
  }
  let pick = vip.backends.find((b) => usable(b.name, inputs));
  // At start, a preferred backend not yet checked holds the first announcement back (for at
  // most its rise/fall checks): otherwise whichever answered first would be announced, and with
  // failback: false it would stay.
  if (pick && inputs.current === undefined) {
    const before = vip.backends.slice(0, vip.backends.indexOf(pick));
    if (before.some((b) => inputs.health.get(b.name) === 'unknown' && !inputs.drainedBackends.has(b.name)))
      return undefined;
  }
  if (!vip.failback && inputs.current !== undefined) {
    const cur = vip.backends.find((b) => b.name === inputs.current);
    if (cur && usable(cur.name, inputs)) pick = cur;
  }
  if (!pick) return undefined;
  const med = pick.med ?? vip.med;
  return { nextHop: pick.nextHop, prepend: 0, backend: pick.name, ...(med !== undefined ? { med } : {}) };
}

export function sameAnnouncement(a: Announcement | undefined, b: Announcement | undefined): boolean {
  if (!a || !b) return a === b;
  return a.nextHop === b.nextHop && a.prepend === b.prepend && a.med === b.med;
}
