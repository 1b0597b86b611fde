/**
 * How each IPVS scheduler the nftables data plane can express becomes a number -> destination map, read by
 * `numgen inc mod N` (rr, wrr) or `jhash ... mod 256` (sh, dh; 251 for mh). The maps follow the kernel's rules in
 * ../shared/reference/ipvs-schedulers.md (list order, weight passes, bucket fill); what nftables cannot
 * reproduce is the kernel's hash function (it has no multiply), so sh/dh pick the same bucket layout
 * through jhash instead of hash_32, and wrr runs its steady-state cycle (the kernel's first pass after an
 * incremental build is not reproduced). mh builds a maglev table of 251 slots the way ip_vs_mh.c does,
 * with its own permutation hash.
 */
import type { LbDestination, LbService } from '../../../core/ports/index.ts';

/** Slot i of the map sends to destination index `slots[i]`, or null (no destination: drop). */
export interface SlotMap {
  /** `numgen` for per-connection counters, `jhash` for hashed buckets. */
  source: 'numgen' | 'jhash';
  slots: Array<number | null>;
}

/** Schedulers this data plane can express, by IPVS name. */
export const NFT_SCHEDULERS = ['rr', 'wrr', 'sh', 'dh', 'mh'] as const;

/** ip_vs_sh.c / ip_vs_dh.c default table size (1 << CONFIG_IP_VS_*_TAB_BITS). */
export const HASH_TABLE_SIZE = 256;

/** Longest wrr cycle written out slot by slot; beyond it weights are reduced proportionally. */
const MAX_WRR_CYCLE = 4096;

const available = (d: LbDestination): boolean => d.weight > 0;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** rr: every available destination once, in list order. */
function rr(dests: LbDestination[]): SlotMap {
  return { source: 'numgen', slots: dests.flatMap((d, i) => (available(d) ? [i] : [])) };
}

/**
 * wrr, steady state (ip_vs_wrr.c): di = gcd of weights, mw = max - (di - 1), passes cw = mw, mw-di, ... > 0;
 * each pass takes, in list order, every destination whose weight >= cw. Weights 4,3,2 give a a b a b c a b c.
 */
export function wrrCycle(weights: number[]): number[] {
  const live = weights.filter((w) => w > 0);
  if (live.length === 0) return [];
  const di = live.reduce(gcd);
  const mw = Math.max(...live) - (di - 1);
  const out: number[] = [];
  for (let cw = mw; cw > 0; cw -= di) weights.forEach((w, i) => w >= cw && w > 0 && out.push(i));
  return out;
}

function wrr(dests: LbDestination[]): SlotMap {
  let weights = dests.map((d) => d.weight);
  const total = (ws: number[]): number => {
    const live = ws.filter((w) => w > 0);
    return live.length ? live.reduce((a, b) => a + b, 0) / live.reduce(gcd) : 0;
  };
  if (total(weights) > MAX_WRR_CYCLE) {
    // Keep the proportions, not the exact interleaving, for very large weights.
    const max = Math.max(...weights);
    weights = weights.map((w) => (w > 0 ? Math.max(1, Math.round((w * 64) / max)) : 0));
  }
  return { source: 'numgen', slots: wrrCycle(weights) };
}

/**
 * sh bucket fill (ip_vs_sh_reassign): walk the list cyclically, each destination fills `weight` consecutive
 * buckets; a weight-0 destination still takes one. Unavailable buckets drop, or with sh-fallback go to the
 * first available bucket on the kernel's probe sequence (offset + 2*bucket) mod size.
 */
export function shTable(dests: LbDestination[], fallback: boolean): Array<number | null> {
  if (dests.length === 0) return new Array<number | null>(HASH_TABLE_SIZE).fill(null);
  const table: number[] = [];
  let at = 0;
  let count = 0;
  for (let i = 0; i < HASH_TABLE_SIZE; i++) {
    table.push(at);
    if (++count >= (dests[at]?.weight ?? 0)) {
      at = (at + 1) % dests.length;
      count = 0;
    }
  }
  return table.map((d, bucket) => {
    if (available(dests[d] as LbDestination)) return d;
    if (!fallback) return null;
    for (let offset = 0; offset < HASH_TABLE_SIZE; offset++) {
      const probe = table[(offset + 2 * bucket) % HASH_TABLE_SIZE] ?? 0;
      if (available(dests[probe] as LbDestination)) return probe;
    }
    return null;
  });
}

/** dh bucket fill (ip_vs_dh_reassign): bucket i -> list[i mod n], weights ignored; unavailable drops. */
export function dhTable(dests: LbDestination[]): Array<number | null> {
  return Array.from({ length: HASH_TABLE_SIZE }, (_, i) => {
    if (dests.length === 0) return null;
    const d = i % dests.length;
    return available(dests[d] as LbDestination) ? d : null;
  });
}

/** mh lookup-table size: the smallest of ip_vs_mh.c's primes (CONFIG_IP_VS_MH_TAB_INDEX 8). */
export const MH_TABLE_SIZE = 251;
/** IP_VS_MH_TAB_BITS for that size (INDEX / 2). */
const MH_TAB_BITS = 4;

/** 32-bit FNV-1a: the per-destination permutation seed (the kernel uses hsiphash; any fixed hash keeps maglev's properties). */
function fnv1a(text: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * mh (ip_vs_mh.c, maglev hashing): each destination walks its own permutation of the table (offset,
 * skip from a hash of its address and port) and claims `turns` free slots per round, turns = weight / gcd
 * shifted down to IP_VS_MH_TAB_BITS; weight-0 destinations take no slots. Removing or adding one
 * destination moves few clients, which is the point of mh. nftables then picks the slot with jhash.
 */
export function mhTable(dests: LbDestination[]): Array<number | null> {
  const size = MH_TABLE_SIZE;
  const live = dests.map((d, i) => ({ d, i })).filter(({ d }) => d.weight > 0);
  if (live.length === 0) return new Array<number | null>(size).fill(null);
  const g = live.map(({ d }) => d.weight).reduce(gcd);
  const maxTurns = Math.max(...live.map(({ d }) => d.weight)) / g;
  const rshift = Math.max(0, Math.floor(Math.log2(maxTurns)) + 1 - MH_TAB_BITS);
  const walkers = live.map(({ d, i }) => {
    const key = `${d.addr}|${d.port}`;
    return {
      index: i,
      turns: Math.max(1, (d.weight / g) >> rshift),
      perm: fnv1a(key, 0x811c9dc5) % size,
      skip: (fnv1a(key, 0x01000193) % (size - 1)) + 1,
    };
  });
  const table = new Array<number | null>(size).fill(null);
  let filled = 0;
  while (filled < size) {
    for (const w of walkers) {
      for (let turn = 0; turn < w.turns && filled < size; turn++) {
        while (table[w.perm] !== null) w.perm = (w.perm + w.skip) % size;
        table[w.perm] = w.index;
        filled++;
      }
      if (filled >= size) break;
    }
  }
  return table;
}

/** The slot map for a service, or null when the scheduler is not one this data plane expresses. */
export function slotMap(svc: LbService): SlotMap | null {
  switch (svc.scheduler) {
    case 'rr':
      return rr(svc.destinations);
    case 'wrr':
      return wrr(svc.destinations);
    case 'sh':
      return { source: 'jhash', slots: shTable(svc.destinations, svc.flags.flag1) };
    case 'dh':
      return { source: 'jhash', slots: dhTable(svc.destinations) };
    case 'mh':
      return { source: 'jhash', slots: mhTable(svc.destinations) };
    default:
      return null;
  }
}
