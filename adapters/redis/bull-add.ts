/**
 * Adds a job to a BullMQ queue the way `Queue.add` does, without BullMQ's Queue: BullMQ's own
 * addStandardJob Lua script (includes resolved, as BullMQ ships it) run through ioredis, with the keys,
 * the msgpack'd arguments and options, and the queue meta that Queue.add and the Queue's start-up write.
 * A function's cold start then loads 26 KB of BullMQ instead of all of it (its Queue, every script, the
 * job scheduler's cron-parser and luxon; test/infra/build-functions.test.ts). Only what the control
 * plane's jobs use is taken: a job id, no delay, no priority, no parent, no deduplication, so the script
 * is always the standard one.
 * test/adapters/redis/bull-add.test.ts holds it to Queue.add on real Redis: the same keys and fields, the
 * same events, a duplicate id dropped the same way, and a BullMQ Worker running the job as it runs
 * Queue.add's.
 */
import type { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import { addStandardJob } from 'bullmq/dist/esm/scripts/addStandardJob-9.js';
import { version as bullmqVersion } from 'bullmq/dist/esm/version.js';
import { runLuaScript, type LuaScript } from './scripts.ts';

/** The job options the control plane gives every job (BullMQ's JobsOptions, this subset only). */
export interface BullAddOptions {
  jobId: string;
  attempts: number;
  backoff: { type: 'fixed' | 'exponential'; delay: number };
  removeOnComplete: { age: number; count?: number };
  removeOnFail: { age: number; count?: number };
}

/** The packer of BullMQ's RedisQueueBackend (same options: the script unpacks with cmsgpack). */
const packer = new Packr({ useRecords: false, encodeUndefinedAsNil: true });

const script: LuaScript = {
  name: `bullmqAddStandardJob_${bullmqVersion.replace(/\W/g, '_')}`,
  numberOfKeys: addStandardJob.keys,
  lua: addStandardJob.content,
};

/** The meta fields a BullMQ Queue writes when it connects (no `streams.events.maxLen` option given). */
export const queueMeta = { 'opts.maxLenEvents': 10000, version: `bullmq:${bullmqVersion}` };

/** Job.validateOptions' rules for a custom id. */
function checkJobId(id: string): void {
  if (id === '0' || id.startsWith('0:')) throw new Error("JobId cannot be '0' or start with '0:'");
  if (`${parseInt(id, 10)}` === id) throw new Error('Custom Id cannot be integers');
  if (id.includes(':') && id.split(':').length !== 3) throw new Error('Custom Id cannot contain :');
}

export type BullAdd = (name: string, data: unknown, opts: BullAddOptions) => Promise<string>;

/**
 * `add(name, data, opts)` into the BullMQ queue `queueName` under `prefix` (BullMQ's `prefix` option),
 * resolving with the job's id (a duplicate id resolves with it too, and leaves the first job as it was).
 * The queue meta is written before the first job, in the same connection's order.
 */
export function bullAdder(
  redis: Redis,
  prefix: string,
  queueName: string,
  nowMs = () => Date.now(),
): BullAdd {
  const key = (type: string): string => `${prefix}:${queueName}:${type}`;
  const keys = ['wait', 'paused', 'meta', 'id', 'completed', 'delayed', 'active', 'events', 'marker'].map(
    key,
  );
  let meta: Promise<unknown> | null = null;
  return async (name, data, o) => {
    checkJobId(o.jobId);
    // Job's constructor: `attempts` first, then the options as given (msgpack keeps the order).
    const opts = {
      attempts: o.attempts,
      jobId: o.jobId,
      backoff: o.backoff,
      removeOnComplete: o.removeOnComplete,
      removeOnFail: o.removeOnFail,
    };
    // RedisQueueBackend.addJobToTransaction: key prefix, id, name, timestamp, parent key, parent
    // dependencies key, parent, repeat job key, deduplication key, defer parent release.
    const args = [key(''), o.jobId, name, nowMs(), null, null, undefined, undefined, null, null];
    meta ??= redis.hset(key('meta'), queueMeta).catch((err: unknown) => {
      meta = null;
      throw err;
    });
    const added = runLuaScript(redis, script, keys, [
      packer.pack(args),
      JSON.stringify(data === undefined ? {} : data),
      packer.pack(opts),
    ]);
    const [, id] = await Promise.all([meta, added]);
    if (typeof id === 'number' && id < 0) throw new Error(`BullMQ addStandardJob: error code ${id}`);
    return String(id);
  };
}
