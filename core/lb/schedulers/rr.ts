import { isOverloadFlag } from '../arith.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';

/**
 * rr — ip_vs_rr.c. State: a list position (`svc->sched_data`), the list head at bind time.
 * The position is kept as the dest record plus its last known index (-1 = the list head).
 */
export interface RrState {
  readonly pos: DestView | null;
  readonly idx: number;
}

const HEAD: RrState = { pos: null, idx: -1 };

const indexOf = (state: RrState, servers: readonly DestView[]): number => {
  if (state.pos === null) return -1;
  return servers[state.idx] === state.pos ? state.idx : servers.indexOf(state.pos);
};

const eligible = (d: DestView): boolean => !isOverloadFlag(d) && d.weight > 0;

export const rr = defineScheduler<RrState>({
  name: 'rr',
  init: () => HEAD,
  // ip_vs_rr_del_dest: if the position was the deleted dest, move it to the predecessor
  // (`p->next->prev` after the unlink; the head when it was first).
  delDest: (state, servers, dest, formerIndex) =>
    state.pos === dest
      ? formerIndex > 0
        ? { pos: servers[formerIndex - 1]!, idx: formerIndex - 1 }
        : HEAD
      : state,
  pick: (state, servers) => {
    const last = indexOf(state, servers);
    const n = servers.length;
    // First pass: from the element after the position to the end of the list.
    for (let i = last + 1; i < n; i++) {
      const d = servers[i]!;
      if (eligible(d)) return { dest: d, state: { pos: d, idx: i } };
    }
    // Started at the head: one pass covered everything.
    if (last < 0) return { dest: null, state };
    // Second pass from the first element, up to and including `last`.
    for (let i = 0; i <= last && i < n; i++) {
      const d = servers[i]!;
      if (eligible(d)) return { dest: d, state: { pos: d, idx: i } };
    }
    return { dest: null, state };
  },
});
