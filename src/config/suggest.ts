/**
 * @module config/suggest
 * "Did you mean …?" for names and keys: a wrong case first (Azure names compare without
 * case, but a file's keys are exact), then the nearest spelling by edit distance.
 */

/** The candidate the user most likely meant, or undefined when none is close. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestShared = -1;
  for (const c of candidates) {
    const candidate = c.toLowerCase();
    if (candidate === lower) return c;
    const d = editDistance(lower, candidate);
    // On a tie, the one that shares the longer beginning: names differ at the end more often.
    const shared = commonPrefixLength(lower, candidate);
    if (d < bestDistance || (d === bestDistance && shared > bestShared)) {
      best = c;
      bestDistance = d;
      bestShared = shared;
    }
  }
  // A quarter of the word, at least one edit: "adressPrefix" finds addressPrefix, "vmx"
  // finds vm1, but "vnet/nope" does not claim to mean "vnet/out".
  const threshold = Math.max(1, Math.floor(word.length / 4));
  return bestDistance <= threshold ? best : undefined;
}

function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** Levenshtein distance, optimal-string-alignment variant (a swap of neighbours costs 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  // Long inputs would cost O(n·m); nobody means a 200-character name as a typo of another.
  if (Math.abs(a.length - b.length) > 16 || a.length > 256 || b.length > 256) return Math.max(a.length, b.length);
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** "a, b and c" — lists in messages, cut after `max` items. */
export function listOf(items: readonly string[], max = 12): string {
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}
