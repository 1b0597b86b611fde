import type { Redis } from 'ioredis';
import { ok } from '../../core/model/index.ts';
import type { GroupState, GroupStateStore, MemberHealth } from '../../core/ports/index.ts';
import { auditMaxLen } from './audit-stream.ts';
import type { ControlKeys } from './keys.ts';
import { codeOutcome, runScript, storeDown } from './scripts.ts';

const healthOf = (v: string): MemberHealth => (v === 'up' || v === 'down' ? v : 'unknown');

export function decodeGroupState(group: string, h: Record<string, string>): GroupState | null {
  if (Object.keys(h).length === 0) return null;
  const health: Record<string, MemberHealth> = {};
  for (const [k, v] of Object.entries(h)) if (k.startsWith('health:')) health[k.slice(7)] = healthOf(v);
  return {
    group,
    holder: h.holder ? h.holder : null,
    epoch: Number(h.epoch ?? '0'),
    health,
    updatedAtMs: Number(h.updatedAt ?? '0'),
    lastJob: h.lastJob ?? null,
  };
}

/** GroupStateStore on a Redis hash per group; commits go through groupCommit-3.lua. */
export function redisGroupStateStore(redis: Redis, keys: ControlKeys): GroupStateStore {
  return {
    async get(group) {
      try {
        return ok(decodeGroupState(group, await redis.hgetall(keys.group(group))));
      } catch (err) {
        return storeDown(err);
      }
    },
    async commit(group, epoch, change, audit) {
      try {
        const r = await runScript(
          redis,
          'groupCommit',
          [keys.epoch(group), keys.group(group), keys.audit()],
          [epoch, change.holder ?? '', change.job, audit.atMs, JSON.stringify(audit), group, auditMaxLen],
        );
        if (!Array.isArray(r)) return codeOutcome(Number(r), `group '${group}' commit`);
        return ok({ auditId: String(r[1]), duplicate: Number(r[0]) === 0 });
      } catch (err) {
        return storeDown(err);
      }
    },
    async setHealth(group, member, health, nowMs) {
      try {
        await redis.hset(keys.group(group), `health:${member}`, health, 'healthAt', nowMs);
        return ok(undefined);
      } catch (err) {
        return storeDown(err);
      }
    },
  };
}
