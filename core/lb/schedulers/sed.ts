import { defineScheduler } from '../types.ts';
import { weightedLeast } from '../weighted-least.ts';

/**
 * sed — ip_vs_sed.c: the wlc walk with the expected delay `(activeconns + 1) / weight`; inactive
 * connections are ignored. Products are s64 (older kernels used unsigned int). No state.
 */
export const sed = defineScheduler<null>({
  name: 'sed',
  init: () => null,
  pick: (state, servers) => ({ dest: weightedLeast(servers, 'active+1'), state }),
});
