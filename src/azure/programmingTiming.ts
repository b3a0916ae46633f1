/**
 * @module azure/programmingTiming
 * When Azure's fabric programs a best-path change into NICs (R-TIME-1, R-TIME-2). Pure: it
 * computes times from the time of a change and a uniform random number the caller draws
 * from a seeded generator (`seededUniform`); the lab schedules on its own clock
 * (src/lab/fabric.ts). ADR 0018.
 *
 * Microsoft documents none of these figures; they come from field measurements:
 * - the seed-000 author (`chriselleman-msft/azure-route-server-next-hop-ip-fast-failover`,
 *   README, 2022): a single ExaBGP UPDATE that moves the VIP's next hop fails traffic over
 *   in **0.9–5.4 s**; the fabric "appears to have anti-flapping protection … routes can only
 *   be updated once every 30 seconds", so a withdraw followed by an announce took about
 *   **30 s**;
 * - `AndrewBryson/azure-route-server-failover` (README, 2021): a stopped speaker's routes
 *   left the VMs "within a couple of seconds", other attempts "about 10 seconds".
 */

export type TimingProfileName = 'ideal' | 'azure';

export interface TimingProfile {
  readonly name: TimingProfileName;
  /** R-TIME-1: the programming delay of one change is drawn uniformly from [min, max] ms. */
  readonly delayMs: { readonly min: number; readonly max: number };
  /** R-TIME-2: one prefix is programmed at most once per this many ms (0: never held back). */
  readonly dampeningMs: number;
}

export const TIMING_PROFILES: Readonly<Record<TimingProfileName, TimingProfile>> = Object.freeze({
  /** Every change programmed at once: ARSLab's behaviour before issue 10, the default. */
  ideal: { name: 'ideal', delayMs: { min: 0, max: 0 }, dampeningMs: 0 },
  azure: {
    name: 'azure',
    // The seed-000 author's single-UPDATE failover band, 0.9–5.4 s (R-TIME-1). Uniform: the
    // README gives the range of its runs, no distribution; a uniform draw covers the band
    // without inventing a shape. "About 10 seconds" (AndrewBryson, 2021) is outside it and
    // is not modelled: it was a stopped speaker, whose detection time is the hold timer's.
    delayMs: { min: 900, max: 5400 },
    // "routes can only be updated once every 30 seconds" (the seed-000 author), R-TIME-2.
    dampeningMs: 30_000,
  },
});

/** What the fabric remembers of one prefix (per VNet) between changes. */
export interface PrefixProgramming {
  /** When the prefix was last programmed, or is to be (the latest slot). */
  readonly lastAt?: number;
}

export interface ProgrammingSlot {
  /** When the change reaches the NICs (ms, on the caller's clock). */
  readonly at: number;
  /** The change joined a slot still to come: that slot programs the latest state. */
  readonly joined: boolean;
  /** The slot was moved later by dampening (R-TIME-2). */
  readonly dampened: boolean;
  /** The prefix's state after this change. */
  readonly next: PrefixProgramming;
}

/**
 * The slot in which a change of one prefix at time `t` is programmed into NICs.
 * `u` is a uniform draw in [0, 1) (the caller's seeded generator).
 *
 * - R-TIME-1: a change is programmed after its own delay, `min + u·(max − min)`.
 * - A change that comes while the prefix's next programming is still to come joins it: the
 *   fabric programs the state the control plane holds then. (The two route-server instances
 *   change a few milliseconds apart; one failover is one programming.)
 * - R-TIME-2: a programming comes no sooner than `dampeningMs` after the prefix's previous
 *   one; a change that would come sooner is held back to the end of that window. So a
 *   withdraw that has reached the NICs, followed by an announce, leaves the prefix without a
 *   route until 30 s after the withdraw was programmed.
 */
export function programmingSlot(
  profile: TimingProfile,
  state: PrefixProgramming,
  t: number,
  u: number,
): ProgrammingSlot {
  const last = state.lastAt;
  if (last !== undefined && last >= t) {
    return { at: last, joined: true, dampened: false, next: state };
  }
  const { min, max } = profile.delayMs;
  // Whole milliseconds: the lab's timeline counts in them.
  const earliest = t + min + Math.round(Math.min(Math.max(u, 0), 1) * (max - min));
  const window = last === undefined ? earliest : last + profile.dampeningMs;
  if (earliest < window) return { at: window, joined: false, dampened: true, next: { lastAt: window } };
  return { at: earliest, joined: false, dampened: false, next: { lastAt: earliest } };
}

/**
 * A seeded generator of uniform draws in [0, 1) (mulberry32): the same seed gives the same
 * delays on every run, so a lab's timing is reproducible.
 */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
