import { hash32 } from './hash.ts';
import type { Address } from './address.ts';
import type { DestView } from './types.ts';

/**
 * The destination-address cache shared by lblc and lblcr (ip_vs_lblc.c, ip_vs_lblcr.c) with its garbage
 * collector. The kernel runs `check_expire` from a timer every 60 s after the scheduler is bound; here
 * the ticks that fell due up to `now` are replayed before each decision:
 * - every 30th tick (COUNT_FOR_FULL_EXPIRATION) frees every entry idle for at least the expiration
 *   sysctl (`!time_before(now, lastuse + expiration)`);
 * - on the other ticks, only when the table holds more than 16 * 1024 entries, it frees entries idle
 *   for at least 6 minutes, bucket by bucket from the rover, until a goal is met.
 * Buckets are hash_32(fold, 10); they only decide which entries the partial sweep reaches first.
 */

export const TAB_BITS = 10;
export const TAB_SIZE = 1 << TAB_BITS;
const TAB_MASK = TAB_SIZE - 1;
/** CHECK_EXPIRE_INTERVAL, seconds. */
export const CHECK_EXPIRE_INTERVAL = 60;
/** COUNT_FOR_FULL_EXPIRATION */
export const COUNT_FOR_FULL_EXPIRATION = 30;
/** ENTRY_TIMEOUT, seconds. */
export const ENTRY_TIMEOUT = 6 * 60;
/** tbl->max_size = IP_VS_LBLC(R)_TAB_SIZE * 16 */
export const MAX_SIZE = TAB_SIZE * 16;
/** DEFAULT_EXPIRATION (sysctl lblc_expiration / lblcr_expiration default), seconds. */
export const DEFAULT_EXPIRATION = 24 * 60 * 60;

export interface CacheEntry {
  readonly key: string;
  readonly bucket: number;
  lastuse: number;
}

export interface LocalityCache<E extends CacheEntry> {
  readonly map: Map<string, E>;
  readonly buckets: Set<E>[];
  /** `tbl->entries`, kept as the kernel keeps it (lblc's replace adds without subtracting). */
  entries: number;
  counter: number;
  rover: number;
  nextTick: number;
}

export const newCache = <E extends CacheEntry>(now: number): LocalityCache<E> => ({
  map: new Map(),
  buckets: Array.from({ length: TAB_SIZE }, () => new Set<E>()),
  entries: 0,
  counter: 1,
  rover: 0,
  nextTick: now + CHECK_EXPIRE_INTERVAL,
});

export const bucketOf = (addr: Address): number => hash32(addr.fold, TAB_BITS);

export const insert = <E extends CacheEntry>(cache: LocalityCache<E>, entry: E): void => {
  cache.map.set(entry.key, entry);
  cache.buckets[entry.bucket]!.add(entry);
  cache.entries++;
};

/** Unlink without touching the counter (ip_vs_lblc_del). */
export const unlink = <E extends CacheEntry>(cache: LocalityCache<E>, entry: E): void => {
  cache.map.delete(entry.key);
  cache.buckets[entry.bucket]!.delete(entry);
};

const fullCheck = <E extends CacheEntry>(cache: LocalityCache<E>, at: number, expiration: number): void => {
  for (const entry of [...cache.map.values()]) {
    if (at < entry.lastuse + expiration) continue;
    unlink(cache, entry);
    cache.entries--;
  }
};

const partialCheck = <E extends CacheEntry>(cache: LocalityCache<E>, at: number): void => {
  let goal = Math.trunc(((cache.entries - MAX_SIZE) * 4) / 3);
  if (goal > MAX_SIZE / 2) goal = MAX_SIZE / 2;
  let j = cache.rover;
  for (let i = 0; i < TAB_SIZE; i++) {
    j = (j + 1) & TAB_MASK;
    for (const entry of [...cache.buckets[j]!]) {
      if (at < entry.lastuse + ENTRY_TIMEOUT) continue;
      unlink(cache, entry);
      cache.entries--;
      goal--;
    }
    if (goal <= 0) break;
  }
  cache.rover = j;
};

/** Replay the collector ticks due at or before `now`. */
export const collect = <E extends CacheEntry>(
  cache: LocalityCache<E>,
  now: number,
  expiration: number,
): void => {
  while (cache.nextTick <= now) {
    const at = cache.nextTick;
    if (cache.counter % COUNT_FOR_FULL_EXPIRATION === 0) {
      fullCheck(cache, at, expiration);
      cache.counter = 1;
      cache.nextTick = at + CHECK_EXPIRE_INTERVAL;
      continue;
    }
    if (cache.entries <= MAX_SIZE) {
      // Quiet ticks only count up to the next full check; skip them in one step.
      const due = Math.floor((now - at) / CHECK_EXPIRE_INTERVAL) + 1;
      const untilFull = COUNT_FOR_FULL_EXPIRATION - (cache.counter % COUNT_FOR_FULL_EXPIRATION);
      if (due < untilFull) {
        cache.counter += due;
        cache.nextTick = at + due * CHECK_EXPIRE_INTERVAL;
        return;
      }
      cache.counter += untilFull;
      cache.nextTick = at + untilFull * CHECK_EXPIRE_INTERVAL;
      // With the table at or under max_size, later full checks remove a superset of earlier ones:
      // only the last full check due before `now` needs to run.
      const fullDue = Math.floor(
        (now - cache.nextTick) / (COUNT_FOR_FULL_EXPIRATION * CHECK_EXPIRE_INTERVAL),
      );
      if (fullDue > 0) cache.nextTick += fullDue * COUNT_FOR_FULL_EXPIRATION * CHECK_EXPIRE_INTERVAL;
      continue;
    }
    // Over max_size: a partial sweep, and the counter does not move.
    partialCheck(cache, at);
    cache.nextTick = at + CHECK_EXPIRE_INTERVAL;
  }
};

/**
 * `is_overloaded()` local to ip_vs_lblc.c / ip_vs_lblcr.c: `activeconns > weight` and some dest of the
 * service (flagged or not) has `activeconns * 2 < weight`. The OVERLOAD flag is not looked at.
 */
export const isLocallyOverloaded = (dest: DestView, servers: readonly DestView[]): boolean => {
  if (dest.activeConns > dest.weight) {
    for (const d of servers) if (d.activeConns * 2 < d.weight) return true;
  }
  return false;
};
