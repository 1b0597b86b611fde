import { isOverloadFlag } from '../arith.ts';
import { gcd } from '../hash.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';

/**
 * wrr — ip_vs_wrr.c. State `struct ip_vs_wrr_mark`: `cl` (list position, null = head), `cw` (current
 * weight), `mw` (max weight - (di - 1)), `di` (gcd of the positive weights, 1 if none).
 */
export interface WrrState {
  readonly cl: DestView | null;
  readonly clIdx: number;
  readonly cw: number;
  readonly mw: number;
  readonly di: number;
}

/** ip_vs_wrr_gcd_weight: gcd over weights > 0 (OVERLOAD or not); 1 when there are none. */
const gcdWeight = (servers: readonly DestView[]): number => {
  let g = 0;
  for (const d of servers) if (d.weight > 0) g = g > 0 ? gcd(d.weight, g) : d.weight;
  return g > 0 ? g : 1;
};

/** ip_vs_wrr_max_weight: max over all weights, 0 when there are none. */
const maxWeight = (servers: readonly DestView[]): number => {
  let w = 0;
  for (const d of servers) if (d.weight > w) w = d.weight;
  return w;
};

/** ip_vs_wrr_dest_changed: runs on add, delete and every edit. */
const destChanged = (state: WrrState, servers: readonly DestView[]): WrrState => {
  const di = gcdWeight(servers);
  const mw = maxWeight(servers) - (di - 1);
  let cw = state.cw;
  if (cw > mw || cw === 0) cw = mw;
  else if (di > 1) cw = Math.trunc(cw / di) * di + 1;
  return { cl: null, clIdx: -1, cw, mw, di };
};

export const wrr = defineScheduler<WrrState>({
  name: 'wrr',
  // ip_vs_wrr_init_svc: cl = head, cw = mw.
  init: (servers) => {
    const di = gcdWeight(servers);
    const mw = maxWeight(servers) - (di - 1);
    return { cl: null, clIdx: -1, cw: mw, mw, di };
  },
  addDest: (state, servers) => destChanged(state, servers),
  delDest: (state, servers) => destChanged(state, servers),
  updDest: (state, servers) => destChanged(state, servers),
  pick: (state, servers) => {
    const { mw, di } = state;
    if (mw === 0) return { dest: null, state };
    const n = servers.length;
    const last =
      state.cl === null ? -1 : servers[state.clIdx] === state.cl ? state.clIdx : servers.indexOf(state.cl);
    let cw = state.cw;
    let stop = -2; // no stop position
    let lastPass = false;
    let restarted = false;
    let pos = last;
    for (;;) {
      for (let i = pos + 1; i < n; i++) {
        const d = servers[i]!;
        if (!isOverloadFlag(d) && d.weight >= cw) return { dest: d, state: { cl: d, clIdx: i, cw, mw, di } };
        if (i === stop) return { dest: null, state: { cl: d, clIdx: i, cw, mw, di } };
      }
      pos = -1;
      cw -= di;
      if (cw <= 0) {
        cw = mw;
        // Stop if the last pass already ran from the first dest, or the walk began at the head.
        if (lastPass || last < 0) return { dest: null, state: { cl: null, clIdx: -1, cw, mw, di } };
        restarted = true;
      }
      lastPass = cw <= di;
      if (lastPass && restarted && last >= 0) stop = last;
    }
  },
});
