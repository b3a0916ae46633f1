/**
 * @module rib/bestPath
 * Best-path selection as a ladder of small comparisons, each returning which path wins
 * and why (RFC 4271 §9.1.2.2, with the Cisco-style weight that Azure's gateways show
 * and a preference class for Azure's hubRoutingPreference). A speaker picks the steps it
 * uses; Azure Route Server uses only preference class and AS-path length (R-ARS-7).
 *
 * Paths tied on every step up to and including `multipathThrough` are equal-cost (ECMP).
 */
import type { Path } from './path.js';

export type BestPathStep =
  | 'locally-originated' // the speaker's own routes first (Cisco: weight 32768 for local routes)
  | 'weight' // higher wins (Cisco weight; R-ER-3)
  | 'preference' // higher wins (R-ARS-7 hubRoutingPreference class)
  | 'local-pref' // higher wins (RFC 4271 §9.1.1)
  | 'as-path-length' // shorter wins (§9.1.2.2 a)
  | 'origin' // lower wins (§9.1.2.2 b)
  | 'med' // lower wins among paths from the same neighbour AS (§9.1.2.2 c)
  | 'ebgp-over-ibgp' // §9.1.2.2 d
  | 'source-rank' // lower BestPathConfig.sourceRank wins (R-ARS-7: which origin wins a tie)
  | 'router-id' // lowest neighbour BGP Identifier (§9.1.2.2 f)
  | 'neighbor-address'; // lowest neighbour address (§9.1.2.2 g)

export interface BestPathConfig {
  readonly steps: readonly BestPathStep[];
  /** Last step on which a tie still means equal cost; undefined: no ECMP. */
  readonly multipathThrough?: BestPathStep;
  /** At most this many equal-cost paths are used. */
  readonly maxPaths: number;
  /** The 'source-rank' step's rank of a path by where it came from (lower wins); absent: all equal. */
  readonly sourceRank?: (p: Path) => number;
}

export interface Comparison {
  /** < 0: a is better; > 0: b is better; 0: tied on every step. */
  readonly order: number;
  /** The step that decided (undefined when tied). */
  readonly step?: BestPathStep;
}

