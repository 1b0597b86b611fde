import { connOverhead, isOverloadFlag } from '../arith.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';

/**
 * lc — ip_vs_lc.c: skip OVERLOAD and weight-0 dests, take the minimum connection overhead with a strict
 * `<`, so the first minimum in list order wins. No state.
 */
export const lc = defineScheduler<null>({
  name: 'lc',
  init: () => null,
  pick: (state, servers) => {
    let least: DestView | null = null;
    let loh = 0;
    for (const d of servers) {
      if (isOverloadFlag(d) || d.weight === 0) continue;
      const doh = connOverhead(d);
      if (least === null || doh < loh) {
        least = d;
        loh = doh;
      }
    }
    return { dest: least, state };
  },
});
