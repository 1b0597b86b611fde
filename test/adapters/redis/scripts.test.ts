// @needs redis
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { AuditEntry } from '../../../core/ports/index.ts';
import {
  controlKeys,
  luaScript,
  luaScripts,
  redisAuditStream,
  redisFence,
  redisGroupStateStore,
} from '../../../adapters/redis/index.ts';
import { dropPrefix, redisUrl } from '../../e2e/control-plane/fixture.ts';

const entry = (job: string, epoch: number): AuditEntry => ({
  atMs: 1,
  group: 'g',
  action: 'failover',
  epoch,
  job,
  source: 'test',
  from: 'a',
  to: 'b',
  outcome: 'ok',
  reason: 'r',
  before: [],
  after: [],
  calls: [],
});

test('every Lua script is named op-N.lua and documents its KEYS and ARGV', () => {
  assert.ok(luaScripts().length >= 7);
  assert.equal(luaScript('nonesuch'), undefined);
  for (const s of luaScripts()) {
    assert.equal(luaScript(s.name), s, `${s.name}: read once`);
    for (let k = 1; k <= s.numberOfKeys; k++)
      assert.match(s.lua, new RegExp(`KEYS\\[${k}\\]`), `${s.name}: KEYS[${k}]`);
    assert.doesNotMatch(
      s.lua,
      new RegExp(`KEYS\\[${s.numberOfKeys + 1}\\]`),
      `${s.name}: more keys than its name says`,
    );
    assert.match(s.lua, /Input:[\s\S]*Output:/, `${s.name}: header`);
  }
});

const fenceOf = (redis: Redis, prefix: string, owner: string, ttlMs = 10_000) =>
  redisFence(redis, controlKeys(prefix), { owner, ttlMs, nowMs: () => 0, pollMs: 5 });

test('fence: epochs only grow, a lock has one owner, release never frees a newer holder', async (t) => {
  const prefix = `t-lua-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl);
  t.after(async () => {
    redis.disconnect();
    await dropPrefix(redisUrl, prefix);
  });
  const A = fenceOf(redis, prefix, 'A');
  const B = fenceOf(redis, prefix, 'B');
  const a = await A.acquire('g');
  assert.ok(a.kind === 'ok' && a.value.epoch === 1);
  const busy = await B.acquire('g', { waitMs: 30 });
  assert.equal(busy.kind, 'retry');
  assert.ok(
    busy.kind === 'retry' && busy.busy === true && (busy.retryAfterMs ?? 0) > 0,
    'busy, with the time left',
  );
  assert.equal((await a.value.check()).kind, 'ok');
  await a.value.release();
  const b = await B.acquire('g');
  assert.ok(b.kind === 'ok' && b.value.epoch === 2);
  await a.value.release(); // A's late release must not free B's lock
  assert.equal((await a.value.check()).kind, 'conflict', 'A is stale');
  assert.equal((await b.value.check()).kind, 'ok');
  assert.deepEqual(await A.current('g'), { kind: 'ok', value: 2 });
  // A script cache flush (as after a Redis restart) is survived: EVALSHA falls back to EVAL.
  await redis.script('FLUSH');
  assert.equal((await b.value.check()).kind, 'ok');
  await b.value.release();
});

test('fence: a waiter gets the lock as soon as the holder lets go; a held lock outlives its ttl by heartbeat', async (t) => {
  const prefix = `t-lua-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl);
  t.after(async () => {
    redis.disconnect();
    await dropPrefix(redisUrl, prefix);
  });
  const A = fenceOf(redis, prefix, 'A', 150);
  const B = fenceOf(redis, prefix, 'B', 150);
  const a = await A.acquire('g');
  assert.ok(a.kind === 'ok');
  const waiting = B.acquire('g', { waitMs: 5000 });
  // Four lock lifetimes pass: the heartbeat keeps A's lock, B keeps waiting.
  await new Promise((r) => setTimeout(r, 600));
  assert.equal((await a.value.check()).kind, 'ok', 'renewed past its ttl');
  await a.value.release();
  const b = await waiting;
  assert.ok(b.kind === 'ok' && b.value.epoch === 2, 'the waiter got it, not a failure');
  // The lock is lost (deleted, as an expiry during a store outage would): the holder stops.
  await redis.del(controlKeys(prefix).lock('g'));
  const c = await A.acquire('g');
  assert.ok(c.kind === 'ok' && c.value.epoch === 3);
  assert.equal((await b.value.check()).kind, 'conflict');
  await c.value.release();
  await b.value.release();
});

