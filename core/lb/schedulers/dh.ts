import { isAvailable, isOverloadFlag } from '../arith.ts';
import { hash32 } from '../hash.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';

/** CONFIG_IP_VS_DH_TAB_BITS (default 8). */
export const DH_TAB_BITS = 8;
export const DH_TAB_SIZE = 1 << DH_TAB_BITS;

/** dh — ip_vs_dh.c. State: the bucket table. */
export interface DhState {
  readonly table: readonly (DestView | null)[];
}

/** ip_vs_dh_reassign: bucket i gets the dest at list index i mod n; weights are ignored. */
const reassign = (servers: readonly DestView[]): DhState => {
  const n = servers.length;
  const table: (DestView | null)[] = new Array<DestView | null>(DH_TAB_SIZE);
  for (let i = 0; i < DH_TAB_SIZE; i++) table[i] = n === 0 ? null : servers[i % n]!;
  return { table };
};

/** ip_vs_dh_hashkey: hash_32(ntohl(addr_fold), DH_TAB_BITS). */
export const dhHashKey = (fold: number): number => hash32(fold, DH_TAB_BITS);

export const dh = defineScheduler<DhState>({
  name: 'dh',
  init: (servers) => reassign(servers),
  addDest: (_state, servers) => reassign(servers),
  delDest: (_state, servers) => reassign(servers),
  // No upd_dest: the table does not depend on weights.
  pick: (state, _servers, packet) => {
    const d = state.table[dhHashKey(packet.daddr.fold)] ?? null;
    // No fallback: an unusable bucket means no destination.
    if (d === null || !isAvailable(d) || d.weight <= 0 || isOverloadFlag(d)) return { dest: null, state };
    return { dest: d, state };
  },
  table: (state) => state.table,
});
