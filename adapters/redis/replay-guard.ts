import type { Redis } from 'ioredis';
import type { Outcome } from '../../core/model/index.ts';
import { ok } from '../../core/model/index.ts';
import type { ControlKeys } from './keys.ts';
import { storeDown } from './scripts.ts';

/** Message ids already acted on (SNS MessageId), kept for the replay window. */
export function redisReplayGuard(redis: Redis, keys: ControlKeys) {
  const key = (id: string): string => `${keys.prefix}:seen:${id}`;
  return {
    async seen(id: string): Promise<Outcome<boolean>> {
      try {
        return ok((await redis.exists(key(id))) === 1);
      } catch (err) {
        return storeDown(err);
      }
    },
    async remember(id: string, ttlSec: number): Promise<Outcome<undefined>> {
      try {
        await redis.set(key(id), '1', 'EX', ttlSec);
        return ok(undefined);
      } catch (err) {
        return storeDown(err);
      }
    },
  };
}
