import { activePlusOne, connOverhead, isOverloadFlag, s64Greater } from './arith.ts';
import type { DestView } from './types.ts';

/**
 * Which overhead the walk uses: `ip_vs_dest_conn_overhead` (wlc, lblc, lblcr) or `activeconns + 1` (sed).
 * A tag rather than a callback, so the hot loop stays monomorphic.
 */
export type Overhead = 'conn' | 'active+1';

/**
 * The weighted-least-connection walk shared by wlc, sed and the "schedule afresh" step of lblc and
 * lblcr (`ip_vs_wlc_schedule`, `ip_vs_sed_schedule`, `__ip_vs_lblc_schedule`, `__ip_vs_lblcr_schedule`):
 * the first dest in list order that is not OVERLOAD and has weight > 0 starts as `least`; every later
 * dest that is not OVERLOAD replaces it when `loh * w(d) > doh * w(least)` (s64, strict, so ties keep
 * the earlier dest; a weight-0 dest can never win).
 */
export const weightedLeast = (servers: readonly DestView[], overhead: Overhead): DestView | null => {
  const sed = overhead === 'active+1';
  const n = servers.length;
  let i = 0;
  let least: DestView | null = null;
  for (; i < n; i++) {
    const d = servers[i]!;
    if (!isOverloadFlag(d) && d.weight > 0) {
      least = d;
      break;
    }
  }
  if (least === null) return null;
  let loh = sed ? activePlusOne(least) : connOverhead(least);
  for (i++; i < n; i++) {
    const d = servers[i]!;
    if (isOverloadFlag(d)) continue;
    const doh = sed ? activePlusOne(d) : connOverhead(d);
    if (s64Greater(loh, d.weight, doh, least.weight)) {
      least = d;
      loh = doh;
    }
  }
  return least;
};
