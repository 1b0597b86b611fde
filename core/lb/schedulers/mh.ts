import { isOverloadFlag } from '../arith.ts';
import { fls, gcd } from '../hash.ts';
import { hsiphash1u32, sipKey } from '../siphash.ts';
import type { SipKey } from '../siphash.ts';
import { defineScheduler, SVC_F } from '../types.ts';
import type { DestView } from '../types.ts';
import { l4SourcePort } from './sh.ts';

/** `primes[]` of ip_vs_mh.c; IP_VS_MH_TAB_SIZE = primes[CONFIG_IP_VS_MH_TAB_INDEX - 8]. */
export const MH_PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;
/** CONFIG_IP_VS_MH_TAB_INDEX default. */
export const MH_TAB_INDEX = 12;
export const MH_TAB_SIZE = MH_PRIMES[MH_TAB_INDEX - 8]!; // 4093
export const MH_TAB_BITS = MH_TAB_INDEX >> 1; // 6

/** generate_hash_secret: constant keys, so every machine builds the same table (64-bit kernels). */
export const MH_HASH1: SipKey = sipKey(0, 2654435761, 0, 2654435761);
export const MH_HASH2: SipKey = sipKey(0, 2654446892, 0, 2654446892);

/** ip_vs_mh_hashkey: hsiphash of the u32 `offset + ntohs(port) + ntohl(addr_fold)`. */
export const mhHashKey = (fold: number, port: number, key: SipKey, offset: number): number =>
  hsiphash1u32((offset + port + fold) >>> 0, key);

/** mh — ip_vs_mh.c. State: the lookup table (null slots when no dest has a last weight). */
export interface MhState {
  readonly table: readonly (DestView | null)[];
}

const EMPTY: MhState = { table: new Array<DestView | null>(MH_TAB_SIZE).fill(null) };

/** ip_vs_mh_dest_changed: gcd and rshift of the last weights, permutate, populate. */
const rebuild = (state: MhState, servers: readonly DestView[]): MhState => {
  // ip_vs_mh_reassign refuses more dests than slots (-EINVAL) and keeps the old table.
  if (servers.length > MH_TAB_SIZE) return state;
  let g = 0;
  let maxLw = 0;
  for (const d of servers) {
    const lw = d.lastWeight;
    if (lw > 0) g = g > 0 ? gcd(lw, g) : lw;
    if (lw > maxLw) maxLw = lw;
  }
  if (g < 1) return EMPTY;
  const rshift = Math.max(0, fls(Math.trunc(maxLw / g)) - MH_TAB_BITS);
  const n = servers.length;
  const perm = new Int32Array(n);
  const skip = new Int32Array(n);
  const turns = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const d = servers[i]!;
    const offset = mhHashKey(d.addr.fold, d.port, MH_HASH1, 0) % MH_TAB_SIZE;
    skip[i] = (mhHashKey(d.addr.fold, d.port, MH_HASH2, 0) % (MH_TAB_SIZE - 1)) + 1;
    perm[i] = offset;
    const lw = d.lastWeight;
    turns[i] = Math.trunc(lw / g) >> rshift || (lw !== 0 ? 1 : 0);
  }
  // ip_vs_mh_populate: go round the list; each dest with turns >= 1 claims `turns` slots per round,
  // each claim its next free slot along perm, perm + skip, ... (mod SIZE).
  const table = new Array<DestView | null>(MH_TAB_SIZE).fill(null);
  const taken = new Uint8Array(MH_TAB_SIZE);
  let filled = 0;
  let dtCount = 0;
  while (filled < MH_TAB_SIZE) {
    let i = 0;
    while (i < n) {
      const t = turns[i]!;
      if (t < 1) {
        i++;
        continue;
      }
      let c = perm[i]!;
      while (taken[c]) {
        c += skip[i]!;
        if (c >= MH_TAB_SIZE) c -= MH_TAB_SIZE;
      }
      perm[i] = c;
      taken[c] = 1;
      table[c] = servers[i]!;
      if (++filled === MH_TAB_SIZE) return { table };
      if (++dtCount >= t) {
        dtCount = 0;
        i++;
      }
    }
  }
  return { table };
};

const unavailable = (d: DestView): boolean => d.weight <= 0 || isOverloadFlag(d);

export const mh = defineScheduler<MhState>({
  name: 'mh',
  init: (servers) => rebuild(EMPTY, servers),
  addDest: (state, servers) => rebuild(state, servers),
  delDest: (state, servers) => rebuild(state, servers),
  updDest: (state, servers) => rebuild(state, servers),
  pick: (state, _servers, packet, env) => {
    const port = env.svcFlags & SVC_F.SCHED2 ? l4SourcePort(packet) : 0;
    const fold = packet.saddr.fold;
    const ihash = mhHashKey(fold, port, MH_HASH1, 0) % MH_TAB_SIZE;
    const first = state.table[ihash] ?? null;
    if (first === null) return { dest: null, state };
    if (!unavailable(first)) return { dest: first, state };
    if (!(env.svcFlags & SVC_F.SCHED1)) return { dest: null, state };
    // ip_vs_mh_get_fallback: a re-hash with offset (not a linear probe); stop at an empty slot.
    for (let offset = 0; offset < MH_TAB_SIZE; offset++) {
      const roffset = (offset + ihash) % MH_TAB_SIZE;
      const d = state.table[mhHashKey(fold, port, MH_HASH1, roffset) % MH_TAB_SIZE] ?? null;
      if (d === null) break;
      if (!unavailable(d)) return { dest: d, state };
    }
    return { dest: null, state };
  },
  table: (state) => state.table,
});
