import { isOverloadFlag } from '../arith.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';

/**
 * ovf — ip_vs_ovf.c: skip OVERLOAD dests, dests with `activeconns > weight` (equal is still eligible) and
 * weight 0; of the rest take the highest weight, the first one on ties. No state.
 */
export const ovf = defineScheduler<null>({
  name: 'ovf',
  init: () => null,
  pick: (state, servers) => {
    let best: DestView | null = null;
    let hw = 0;
    for (const d of servers) {
      const w = d.weight;
      if (isOverloadFlag(d) || d.activeConns > w || w === 0) continue;
      if (best === null || w > hw) {
        best = d;
        hw = w;
      }
    }
    return { dest: best, state };
  },
});
