// @needs redis
/**
 * Exactly-once in effect, on real Redis and a real BullMQ worker, through the HTTP API: a redelivered job
 * that already settled never acts again; accepted jobs on a busy group all end committed, no-op or
 * superseded (never failed); a sweep never overrides a newer decision. The same under random faults:
 * test/chaos/chaos.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findGroup, runSweep } from '../../../core/app/index.ts';
import { MemoryVipProvider } from '../../../adapters/memory/index.ts';
import { startServe } from '../../../functions/serve/index.ts';
import { startWorker } from '../../../functions/worker/index.ts';
import { GatedProvider, gate } from '../../core/app/gated-provider.ts';
import { controlFixture, eventually, opsToken } from './fixture.ts';

async function stack(t: Parameters<typeof controlFixture>[0], provider: GatedProvider, patch = {}) {
  const f = await controlFixture(t, { providers: { memory: provider }, patch });
  const server = await startServe(f.cp, { port: 0 });
  f.defer(() => server.close());
  const worker = await startWorker(f.cp, { schedule: false });
  f.defer(() => worker.close());
  const post = async (action: string, body: unknown, key?: string) => {
    const res = await fetch(`${server.url}/v1/groups/web/${action}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${opsToken}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { job: string }).job;
  };
  const jobs = async (state: string) => {
    const res = await fetch(`${server.url}/v1/jobs?state=${state}&limit=1000`, {
      headers: { authorization: `Bearer ${opsToken}` },
    });
    return (
      (await res.json()) as {
        jobs: Array<{ id: string; result: { outcome: string } | null; failedReason: string | null }>;
      }
    ).jobs;
  };
  return { ...f, post, jobs };
}

test('a settled job that BullMQ delivers again does nothing: it never undoes the newer decision', async (t) => {
  const memory = new MemoryVipProvider('memory');
  memory.set('web-vip', 'a');
  const { cp, post, jobs } = await stack(t, new GatedProvider(memory));
  const k1 = await post('switchover', { to: 'b' }, 'K1');
  await eventually(async () => ((await jobs('completed')).some((j) => j.id === k1) ? true : undefined), 'K1');
  const k2 = await post('switchover', { to: 'a' }, 'K2');
  await eventually(async () => ((await jobs('completed')).some((j) => j.id === k2) ? true : undefined), 'K2');
  const writes = memory.calls.filter((c) => c.operation === 'set').length;
  // Redelivery: the same job, same id and data, back in the queue (as a stalled job is after an outage).
  const job = await (await cp.queue()).getJob(k1);
  assert.ok(job);
  await job.retry('completed');
  const again = await eventually(async () => {
    const j = (await jobs('completed')).find((x) => x.id === k1);
    return j?.result?.outcome === 'duplicate' ? j : undefined;
  }, 'K1 to run again');
  assert.equal(again.result?.outcome, 'duplicate');
  const seen = await memory.observe({ id: 'web-vip', provider: 'memory', kind: 'address', spec: {} });
  assert.equal(seen.kind === 'ok' && seen.value.holder, 'a', 'the newer decision stands');
  assert.equal(memory.calls.filter((c) => c.operation === 'set').length, writes, 'no provider write');
  const audit = await cp.api.audit.list({ group: 'web', limit: 50 });
  const entries = audit.kind === 'ok' ? audit.value : [];
  assert.equal(entries.filter((e) => e.job === 'manual|web|K1').length, 1, 'K1 has one audit entry');
});

test('a busy group: every accepted manual failover ends committed, no-op or superseded, none failed', async (t) => {
  const memory = new MemoryVipProvider('memory');
  memory.set('web-vip', 'a');
  const slow = new GatedProvider(memory);
  slow.beforeAcquire = () => new Promise((r) => setTimeout(r, 150)); // each move takes longer than...
  const { post, jobs } = await stack(t, slow, {
    worker: { concurrency: 8, lockTtlMs: 100, attempts: 1, backoffMs: 10 }, // ...the lock's lifetime
  });
  const targets = Array.from({ length: 12 }, (_, i) => ['a', 'b', 'c'][i % 3] as string);
  const ids: string[] = [];
  for (const to of targets) ids.push(await post('switchover', { to }));
  const done = await eventually(
    async () => {
      const c = await jobs('completed');
      return ids.every((id) => c.some((j) => j.id === id)) ? c : undefined;
    },
    'every accepted job to finish',
    60_000,
  );
  assert.deepEqual(await jobs('failed'), [], 'no job failed because the group was busy');
  const outcomes = ids.map((id) => done.find((j) => j.id === id)?.result?.outcome);
  assert.ok(
    outcomes.every((o) => o === 'committed' || o === 'noop' || o === 'superseded'),
    outcomes.join(','),
  );
  const seen = await memory.observe({ id: 'web-vip', provider: 'memory', kind: 'address', spec: {} });
  // The last accepted request names c; whatever order the worker took them in, an older one never
  // lands after a newer one.
  assert.equal(seen.kind === 'ok' && seen.value.holder, targets.at(-1));
});

test('a sweep that read before a switchover committed queues nothing; its older job is superseded', async (t) => {
  const memory = new MemoryVipProvider('memory');
  memory.set('web-vip', 'a');
  const gated = new GatedProvider(memory);
  const { cp, post, jobs } = await stack(t, gated);
  const first = await post('switchover', { to: 'a' });
  await eventually(
    async () => ((await jobs('completed')).some((j) => j.id === first) ? true : undefined),
    'first',
  );
  // The sweep reads the provider slowly; a switchover to c commits meanwhile.
  const reading = gate();
  const release = gate();
  const observe = gated.observe.bind(gated);
  let stalled = false;
  gated.observe = async (r) => {
    const seen = await observe(r);
    if (!stalled) {
      stalled = true;
      reading.open();
      await release.wait;
    }
    return seen;
  };
  const sweep = runSweep(cp.worker, ['web']);
  await reading.wait;
  gated.observe = observe;
  const switched = await post('switchover', { to: 'c' });
  await eventually(
    async () => ((await jobs('completed')).some((j) => j.id === switched) ? true : undefined),
    'switch',
  );
  release.open();
  const findings = await sweep;
  assert.ok(findings.kind === 'ok');
  assert.equal(findings.value[0]?.verdict, 'moved', 'a decision committed while it read: it queues nothing');
  // A reconcile queued from a reading that a newer decision overtook (epoch 1) is superseded when it runs.
  const group = findGroup(cp.config, 'web');
  assert.ok(group);
  const q = await cp.api.queue.enqueue({
    kind: 'failover',
    key: 'sweep|web|1|drift',
    group: 'web',
    to: 'a',
    action: 'reconcile',
    reason: 'sweep: drift',
    source: 'sweep',
    basedOnEpoch: 1,
  });
  assert.ok(q.kind === 'ok');
  const done = await eventually(
    async () => (await jobs('completed')).find((j) => j.id === q.value.id),
    'reconcile',
  );
  assert.equal(done.result?.outcome, 'superseded');
  const seen = await memory.observe({ id: 'web-vip', provider: 'memory', kind: 'address', spec: {} });
  assert.equal(seen.kind === 'ok' && seen.value.holder, 'c', 'the sweep never moves the group back');
});
