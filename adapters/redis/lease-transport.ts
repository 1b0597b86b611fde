import type { Redis } from 'ioredis';
import * as z from 'zod';
import { conflict, ok } from '../../core/model/index.ts';
import type { LeaseAdvert, LeaseTransport, Logger } from '../../core/ports/index.ts';
import type { ControlKeys } from './keys.ts';
import { runScript, storeDown } from './scripts.ts';

const advertSchema = z.lazy(() =>
  z.object({
    scope: z.string(),
    node: z.string().min(1),
    address: z.string().min(1),
    priority: z.number().int().min(0).max(255),
    intervalMs: z.number().int().min(10).max(40_950),
    vips: z.array(z.string()),
    sentAtMs: z.number(),
  }),
);

const channel = (keys: ControlKeys, scope: string): string => `${keys.lease(scope)}:adverts`;

/**
 * LeaseTransport on Redis: adverts on a pub/sub channel per scope, the lease and its epoch in
 * leaseClaim/leaseRenew/leaseRelease Lua scripts. Subscriptions use their own connection.
 */
export function redisLeaseTransport(redis: Redis, keys: ControlKeys, logger: Logger): LeaseTransport {
  return {
    async publish(advert) {
      try {
        await redis.publish(channel(keys, advert.scope), JSON.stringify(advert));
        return ok(undefined);
      } catch (err) {
        return storeDown(err);
      }
    },
    async subscribe(scope, onAdvert) {
      const sub = redis.duplicate();
      sub.on('error', () => undefined);
      try {
        await sub.subscribe(channel(keys, scope));
      } catch (err) {
        sub.disconnect();
        return storeDown(err);
      }
      sub.on('message', (_ch: string, text: string) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          logger.warn('lease advert is not JSON; dropped', { scope });
          return;
        }
        const a = advertSchema.safeParse(parsed);
        if (!a.success || a.data.scope !== scope) {
          logger.warn('lease advert malformed; dropped', { scope, issue: a.error?.issues[0]?.message });
          return;
        }
        onAdvert(a.data as LeaseAdvert);
      });
      return ok({
        async close() {
          await sub.quit().catch(() => sub.disconnect());
        },
      });
    },
    async claim(scope, node, priority, address, ttlMs) {
      try {
        const r = Number(
          await runScript(
            redis,
            'leaseClaim',
            [keys.lease(scope), keys.leaseEpoch(scope)],
            [node, priority, address, ttlMs],
          ),
        );
        return r > 0
          ? ok({ epoch: r })
          : conflict(`lease '${scope}' is held by a node this one may not preempt`);
      } catch (err) {
        return storeDown(err);
      }
    },
    async renew(scope, node, epoch, ttlMs) {
      try {
        const r = Number(await runScript(redis, 'leaseRenew', [keys.lease(scope)], [node, epoch, ttlMs]));
        return r === 1 ? ok(undefined) : conflict(`lease '${scope}' epoch ${epoch} lost`);
      } catch (err) {
        return storeDown(err);
      }
    },
    async release(scope, node, epoch) {
      try {
        await runScript(redis, 'leaseRelease', [keys.lease(scope)], [node, epoch]);
        return ok(undefined);
      } catch (err) {
        return storeDown(err);
      }
    },
  };
}
