import type { Redis } from 'ioredis';
import type { Outcome } from '../../core/model/index.ts';
import { ok } from '../../core/model/index.ts';
import type { ControlKeys } from './keys.ts';
import { storeDown } from './scripts.ts';

/**
 * Message ids already acted on (SNS MessageId, the generic hook's signature), claimed atomically with
 * `SET NX EX`: of any number of concurrent copies exactly one gets `true`, and the id stays claimed for
 * `ttlSec` (the caller passes the whole window in which the message would pass its freshness check).
 */
export function redisReplayGuard(redis: Redis, keys: ControlKeys) {
  const key = (id: string): string => `${keys.prefix}:seen:${id}`;
  return {
    async claim(id: string, ttlSec: number): Promise<Outcome<boolean>> {
      try {
        return ok((await redis.set(key(id), '1', 'EX', ttlSec, 'NX')) === 'OK');
      } catch (err) {
        return storeDown(err);
      }
    },
    async release(id: string): Promise<Outcome<undefined>> {
      try {
        await redis.del(key(id));
        return ok(undefined);
      } catch (err) {
        return storeDown(err);
      }
    },
  };
}