function addrCmp(a: string, b: string): number {
  // Numeric order for IPv4 text; plain text order otherwise (stable, deterministic).
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) {
      const d = Number(pa[i]) - Number(pb[i]);
      if (d !== 0) return d;
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function firstAs(p: Path): number | undefined {
  const s = p.attrs.asPath[0];
  return s && s.type === 2 ? s.asns[0] : undefined;
}

const STEP: Record<BestPathStep, (a: Path, b: Path) => number> = {
  'locally-originated': (a, b) => (a.source.kind === 'local' ? 0 : 1) - (b.source.kind === 'local' ? 0 : 1),
  weight: (a, b) => b.weight - a.weight,
  preference: (a, b) => b.preference - a.preference,
  'local-pref': (a, b) => (b.attrs.localPref ?? 100) - (a.attrs.localPref ?? 100),
  'as-path-length': (a, b) => a.attrs.asPathLength - b.attrs.asPathLength,
  origin: (a, b) => a.attrs.origin - b.attrs.origin,
  med: (a, b) => (firstAs(a) === firstAs(b) ? (a.attrs.med ?? 0) - (b.attrs.med ?? 0) : 0),
  'ebgp-over-ibgp': (a, b) => rankKind(a) - rankKind(b),
  'source-rank': () => 0, // needs the config: stepOrder
  'router-id': (a, b) => (a.source.routerId >>> 0) - (b.source.routerId >>> 0),
  'neighbor-address': (a, b) => addrCmp(a.source.address, b.source.address),
};

/** One step's comparison of a and b (< 0: a is better). */
function stepOrder(s: BestPathStep, a: Path, b: Path, config: BestPathConfig): number {
  if (s !== 'source-rank') return STEP[s](a, b);
  const r = config.sourceRank;
  return r ? r(a) - r(b) : 0;
}

function rankKind(p: Path): number {
  return p.source.kind === 'local' ? 0 : p.source.kind === 'ebgp' ? 1 : 2;
}

export function compare(a: Path, b: Path, config: BestPathConfig): Comparison {
  for (const s of config.steps) {
    const d = stepOrder(s, a, b, config);
    if (d !== 0) return { order: d, step: s };
  }
  return { order: 0 };
}

/** True when a and b are equal cost under `config` (tied through `multipathThrough`). */
export function equalCost(a: Path, b: Path, config: BestPathConfig): boolean {
  const through = config.multipathThrough;
  if (!through) return false;
  for (const s of config.steps) {
    if (stepOrder(s, a, b, config) !== 0) return false;
    if (s === through) return true;
  }
  return true;
}

/**
 * Candidates best first (rejected paths last, in arrival order).
 *
 * Every step but MED is a total order, so a sort ranks them. MED is not: it compares only
 * paths from the same neighbouring AS (§9.1.2.2 c), so with A (AS 1, MED 10), B (AS 2) and
 * C (AS 1, MED 5) a pairwise sort can return A, B or C first depending on arrival order,
 * where the RFC's procedure — remove, step by step, every route that is not among the best
 * of the remaining set — always picks B (C removes A at the MED step, then B wins a later
 * step). With MED among the steps the ranking is therefore built by that elimination: the
 * best of the set, then the best of the rest, and so on (quadratic in the candidates of one
 * prefix, which are few).
 */
export function rank(paths: readonly Path[], config: BestPathConfig): Path[] {
  const ok = paths.filter((p) => !p.rejected);
  const bad = paths.filter((p) => p.rejected);
  if (!config.steps.includes('med') || ok.length < 3) ok.sort((a, b) => compare(a, b, config).order);
  else {
    // Stable order first, so that ties left after the last step go to the earlier arrival.
    const ranked: Path[] = [];
    const rest = ok.slice();
    while (rest.length > 0) {
      const best = eliminate(rest, config)[0]!;
      ranked.push(best);
      rest.splice(rest.indexOf(best), 1);
    }
    return [...ranked, ...bad];
  }
  return [...ok, ...bad];
}

/** RFC 4271 §9.1.2.2: apply each step to the whole remaining set; what survives every step. */
function eliminate(paths: readonly Path[], config: BestPathConfig): Path[] {
  let remaining = paths.slice();
  for (const s of config.steps) {
    if (remaining.length < 2) break;
    if (s === 'med') {
      // Per neighbouring AS, the lowest MED; paths of different neighbouring ASes are not compared.
      const lowest = new Map<number | undefined, number>();
      for (const p of remaining) {
        const k = firstAs(p);
        const m = p.attrs.med ?? 0;
        if (!lowest.has(k) || m < lowest.get(k)!) lowest.set(k, m);
      }
      remaining = remaining.filter((p) => (p.attrs.med ?? 0) === lowest.get(firstAs(p)));
      continue;
    }
    const step = (x: Path, y: Path) => stepOrder(s, x, y, config);
    let best = remaining[0]!;
    for (const p of remaining) if (step(p, best) < 0) best = p;
    remaining = remaining.filter((p) => step(p, best) === 0);
  }
  return remaining;
}

/** The best path and the ones equal-cost with it, best first, at most maxPaths. */
export function selectBest(ranked: readonly Path[], config: BestPathConfig): Path[] {
  const first = ranked[0];
  if (!first || first.rejected) return [];
  const out = [first];
  for (let i = 1; i < ranked.length && out.length < config.maxPaths; i++) {
    const p = ranked[i]!;
    if (p.rejected || !equalCost(first, p, config)) break;
    out.push(p);
  }
  return out;
}

/** One line for `explain`: why `loser` is not (or not only) the best. */
export function describeLoss(winner: Path, loser: Path, config: BestPathConfig): string {
  const c = compare(winner, loser, config);
  switch (c.step) {
    case 'locally-originated':
      return 'outranked: a locally originated route';
    case 'weight':
      return `outranked: weight ${winner.weight} > ${loser.weight}`;
    case 'preference':
      return `outranked: preference class ${winner.preference} > ${loser.preference}`;
    case 'local-pref':
      return `outranked: local preference ${winner.attrs.localPref ?? 100} > ${loser.attrs.localPref ?? 100}`;
    case 'as-path-length':
      return `outranked: AS path length ${winner.attrs.asPathLength} < ${loser.attrs.asPathLength}`;
    case 'origin':
      return `outranked: origin ${winner.attrs.origin} < ${loser.attrs.origin}`;
    case 'med':
      return `outranked: MED ${winner.attrs.med ?? 0} < ${loser.attrs.med ?? 0}`;
    case 'ebgp-over-ibgp':
      return 'outranked: eBGP preferred over iBGP';
    case 'router-id':
      return 'outranked: lower router ID';
    case 'neighbor-address':
      return 'outranked: lower neighbor address';
    default:
      return 'equal cost';
  }
}