test('settle: fenced by epoch, once per job, superseded keeps the holder, partial can finish later', async (t) => {
  const prefix = `t-lua-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl);
  t.after(async () => {
    redis.disconnect();
    await dropPrefix(redisUrl, prefix);
  });
  const keys = controlKeys(prefix);
  const store = redisGroupStateStore(redis, keys);
  const audit = redisAuditStream(redis, keys);
  const lease = await fenceOf(redis, prefix, 'A').acquire('g');
  assert.ok(lease.kind === 'ok');
  const settle = (
    job: string,
    outcome: 'committed' | 'superseded' | 'partial',
    holder: string,
    seq: number,
    epoch = 1,
  ) => store.settle('g', epoch, { job, outcome, holder, seq, decides: true }, entry(job, epoch));
  const c1 = await settle('job-1', 'committed', 'b', 4);
  assert.equal(c1.kind, 'ok');
  assert.deepEqual(await settle('job-1', 'committed', 'b', 4), {
    kind: 'ok',
    value: { auditId: c1.kind === 'ok' ? c1.value.auditId : '', duplicate: true },
  });
  assert.equal(
    (await settle('job-0', 'committed', 'c', 5, 0)).kind,
    'conflict',
    'an older epoch writes nothing',
  );
  const looked = await store.lookup('g', 'job-1');
  assert.ok(looked.kind === 'ok');
  assert.deepEqual(looked.value.job, {
    outcome: 'committed',
    epoch: 1,
    auditId: c1.kind === 'ok' ? c1.value.auditId : '',
  });
  assert.equal(looked.value.state?.holder, 'b');
  assert.equal(looked.value.state?.seq, 4);
  await settle('job-2', 'superseded', 'zzz', 3);
  const s = await store.get('g');
  assert.equal(s.kind === 'ok' && s.value?.holder, 'b', 'superseded changes no holder');
  await settle('job-3', 'partial', 'c', 9);
  const p = await store.lookup('g', 'job-3');
  assert.ok(
    p.kind === 'ok' && p.value.job === null && p.value.state?.holder === 'c',
    'partial: holder kept, job not final',
  );
  const list = await audit.list({ group: 'g', limit: 10 });
  assert.equal(list.kind === 'ok' && list.value.length, 3);
  await store.setHealth('g', 'a', 'down', 5);
  const s2 = await store.get('g');
  assert.deepEqual(s2.kind === 'ok' && s2.value?.health, { a: 'down' });
  await lease.value.release();
});

test('fence with lookup: the lease carries what the store holds, read in the step that takes the lock', async (t) => {
  const prefix = `t-lua-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl);
  t.after(async () => {
    redis.disconnect();
    await dropPrefix(redisUrl, prefix);
  });
  const store = redisGroupStateStore(redis, controlKeys(prefix));
  const A = fenceOf(redis, prefix, 'A');
  const first = await A.acquire('g', { lookup: 'job-1' });
  assert.ok(first.kind === 'ok');
  assert.deepEqual(first.value.looked, { state: null, job: null }, 'a new group: nothing recorded');
  const c1 = await store.settle(
    'g',
    first.value.epoch,
    { job: 'job-1', outcome: 'committed', holder: 'b', seq: 4, decides: true },
    entry('job-1', first.value.epoch),
  );
  assert.ok(c1.kind === 'ok');
  await store.setHealth('g', 'a', 'down', 5);
  await first.value.release();
  // A waiter that takes the lock later reads the state as it is then, equal to the store's own lookup.
  const holder = await fenceOf(redis, prefix, 'B').acquire('g');
  assert.ok(holder.kind === 'ok');
  const waiting = A.acquire('g', { lookup: 'job-1' });
  await store.settle(
    'g',
    holder.value.epoch,
    { job: 'job-2', outcome: 'committed', holder: 'c', seq: 6, decides: true },
    entry('job-2', holder.value.epoch),
  );
  await holder.value.release();
  const again = await waiting;
  assert.ok(again.kind === 'ok');
  const fromStore = await store.lookup('g', 'job-1');
  assert.ok(fromStore.kind === 'ok');
  assert.deepEqual(again.value.looked, fromStore.value);
  assert.equal(again.value.looked?.state?.holder, 'c', 'the decision made while it waited');
  assert.equal(again.value.looked?.job?.outcome, 'committed', 'job-1 settled: a redelivery does nothing');
  assert.deepEqual(again.value.looked?.state?.health, { a: 'down' });
  // Busy is still busy (and carries no lookup).
  const busy = await fenceOf(redis, prefix, 'B').acquire('g', { waitMs: 20, lookup: 'job-1' });
  assert.equal(busy.kind, 'retry');
  await again.value.release();
});
