import { isOverloadFlag } from '../arith.ts';
import { hash32 } from '../hash.ts';
import { defineScheduler, IPPROTO, SVC_F } from '../types.ts';
import type { DestView, Packet } from '../types.ts';

/** CONFIG_IP_VS_SH_TAB_BITS (default 8). */
export const SH_TAB_BITS = 8;
export const SH_TAB_SIZE = 1 << SH_TAB_BITS;
const SH_TAB_MASK = SH_TAB_SIZE - 1;

/** sh — ip_vs_sh.c. State: the bucket table. */
export interface ShState {
  readonly table: readonly (DestView | null)[];
}

/**
 * ip_vs_sh_reassign: walk the list cyclically; each dest fills `weight` consecutive buckets (a weight-0
 * dest still takes one bucket per cycle, because the test is `++count >= weight`).
 */
const reassign = (servers: readonly DestView[]): ShState => {
  const n = servers.length;
  const table: (DestView | null)[] = new Array<DestView | null>(SH_TAB_SIZE);
  let p = 0;
  let count = 0;
  for (let i = 0; i < SH_TAB_SIZE; i++) {
    if (n === 0) {
      table[i] = null;
      continue;
    }
    const d = servers[p]!;
    table[i] = d;
    if (++count >= d.weight) {
      p = (p + 1) % n;
      count = 0;
    }
  }
  return { table };
};

/** ip_vs_sh_hashkey: (offset + hash_32(port + ntohl(addr_fold), SH_TAB_BITS)) & MASK, u32 additions. */
export const shHashKey = (fold: number, port: number, offset: number): number =>
  ((offset + hash32((port + fold) >>> 0, SH_TAB_BITS)) >>> 0) & SH_TAB_MASK;

/** ip_vs_sh_get_port / ip_vs_mh_get_port: the source port for TCP, UDP and SCTP, else 0. */
export const l4SourcePort = (packet: Packet): number =>
  packet.proto === IPPROTO.TCP || packet.proto === IPPROTO.UDP || packet.proto === IPPROTO.SCTP
    ? packet.sport
    : 0;

const unavailable = (d: DestView): boolean => d.weight <= 0 || isOverloadFlag(d);

export const sh = defineScheduler<ShState>({
  name: 'sh',
  init: (servers) => reassign(servers),
  addDest: (_state, servers) => reassign(servers),
  delDest: (_state, servers) => reassign(servers),
  updDest: (_state, servers) => reassign(servers),
  pick: (state, _servers, packet, env) => {
    const port = env.svcFlags & SVC_F.SCHED2 ? l4SourcePort(packet) : 0;
    const fold = packet.saddr.fold;
    const ihash = shHashKey(fold, port, 0);
    const first = state.table[ihash] ?? null;
    if (first === null) return { dest: null, state };
    if (!unavailable(first)) return { dest: first, state };
    if (!(env.svcFlags & SVC_F.SCHED1)) return { dest: null, state };
    // ip_vs_sh_get_fallback: re-hash with a growing offset; stop at an empty bucket.
    for (let offset = 0; offset < SH_TAB_SIZE; offset++) {
      const roffset = (offset + ihash) % SH_TAB_SIZE;
      const d = state.table[shHashKey(fold, port, roffset)] ?? null;
      if (d === null) break;
      if (!unavailable(d)) return { dest: d, state };
    }
    return { dest: null, state };
  },
  table: (state) => state.table,
});
