import { connOverhead, isAvailable, isOverloadFlag, s64Greater, s64Less } from '../arith.ts';
import { bucketOf, collect, insert, isLocallyOverloaded, newCache } from '../locality-cache.ts';
import type { CacheEntry, LocalityCache } from '../locality-cache.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';
import { weightedLeast } from '../weighted-least.ts';

/** An lblcr cache entry: destination address -> a server set (newest member first). */
export interface LblcrEntry extends CacheEntry {
  readonly set: DestView[];
  lastmod: number;
}

/** lblcr — ip_vs_lblcr.c. State: the cache (handed over from pick to pick, not copied). */
export interface LblcrState {
  readonly cache: LocalityCache<LblcrEntry>;
}

/**
 * ip_vs_dest_set_min: skip OVERLOAD members; the first with weight > 0 and AVAILABLE starts as `least`;
 * a later member replaces it when `loh * w(d) > doh * w(least)` and it is AVAILABLE.
 */
const setMin = (set: readonly DestView[]): DestView | null => {
  let i = 0;
  let least: DestView | null = null;
  for (; i < set.length; i++) {
    const d = set[i]!;
    if (isOverloadFlag(d)) continue;
    if (d.weight > 0 && isAvailable(d)) {
      least = d;
      break;
    }
  }
  if (least === null) return null;
  let loh = connOverhead(least);
  for (i++; i < set.length; i++) {
    const d = set[i]!;
    if (isOverloadFlag(d)) continue;
    const doh = connOverhead(d);
    if (s64Greater(loh, d.weight, doh, least.weight) && isAvailable(d)) {
      least = d;
      loh = doh;
    }
  }
  return least;
};

/**
 * ip_vs_dest_set_max: the first member with weight > 0 starts as `most`; a later one replaces it when
 * `moh * w(d) < doh * w(most)` and w(d) > 0. AVAILABLE and OVERLOAD are not looked at.
 */
const setMax = (set: readonly DestView[]): DestView | null => {
  let i = 0;
  let most: DestView | null = null;
  for (; i < set.length; i++) {
    if (set[i]!.weight > 0) {
      most = set[i]!;
      break;
    }
  }
  if (most === null) return null;
  let moh = connOverhead(most);
  for (i++; i < set.length; i++) {
    const d = set[i]!;
    const doh = connOverhead(d);
    if (s64Less(moh, d.weight, doh, most.weight) && d.weight > 0) {
      most = d;
      moh = doh;
    }
  }
  return most;
};

/** ip_vs_dest_set_insert with check: add at the head unless present; lastmod only moves on insert. */
const setInsert = (entry: LblcrEntry, dest: DestView, now: number): void => {
  if (entry.set.includes(dest)) return;
  entry.set.unshift(dest);
  entry.lastmod = now;
};

export const lblcr = defineScheduler<LblcrState>({
  name: 'lblcr',
  init: (_servers, env) => ({ cache: newCache<LblcrEntry>(env.now) }),
  pick: (state, servers, packet, env) => {
    const { cache } = state;
    const now = env.now;
    collect(cache, now, env.lblcrExpiration);
    const daddr = packet.daddr;
    const en = cache.map.get(daddr.key);
    if (en !== undefined) {
      en.lastuse = now;
      const least = setMin(en.set);
      // More than one member and the set unchanged for longer than the expiration: drop the most loaded.
      if (en.set.length > 1 && now > en.lastmod + env.lblcrExpiration) {
        const m = setMax(en.set);
        if (m !== null) {
          en.set.splice(en.set.indexOf(m), 1);
          en.lastmod = now;
        }
      }
      // `least` was chosen before the shrink and is used even if it was the member dropped.
      if (least !== null && !isLocallyOverloaded(least, servers)) return { dest: least, state };
      const dest = weightedLeast(servers, 'conn');
      if (dest === null) return { dest: null, state };
      setInsert(en, dest, now);
      return { dest, state };
    }
    const dest = weightedLeast(servers, 'conn');
    if (dest === null) return { dest: null, state };
    insert(cache, { key: daddr.key, bucket: bucketOf(daddr), lastuse: now, set: [dest], lastmod: now });
    return { dest, state };
  },
});
