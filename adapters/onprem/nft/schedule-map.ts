/**
 * How each IPVS scheduler the nftables data plane can express becomes a number -> destination map, read by
 * `numgen inc mod N` (rr, wrr) or `jhash ... mod N` (sh, dh, mh). The maps come from core/lb, the model of
 * the kernel's schedulers that the IPVS conformance tests check: the destination list in the service's
 * order (the kernel's, newest first), wrr's pick sequence from ip_vs_wrr.c, the sh and dh bucket tables
 * (256 buckets, ip_vs_sh.c / ip_vs_dh.c) and mh's maglev table (4093 slots, hsiphash permutations,
 * ip_vs_mh.c). So both data planes give each real server the same share
 * (test/adapters/onprem/nft/schedule-map.test.ts compares them per scheduler).
 *
 * What nftables still does differently from IPVS, all in one place:
 * - Which bucket a client lands in: nftables has jhash, not the kernel's hash_32 (sh, dh) or hsiphash
 *   (mh) of the client address; the bucket -> server tables are the kernel's, so the shares are the same
 *   but a given client may go to another server than IPVS would send it to.
 * - wrr: the map is one steady-state cycle from a freshly built service (cl = head, cw = max weight); the
 *   kernel continues from where its pointer was when weights change. A cycle longer than 4096 picks
 *   (weights with a large sum / gcd) is scaled down to keep the proportions, not the exact interleaving.
 * - sh with sh-fallback: the kernel re-hashes the client with a growing offset; nftables cannot hash
 *   twice, so an unavailable bucket is given, once, to the first available one on the kernel's probe
 *   sequence for that bucket (offset + 2 * bucket). mh with mh-fallback is not re-hashed at all.
 * - mh keeps a server that drops to weight 0 in its slots (last_weight; those clients are dropped or fall
 *   back); the nftables map is rebuilt from the current weights, so a weight-0 server owns no slot.
 * - sh-port / mh-port hash `saddr . sport` through jhash too; rr and wrr count per new connection
 *   (numgen) for the whole rule set, as IPVS counts per service.
 * - Overload (u_threshold / l_threshold) and the connection-count schedulers (lc, wlc, sed, nq, lblc,
 *   lblcr, fo, ovf, twos) need per-server connection counts nftables does not keep: refused (limits.ts).
 */
import type { LbDestination, LbService } from '../../../core/ports/index.ts';
import { createVirtualService, type SchedulerName, type VirtualService } from '../../../core/lb/index.ts';

/** Slot i of the map sends to destination index `slots[i]`, or null (no destination: drop). */
export interface SlotMap {
  /** `numgen` for per-connection counters, `jhash` for hashed buckets. */
  source: 'numgen' | 'jhash';
  slots: Array<number | null>;
}

/** Schedulers this data plane can express, by IPVS name. */
export const NFT_SCHEDULERS = ['rr', 'wrr', 'sh', 'dh', 'mh'] as const;

/** Longest wrr cycle written out slot by slot; beyond it weights are reduced proportionally. */
const MAX_WRR_CYCLE = 4096;

const available = (d: LbDestination): boolean => d.weight > 0;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * core/lb's model of the service with these destinations, in this order (the kernel puts a new
 * destination at the head of the list, so they are added last first). Destination i has id i.
 */
function modelService(
  scheduler: SchedulerName,
  weights: readonly number[],
  dests: ReadonlyArray<Pick<LbDestination, 'addr' | 'port'>>,
): VirtualService {
  const vs = createVirtualService({ scheduler, port: 0, fwmark: 0 });
  for (let i = dests.length - 1; i >= 0; i--) {
    const d = dests[i] as Pick<LbDestination, 'addr' | 'port'>;
    vs.addServer({ id: i, addr: d.addr, port: d.port, weight: weights[i] ?? 0 });
  }
  return vs;
}

