import { isAvailable } from '../arith.ts';
import { bucketOf, collect, insert, isLocallyOverloaded, newCache, unlink } from '../locality-cache.ts';
import type { CacheEntry, LocalityCache } from '../locality-cache.ts';
import { defineScheduler } from '../types.ts';
import type { DestView } from '../types.ts';
import { weightedLeast } from '../weighted-least.ts';

/** An lblc cache entry: destination address -> one dest. */
export interface LblcEntry extends CacheEntry {
  dest: DestView;
}

/** lblc — ip_vs_lblc.c. State: the cache (handed over from pick to pick, not copied). */
export interface LblcState {
  readonly cache: LocalityCache<LblcEntry>;
}

export const lblc = defineScheduler<LblcState>({
  name: 'lblc',
  init: (_servers, env) => ({ cache: newCache<LblcEntry>(env.now) }),
  pick: (state, servers, packet, env) => {
    const { cache } = state;
    collect(cache, env.now, env.lblcExpiration);
    const daddr = packet.daddr;
    const en = cache.map.get(daddr.key);
    if (en !== undefined) {
      en.lastuse = env.now;
      const d = en.dest;
      // The cached dest is used unless it is in the trash, has weight 0, or is_overloaded();
      // the OVERLOAD flag is not checked here.
      if (isAvailable(d) && d.weight > 0 && !isLocallyOverloaded(d, servers)) return { dest: d, state };
    }
    const dest = weightedLeast(servers, 'conn');
    if (dest === null) return { dest: null, state };
    // ip_vs_lblc_new: keep an entry that already points there, else replace or create it.
    if (en === undefined || en.dest !== dest) {
      if (en !== undefined) unlink(cache, en);
      insert(cache, { key: daddr.key, bucket: bucketOf(daddr), lastuse: env.now, dest });
    }
    return { dest, state };
  },
});
