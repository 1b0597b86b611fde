import { isOverloadFlag } from '../arith.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';

/**
 * fo — ip_vs_fo.c: the highest weight among dests that are not OVERLOAD. The running max starts at 0 and
 * the test is a strict `>`, so weight 0 never wins and the first dest with the max weight does. No state.
 */
export const fo = defineScheduler<null>({
  name: 'fo',
  init: () => null,
  pick: (state, servers) => {
    let best: DestView | null = null;
    let hw = 0;
    for (const d of servers) {
      if (!isOverloadFlag(d) && d.weight > hw) {
        best = d;
        hw = d.weight;
      }
    }
    return { dest: best, state };
  },
});
