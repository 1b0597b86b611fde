/**
 * Log lines are for people: a list of thousands becomes counts and the first few. Pure helpers used by
 * the agent's LVS side (a 5,000-destination table applied at start is one short line, not 5,000 words).
 */

/** "add-dest ×5000, add-service ×1": each distinct word with its count, in order of first appearance. */
export function countWords(words: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].map(([w, n]) => `${w} ×${n}`).join(', ');
}

/** "3 real servers: a, b, c" or "5000 real servers: a, b, c, … (4997 more)". */
export function countAndFirst(what: string, items: readonly string[], first = 3): string {
  const shown = items.slice(0, first).join(', ');
  const more = items.length > first ? `, … (${items.length - first} more)` : '';
  return `${items.length} ${what}${items.length === 0 ? '' : `: ${shown}${more}`}`;
}
