import type { Redis } from 'ioredis';
import type { Epoch, Outcome } from '../../core/model/index.ts';
import { conflict, ok } from '../../core/model/index.ts';
import type { Fence, FenceLease, GroupLookup } from '../../core/ports/index.ts';
import { decodeLookup, jobHash } from './group-state-store.ts';
import type { ControlKeys } from './keys.ts';
import { codeOutcome, runScript, storeDown } from './scripts.ts';

export interface RedisFenceOptions {
  /** This process as a lock owner (host/pid/random). */
  owner: string;
  /** Lock lifetime without renewal; renewed every third of it while held. */
  ttlMs: number;
  /** Wall clock for the lock record (Redis' own clock runs the expiry). */
  nowMs: () => number;
  /** How often a waiter looks again while the lock is busy (default 50 ms). */
  pollMs?: number;
  /** A heartbeat failed for good (lock lost) or the store went away; for logs and metrics. */
  onLost?: (group: string, epoch: Epoch, why: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The control plane's fence: a per-group lock with its epoch in Redis (fenceAcquire/fenceRenew/fenceCheck/
 * fenceRelease). A busy lock is waited for (polling, at most its remaining lifetime unless `waitMs`
 * says otherwise), then answered with retry(busy) — never a failure. While held, a heartbeat renews the
 * lock every ttl/3, so a move that takes longer than the ttl keeps it; once a renewal finds the lock gone,
 * every check answers conflict and the holder stops before its next write.
 * Proof: test/adapters/redis/fence.test.ts (wait, heartbeat past the ttl, lost lock stops checks).
 */
export function redisFence(redis: Redis, keys: ControlKeys, o: RedisFenceOptions): Fence {
  const keyPair = (g: string): string[] => [keys.lock(g), keys.epoch(g)];
  type Taken = { epoch: Epoch; looked?: GroupLookup };
  const tryAcquire = async (group: string, jobKey?: string): Promise<Outcome<Taken> | { busyMs: number }> => {
    const args = [o.owner, o.ttlMs, o.nowMs()];
    try {
      if (jobKey === undefined) {
        const r = (await runScript(redis, 'fenceAcquire', keyPair(group), args)) as number | [number, number];
        if (Array.isArray(r)) return { busyMs: Math.max(1, Number(r[1])) };
        return ok({ epoch: Number(r) });
      }
      // Taking the fence and reading what the use case reads first, in one step (fenceAcquireLookup-4.lua).
      const lookupKeys = [keys.group(group), keys.job(group, jobHash(jobKey))];
      const r = (await runScript(redis, 'fenceAcquireLookup', [...keyPair(group), ...lookupKeys], args)) as
        [number, number] | [number, string[], string | null];
      if (Number(r[0]) < 0) return { busyMs: Math.max(1, Number(r[1])) };
      const [epoch, flat, record] = r as [number, string[], string | null];
      return ok({ epoch: Number(epoch), looked: decodeLookup(group, flat, record) });
    } catch (err) {
      return storeDown(err);
    }
  };
  return {
    async acquire(group, options = {}) {
      const waitMs = options.waitMs ?? o.ttlMs;
      const deadline = Date.now() + waitMs;
      for (;;) {
        const r = await tryAcquire(group, options.lookup);
        if (!('busyMs' in r))
          return r.kind === 'ok' ? ok(heldLease(redis, keys, o, group, r.value.epoch, r.value.looked)) : r;
        const left = deadline - Date.now();
        if (left <= 0)
          return {
            kind: 'retry',
            reason: `group '${group}' is busy (another decision holds its lock for ${r.busyMs} ms)`,
            retryAfterMs: Math.min(r.busyMs, o.ttlMs),
            busy: true,
          };
        await sleep(Math.min(o.pollMs ?? 50, r.busyMs, left));
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

function heldLease(
  redis: Redis,
  keys: ControlKeys,
  o: RedisFenceOptions,
  group: string,
  epoch: Epoch,
  looked: GroupLookup | undefined,
): FenceLease {
  let lost: string | null = null;
  let released = false;
  const renew = async (): Promise<void> => {
    try {
      const r = Number(await runScript(redis, 'fenceRenew', [keys.lock(group)], [o.owner, epoch, o.ttlMs]));
      if (r !== 1 && !released && lost === null) {
        lost = `group '${group}' epoch ${epoch}: lock lost (expired or taken over)`;
        o.onLost?.(group, epoch, lost);
      }
    } catch {
      // The store is unreachable: checks say retry meanwhile, and the next beat tells.
    }
  };
  const beat = setInterval(() => void renew(), Math.max(10, Math.floor(o.ttlMs / 3)));
  beat.unref();
  return {
    group,
    epoch,
    ...(looked === undefined ? {} : { looked }),
    async check() {
      if (lost !== null) return conflict(lost);
      try {
        const r = Number(
          await runScript(redis, 'fenceCheck', [keys.lock(group), keys.epoch(group)], [o.owner, epoch]),
        );
        return r === 1 ? ok(undefined) : codeOutcome(r, `group '${group}' epoch ${epoch}`);
      } catch (err) {
        return storeDown(err);
      }
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      try {
        await runScript(redis, 'fenceRelease', [keys.lock(group)], [o.owner, epoch]);
      } catch {
        // The lock expires by itself.
      }
    },
  };
}
