import { defineScheduler } from '../types.ts';
import { weightedLeast } from '../weighted-least.ts';

/**
 * wlc — ip_vs_wlc.c: least `overhead / weight` with overhead = activeconns * 256 + inactconns; ties keep
 * the earlier dest in list order. No state.
 */
export const wlc = defineScheduler<null>({
  name: 'wlc',
  init: () => null,
  pick: (state, servers) => ({ dest: weightedLeast(servers, 'conn'), state }),
});
