import { hash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ok } from '../../core/model/index.ts';
import type {
  GroupLookup,
  GroupState,
  GroupStateStore,
  JobOutcome,
  JobRecord,
  MemberHealth,
} from '../../core/ports/index.ts';
import { auditMaxLen } from './audit-stream.ts';
import { keepFailed } from './job-queue.ts';
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
    seq: Number(h.seq ?? '0'),
    health,
    updatedAtMs: Number(h.updatedAt ?? '0'),
    lastJob: h.lastJob ?? null,
  };
}

const outcomes: readonly JobOutcome[] = ['committed', 'noop', 'superseded', 'partial'];

export function decodeJobRecord(v: string | null): JobRecord | null {
  if (v === null) return null;
  const [outcome = '', epoch = '0', ...id] = v.split('|');
  if (!outcomes.includes(outcome as JobOutcome)) return null;
  return { outcome: outcome as JobOutcome, epoch: Number(epoch), auditId: id.join('|') };
}

/** A lookup's reply (the group hash as a flat field/value list, the job record or null), decoded. */
export function decodeLookup(group: string, flat: string[], record: string | null): GroupLookup {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] as string] = flat[i + 1] as string;
  return { state: decodeGroupState(group, h), job: decodeJobRecord(record) };
}

/** The job record key: the job key hashed (keys are up to 512 characters of caller text). */
export const jobHash = (jobKey: string): string => hash('sha256', jobKey, 'hex').slice(0, 40);

/**
 * How long a job's outcome is kept: as long as the queue keeps failed jobs (the longest it may redeliver
 * or retry one), so a redelivered job always finds it.
 */
export const jobRecordSec = keepFailed.age;

/** GroupStateStore on a Redis hash per group; settlements go through groupSettle-4.lua. */
export function redisGroupStateStore(redis: Redis, keys: ControlKeys): GroupStateStore {
  return {
    async get(group) {
      try {
        return ok(decodeGroupState(group, await redis.hgetall(keys.group(group))));
      } catch (err) {
        return storeDown(err);
      }
    },
    async lookup(group, jobKey) {
      try {
        const [flat, j] = (await runScript(
          redis,
          'groupLookup',
          [keys.group(group), keys.job(group, jobHash(jobKey))],
          [],
        )) as [string[], string | null];
        return ok(decodeLookup(group, flat, j));
      } catch (err) {
        return storeDown(err);
      }
    },
    async settle(group, epoch, s, audit) {
      try {
        const r = await runScript(
          redis,
          'groupSettle',
          [keys.epoch(group), keys.group(group), keys.audit(), keys.job(group, jobHash(s.job))],
          [
            epoch,
            s.holder ?? '',
            s.job,
            audit.atMs,
            JSON.stringify(audit),
            group,
            auditMaxLen,
            s.outcome,
            s.seq,
            s.decides ? '1' : '0',
            jobRecordSec,
          ],
        );
        if (!Array.isArray(r)) return codeOutcome(Number(r), `group '${group}' settle`);
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
