import { connOverhead, isOverloadFlag } from '../arith.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';

/**
 * twos — ip_vs_twos.c, "power of two choices": draw two weighted random dests and keep the less loaded
 * one. `env.random(total)` stands for get_random_u32_below and is called exactly twice per decision
 * when any dest is eligible, never otherwise. No state.
 */
export const twos = defineScheduler<null>({
  name: 'twos',
  init: () => null,
  pick: (state, servers, _packet, env) => {
    let total = 0;
    let any = false;
    for (const d of servers) {
      if (!isOverloadFlag(d) && d.weight > 0) {
        total = (total + d.weight) | 0;
        any = true;
      }
    }
    if (!any) return { dest: null, state };
    // Inclusive of total: draws are uniform on [0, total_weight].
    total = (total + 1) | 0;
    let r1 = env.random(total) | 0;
    let r2 = env.random(total) | 0;
    let choice1: DestView | null = null;
    let choice2: DestView | null = null;
    let weight1 = -1;
    let weight2 = -1;
    let overhead1 = 0;
    let overhead2 = 0;
    for (const d of servers) {
      if (isOverloadFlag(d)) continue;
      const w = d.weight;
      if (w <= 0) continue;
      r1 = (r1 - w) | 0;
      r2 = (r2 - w) | 0;
      if (r1 <= 0 && weight1 === -1) {
        choice1 = d;
        weight1 = w;
        overhead1 = connOverhead(d);
      }
      if (r2 <= 0 && weight2 === -1) {
        choice2 = d;
        weight2 = w;
        overhead2 = connOverhead(d);
      }
      if (weight1 !== -1 && weight2 !== -1) break;
    }
    // C int arithmetic: weight2 * overhead1 > weight1 * overhead2; ties go to choice1.
    if (choice2 !== null && Math.imul(weight2, overhead1) > Math.imul(weight1, overhead2)) {
      return { dest: choice2, state };
    }
    return { dest: choice1, state };
  },
});
