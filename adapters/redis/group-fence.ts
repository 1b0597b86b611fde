import type { Redis } from 'ioredis';
import type { Epoch, Outcome } from '../../core/model/index.ts';
import { ok } from '../../core/model/index.ts';
import type { GroupFence } from '../../core/ports/index.ts';
import type { ControlKeys } from './keys.ts';
import { codeOutcome, runScript, storeDown } from './scripts.ts';

/** GroupFence on Redis: lock + epoch in fenceAcquire/fenceCheck/fenceRelease Lua scripts. */
export function redisGroupFence(redis: Redis, keys: ControlKeys): GroupFence {
  return {
    async acquire(group, owner, ttlMs, nowMs): Promise<Outcome<{ epoch: Epoch }>> {
      try {
        const r = Number(
          await runScript(
            redis,
            'fenceAcquire',
            [keys.lock(group), keys.epoch(group)],
            [owner, ttlMs, nowMs],
          ),
        );
        return r > 0 ? ok({ epoch: r }) : codeOutcome(r, `group '${group}'`);
      } catch (err) {
        return storeDown(err);
      }
    },
    async check(group, owner, epoch) {
      try {
        const r = Number(
          await runScript(redis, 'fenceCheck', [keys.lock(group), keys.epoch(group)], [owner, epoch]),
        );
        return r === 1 ? ok(undefined) : codeOutcome(r, `group '${group}' epoch ${epoch}`);
      } catch (err) {
        return storeDown(err);
      }
    },
    async release(group, owner, epoch) {
      try {
        await runScript(redis, 'fenceRelease', [keys.lock(group)], [owner, epoch]);
        return ok(undefined);
      } catch (err) {
        return storeDown(err);
      }
    },
    async current(group) {
      try {
        return ok(Number((await redis.get(keys.epoch(group))) ?? '0'));
      } catch (err) {
        return storeDown(err);
      }
    },
  };
}
