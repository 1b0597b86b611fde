import { activePlusOne, isOverloadFlag, s64Greater } from '../arith.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';

/**
 * nq — ip_vs_nq.c: skip OVERLOAD and weight-0 dests; the first idle dest (activeconns == 0) in list order
 * wins at once, whatever the weights; otherwise the sed choice. No state.
 */
export const nq = defineScheduler<null>({
  name: 'nq',
  init: () => null,
  pick: (state, servers) => {
    let least: DestView | null = null;
    let loh = 0;
    for (const d of servers) {
      if (isOverloadFlag(d) || d.weight === 0) continue;
      const doh = activePlusOne(d);
      if (d.activeConns === 0) return { dest: d, state };
      if (least === null || s64Greater(loh, d.weight, doh, least.weight)) {
        least = d;
        loh = doh;
      }
    }
    return { dest: least, state };
  },
});
