// @needs redis
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { AuditEntry } from '../../../core/ports/index.ts';
import {
  controlKeys,
  luaScripts,
  redisAuditStream,
  redisGroupFence,
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
  assert.ok(luaScripts.size >= 7);
  for (const s of luaScripts.values()) {
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

test('fence: epochs only grow, a lock has one owner, release never frees a newer holder', async (t) => {
  const prefix = `t-lua-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl);
  t.after(async () => {
    redis.disconnect();
    await dropPrefix(redisUrl, prefix);
  });
  const keys = controlKeys(prefix);
  const fence = redisGroupFence(redis, keys);
  const a = await fence.acquire('g', 'A', 10_000, 0);
  assert.deepEqual(a, { kind: 'ok', value: { epoch: 1 } });
  assert.equal((await fence.acquire('g', 'B', 10_000, 0)).kind, 'retry');
  assert.equal((await fence.check('g', 'A', 1)).kind, 'ok');
  assert.equal((await fence.check('g', 'B', 1)).kind, 'conflict');
  await fence.release('g', 'B', 1); // not B's: nothing happens
  assert.equal((await fence.check('g', 'A', 1)).kind, 'ok');
  await fence.release('g', 'A', 1);
  assert.deepEqual(await fence.acquire('g', 'B', 10_000, 0), { kind: 'ok', value: { epoch: 2 } });
  await fence.release('g', 'A', 1); // A's late release must not free B's lock
  assert.equal((await fence.check('g', 'B', 2)).kind, 'ok');
  assert.deepEqual(await fence.current('g'), { kind: 'ok', value: 2 });
  // A script cache flush (as after a Redis restart) is survived: EVALSHA falls back to EVAL.
  await redis.script('FLUSH');
  assert.equal((await fence.check('g', 'B', 2)).kind, 'ok');
});

test('commit: fenced by epoch, once per job key, and the audit entry is written with it', async (t) => {
  const prefix = `t-lua-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl);
  t.after(async () => {
    redis.disconnect();
    await dropPrefix(redisUrl, prefix);
  });
  const keys = controlKeys(prefix);
  const fence = redisGroupFence(redis, keys);
  const store = redisGroupStateStore(redis, keys);
  const audit = redisAuditStream(redis, keys);
  await fence.acquire('g', 'A', 10_000, 0);
  const c1 = await store.commit('g', 1, { holder: 'b', job: 'job-1' }, entry('job-1', 1));
  assert.equal(c1.kind, 'ok');
  const c2 = await store.commit('g', 1, { holder: 'b', job: 'job-1' }, entry('job-1', 1));
  assert.deepEqual(c2, {
    kind: 'ok',
    value: { auditId: c1.kind === 'ok' ? c1.value.auditId : '', duplicate: true },
  });
  assert.equal(
    (await store.commit('g', 0, { holder: 'c', job: 'job-0' }, entry('job-0', 0))).kind,
    'conflict',
  );
  const list = await audit.list({ group: 'g', limit: 10 });
  assert.equal(list.kind === 'ok' && list.value.length, 1);
  const s = await store.get('g');
  assert.equal(s.kind === 'ok' && s.value?.holder, 'b');
  await store.setHealth('g', 'a', 'down', 5);
  const s2 = await store.get('g');
  assert.deepEqual(s2.kind === 'ok' && s2.value?.health, { a: 'down' });
});
