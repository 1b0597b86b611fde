// @needs redis
/**
 * adapters/redis/bull-add.ts against BullMQ's own Queue.add on real Redis: the same jobs added both ways,
 * each under a prefix of its own, leave the same keys, fields, lists and events (ids and times aside),
 * drop a duplicate id the same way, and a real BullMQ Worker runs them alike, retries and backoff
 * included.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { bullAdder, type BullAddOptions } from '../../../adapters/redis/bull-add.ts';
import { hashTagged } from '../../../adapters/redis/index.ts';
import { dropPrefix, redisUrl } from '../../e2e/control-plane/fixture.ts';

const queueName = 'control';

/** Two prefixes, one per way of adding, removed after the test. */
function prefixes(t: TestContext): { viaQueue: string; direct: string } {
  const id = randomUUID().slice(0, 8);
  const p = { viaQueue: `t-bulladd-q-${id}`, direct: `t-bulladd-d-${id}` };
  t.after(() => Promise.all([dropPrefix(redisUrl, p.viaQueue), dropPrefix(redisUrl, p.direct)]));
  return p;
}

function connect(t: TestContext): Redis {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: null });
  t.after(() => r.disconnect());
  return r;
}

/** Stream entry ids and times differ between two runs; everything else must not. */
const timeFields = new Set(['timestamp', 'processedOn', 'finishedOn']);

/**
 * Every key under `prefix` with its content, the prefix taken out of names and values, times blanked,
 * and msgpack'd fields decoded (so a difference shows as data, not bytes).
 */
async function snapshot(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const tag = hashTagged(prefix);
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${tag}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const norm = (s: string): string => s.split(tag).join('{P}');
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const type = await redis.type(key);
    let v: unknown;
    if (type === 'hash') {
      const h = await redis.hgetall(key);
      v = Object.fromEntries(
        Object.entries(h).map(([f, x]) => [f, timeFields.has(f) ? 'T' : norm(x)] as const),
      );
    } else if (type === 'list') v = (await redis.lrange(key, 0, -1)).map(norm);
    else if (type === 'zset') v = (await redis.zrange(key, '0', '-1')).map(norm);
    else if (type === 'set') v = (await redis.smembers(key)).map(norm).sort();
    else if (type === 'stream') v = (await redis.xrange(key, '-', '+')).map(([, fields]) => fields.map(norm));
    else v = norm((await redis.get(key)) ?? '');
    out[`${type} ${norm(key)}`] = v;
  }
  return out;
}

const opts = (jobId: string): BullAddOptions => ({
  jobId,
  attempts: 3,
  backoff: { type: 'exponential', delay: 10 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
});

test('a job added directly leaves the state Queue.add leaves: keys, fields, lists, events, duplicates', async (t) => {
  const p = prefixes(t);
  const redis = connect(t);
  const queue = new Queue(queueName, { connection: redis, prefix: hashTagged(p.viaQueue) });
  t.after(() => queue.close());
  const add = bullAdder(redis, hashTagged(p.direct), queueName);
  const jobs: [string, unknown, string][] = [
    ['failover', { kind: 'failover', group: 'web', key: 'k1', seq: 1 }, 'failover-aa11'],
    ['sweep', { kind: 'sweep', key: 'scheduled|1' }, 'sweep-bb22'],
    ['failover', { kind: 'failover', group: 'web', key: 'k1', seq: 2 }, 'failover-aa11'], // a duplicate
    ['failover', { kind: 'failover', group: 'db', key: 'ü', seq: 1 }, 'failover-cc33'],
  ];
  const before = Date.now();
  for (const [name, data, id] of jobs) {
    const viaQueue = await queue.add(name, data, opts(id));
    assert.equal(await add(name, data, opts(id)), viaQueue.id);
  }
  // Times are blanked below; the job's own is the wall clock in ms, as Job's constructor takes it.
  const at = Number(await redis.hget(`${hashTagged(p.direct)}:control:sweep-bb22`, 'timestamp'));
  assert.ok(at >= before && at <= Date.now(), `timestamp ${at}`);
  await queue.getVersion(); // the Queue's own start-up write (meta) is done
  const a = await snapshot(redis, p.viaQueue);
  const b = await snapshot(redis, p.direct);
  assert.deepEqual(b, a);
  // The test sees what it compares: the jobs, the duplicate's event, and the options as BullMQ packs them.
  const job = a['hash {P}:control:failover-aa11'] as Record<string, string>;
  assert.equal(JSON.parse(job.data ?? '').seq, 1, 'the first job of an id is kept');
  assert.deepEqual(JSON.parse(job.opts ?? ''), {
    attempts: 3,
    jobId: 'failover-aa11',
    backoff: { type: 'exponential', delay: 10 },
    removeOnComplete: { age: 86400, count: 100000 },
    removeOnFail: { age: 604800 },
  });
  const events = (a['stream {P}:control:events'] as string[][]).map((f) => f[1]);
  assert.deepEqual(events, ['added', 'waiting', 'added', 'waiting', 'duplicated', 'added', 'waiting']);
  assert.deepEqual(a['list {P}:control:wait'], ['failover-cc33', 'sweep-bb22', 'failover-aa11']);
  assert.equal((a['hash {P}:control:meta'] as Record<string, string>).version, 'bullmq:6.7.0');
});

test('a BullMQ Worker runs a directly added job as it runs a Queue.add one, retries and backoff included', async (t) => {
  const p = prefixes(t);
  const redis = connect(t);
  const queue = new Queue(queueName, { connection: redis, prefix: hashTagged(p.viaQueue) });
  t.after(() => queue.close());
  const add = bullAdder(redis, hashTagged(p.direct), queueName);
  await queue.add('failover', { group: 'web' }, opts('failover-1'));
  await add('failover', { group: 'web' }, opts('failover-1'));
  const run = async (prefix: string) => {
    const seen: { id?: string; name: string; data: unknown; opts: unknown; attemptsMade: number }[] = [];
    const done = new Promise<Job>((resolve) => {
      const worker: Worker = new Worker(
        queueName,
        async (job) => {
          seen.push({
            id: job.id,
            name: job.name,
            data: job.data,
            opts: job.opts,
            attemptsMade: job.attemptsMade,
          });
          if (job.attemptsMade < 1) throw new Error('first try fails');
          return { ok: job.data };
        },
        { connection: connect(t), prefix: hashTagged(prefix) },
      );
      worker.on('completed', (job) => resolve(job));
      t.after(() => worker.close());
    });
    const job = await done;
    return {
      seen,
      returnvalue: job.returnvalue,
      attemptsMade: job.attemptsMade,
      failedReason: job.failedReason,
    };
  };
  const [viaQueue, direct] = await Promise.all([run(p.viaQueue), run(p.direct)]);
  assert.deepEqual(direct, viaQueue);
  assert.equal(viaQueue.seen.length, 2, 'failed once, then ran again');
  assert.deepEqual(viaQueue.returnvalue, { ok: { group: 'web' } });
});
