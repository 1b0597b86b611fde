/**
 * "Did you mean …": the closest known word by optimal-string-alignment (Damerau-Levenshtein) distance,
 * compared case-insensitively so `Master` finds `MASTER` and `lb_algo loadbalance` finds nothing silly.
 */

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      }
      cur.push(v);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo: at most a third of the
 * longer word's length (minimum 1), or an exact case-insensitive match, or a prefix/containment match of
 * at least 4 characters. Returns undefined when nothing is plausible.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === word) continue;
    const lc = c.toLowerCase();
    let score: number;
    if (lc === w) score = 0;
    else {
      const d = editDistance(w, lc);
      const limit = Math.max(1, Math.floor(Math.max(w.length, lc.length) / 3));
      if (d <= limit) score = d;
      else if (w.length >= 4 && (lc.startsWith(w) || w.startsWith(lc))) score = limit + 1;
      else continue;
    }
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}