/** rr: every available destination once, in list order. */
function rr(dests: LbDestination[]): SlotMap {
  return { source: 'numgen', slots: dests.flatMap((d, i) => (available(d) ? [i] : [])) };
}

/** Picks in one wrr cycle: sum of weight / gcd over the positive weights. */
const wrrLength = (weights: readonly number[]): number => {
  const live = weights.filter((w) => w > 0);
  return live.length ? live.reduce((a, b) => a + b, 0) / live.reduce(gcd) : 0;
};

/**
 * One cycle of ip_vs_wrr.c's picks for these weights from a freshly built service, as destination
 * indices: weights 4,3,2 give a a b a b c a b c; weight 0 never appears.
 */
export function wrrCycle(
  weights: number[],
  dests?: ReadonlyArray<Pick<LbDestination, 'addr' | 'port'>>,
): number[] {
  const n = wrrLength(weights);
  if (n === 0) return [];
  const list = dests ?? weights.map((_, i) => placeholder(i));
  const vs = modelService('wrr', weights, list);
  const out: number[] = [];
  const request = { saddr: '192.0.2.1', daddr: '192.0.2.2', sport: 1, dport: 1, proto: 'tcp' };
  for (let k = 0; k < n; k++) {
    const id = vs.schedule(request);
    if (id === null) break;
    out.push(id as number);
  }
  return out;
}

/** A destination only for its position (wrr does not read addresses). */
const placeholder = (i: number): Pick<LbDestination, 'addr' | 'port'> => ({
  addr: `192.0.2.${(i % 250) + 1}`,
  port: 1 + Math.floor(i / 250),
});

function wrr(dests: LbDestination[]): SlotMap {
  let weights = dests.map((d) => d.weight);
  if (wrrLength(weights) > MAX_WRR_CYCLE) {
    // Keep the proportions, not the exact interleaving, for very large weights.
    const max = Math.max(...weights);
    weights = weights.map((w) => (w > 0 ? Math.max(1, Math.round((w * 64) / max)) : 0));
  }
  return { source: 'numgen', slots: wrrCycle(weights, dests) };
}

/** The kernel's bucket table of a hashing scheduler, as destination indices. */
function bucketTable(scheduler: 'sh' | 'dh' | 'mh', dests: LbDestination[]): Array<number | null> {
  const vs = modelService(
    scheduler,
    dests.map((d) => d.weight),
    dests,
  );
  return (vs.table() ?? []).map((id) => (id === null ? null : (id as number)));
}

/**
 * sh (ip_vs_sh_reassign): walk the list cyclically, each destination fills `weight` consecutive buckets;
 * a weight-0 destination still takes one. Unavailable buckets drop, or with sh-fallback go to the first
 * available bucket on the probe sequence (offset + 2*bucket) mod size.
 */
export function shTable(dests: LbDestination[], fallback: boolean): Array<number | null> {
  const table = bucketTable('sh', dests);
  const size = table.length;
  return table.map((d, bucket) => {
    if (d === null) return null;
    if (available(dests[d] as LbDestination)) return d;
    if (!fallback) return null;
    for (let offset = 0; offset < size; offset++) {
      const probe = table[(offset + 2 * bucket) % size] ?? null;
      if (probe !== null && available(dests[probe] as LbDestination)) return probe;
    }
    return null;
  });
}

/** dh (ip_vs_dh_reassign): bucket i -> list[i mod n], weights ignored; an unavailable one drops. */
export function dhTable(dests: LbDestination[]): Array<number | null> {
  return bucketTable('dh', dests).map((d) => (d !== null && available(dests[d] as LbDestination) ? d : null));
}

/**
 * mh (ip_vs_mh.c, maglev hashing): each destination walks its own permutation of the 4093-slot table
 * (offset and skip from hsiphash of its address and port) and claims `turns` free slots per round;
 * weight-0 destinations take no slots. Removing or adding one destination moves few clients.
 */
export function mhTable(dests: LbDestination[]): Array<number | null> {
  return bucketTable('mh', dests);
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
