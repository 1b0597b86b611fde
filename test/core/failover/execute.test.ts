import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backoffDelayMs,
  defaultFailoverPolicy,
  runFailover,
  tokenBucket,
  withRetries,
  type ExecuteDeps,
} from '../../../core/failover/index.ts';
import { ManualClock, MemoryVipProvider, seededRandom } from '../../../adapters/memory/index.ts';
import type { VipResource } from '../../../core/ports/index.ts';

const fast = {
  ...defaultFailoverPolicy,
  call: { ...defaultFailoverPolicy.call, baseMs: 0, capMs: 0 },
  action: { ...defaultFailoverPolicy.action, baseMs: 0, capMs: 0 },
};
const res = (id: string): VipResource => ({ id, provider: 'memory', kind: 'record', spec: {} });

function deps(provider: MemoryVipProvider, ids: string[], dryRun = false): ExecuteDeps {
  return {
    providers: new Map([['memory', provider]]),
    resources: new Map(ids.map((id) => [id, res(id)])),
    holders: new Map(['a', 'b'].map((id) => [id, { id, spec: {} }])),
    policy: fast,
    random: seededRandom(1),
    sleep: async () => {},
    dryRun,
  };
}

test('failover moves free and fenced resources, then a repeat changes nothing', async () => {
  const p = new MemoryVipProvider();
  p.set('r1', 'b');
  const d = deps(p, ['r1', 'r2']);
  const first = await runFailover({ resources: ['r1', 'r2'], desired: 'a', epoch: 2, fenced: ['b'] }, d);
  assert.equal(first.kind, 'done');
  assert.ok(first.kind === 'done' && first.report.ok);
  assert.deepEqual(first.kind === 'done' && first.report.changed, ['r1', 'r2']);
  const again = await runFailover({ resources: ['r1', 'r2'], desired: 'a', epoch: 2, fenced: ['b'] }, d);
  assert.deepEqual(again.kind === 'done' && again.report.changed, []);
});

test('dry run reports writes and changes nothing', async () => {
  const p = new MemoryVipProvider();
  const out = await runFailover(
    { resources: ['r1'], desired: 'a', epoch: 1, fenced: [] },
    deps(p, ['r1'], true),
  );
  assert.ok(out.kind === 'done');
  const r = out.report.results[0]?.outcome;
  assert.ok(r?.kind === 'ok');
  assert.deepEqual(
    r.value.calls.map((c) => c.operation),
    ['set'],
  );
  const seen = await p.observe(res('r1'));
  assert.ok(seen.kind === 'ok' && seen.value.holder === null);
});

test('a live holder blocks the failover; the result says so and nothing moves', async () => {
  const p = new MemoryVipProvider();
  p.set('r1', 'b');
  const out = await runFailover({ resources: ['r1'], desired: 'a', epoch: 1, fenced: [] }, deps(p, ['r1']));
  assert.ok(out.kind === 'done' && !out.report.ok && out.report.results[0]?.action.kind === 'blocked');
  const seen = await p.observe(res('r1'));
  assert.ok(seen.kind === 'ok' && seen.value.holder === 'b');
});

test('throttled calls are retried and the failover completes', async () => {
  const p = new MemoryVipProvider();
  p.throttleNext(2);
  const out = await runFailover({ resources: ['r1'], desired: 'a', epoch: 1, fenced: [] }, deps(p, ['r1']));
  assert.ok(out.kind === 'done' && out.report.ok);
});

test('withRetries stops at the policy limit and returns the last retry', async () => {
  let n = 0;
  const out = await withRetries(
    { attempts: 3, baseMs: 1, capMs: 1, factor: 1, jitter: 'none' },
    { random: seededRandom(2), sleep: async () => {} },
    async () => {
      n++;
      return { kind: 'retry', reason: `try ${n}` };
    },
  );
  assert.deepEqual(out, { kind: 'retry', reason: 'try 3' });
});

test('backoff grows, is capped, and never undercuts Retry-After', () => {
  const p = { attempts: 9, baseMs: 100, capMs: 1000, factor: 2, jitter: 'none' as const };
  const r = seededRandom(3);
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelayMs(p, n, r)),
    [100, 200, 400, 800, 1000],
  );
  assert.equal(backoffDelayMs(p, 1, r, 5000), 5000);
  for (let i = 0; i < 50; i++) {
    const d = backoffDelayMs({ ...p, jitter: 'full' }, 3, r);
    assert.ok(d >= 0 && d <= 400);
  }
});

test('token bucket serves the burst at once, then paces by the refill rate', async () => {
  const clock = new ManualClock();
  const slept: number[] = [];
  const bucket = tokenBucket({ perSecond: 10, burst: 2 }, clock, async (ms) => {
    slept.push(ms);
    clock.advance(ms);
  });
  for (let i = 0; i < 4; i++) await bucket.take();
  assert.deepEqual(slept.map(Math.round), [100, 100]);
});

test('a reconcile of a healthy group reads each resource once and writes nothing', async () => {
  const p = new MemoryVipProvider();
  const d = deps(p, ['r1', 'r2', 'r3']);
  await runFailover({ resources: ['r1', 'r2', 'r3'], desired: 'a', epoch: 1, fenced: [] }, d);
  const before = p.calls.length;
  const out = await runFailover({ resources: ['r1', 'r2', 'r3'], desired: 'a', epoch: 1, fenced: [] }, d);
  assert.ok(out.kind === 'done' && out.report.ok && out.report.changed.length === 0);
  assert.deepEqual(
    p.calls.slice(before).map((c) => c.operation),
    ['get', 'get', 'get'],
  );
});
