/**
 * The one failover use case on in-memory ports (no Redis, no root): exactly-once in effect, supersession,
 * independent resources, mixed resources, lost fences, busy groups and groups spanning providers.
 * The same rules on real Redis and BullMQ: test/e2e/control-plane/exactly-once.test.ts; under faults:
 * test/chaos/chaos.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFailover, type FailoverDeps } from '../../../core/app/index.ts';
import type { GroupConfig } from '../../../core/config/failover-group.ts';
import { defaultFailoverPolicy } from '../../../core/failover/index.ts';
import type { Outcome } from '../../../core/model/index.ts';
import type { FailoverJob, Observation, VipProvider, VipResource } from '../../../core/ports/index.ts';
import {
  ManualClock,
  MemoryFence,
  MemoryGroupStore,
  MemoryVipProvider,
  seededRandom,
  silentLogger,
} from '../../../adapters/memory/index.ts';
import { GatedProvider, gate } from './gated-provider.ts';

const quick = { attempts: 2, baseMs: 0, capMs: 0, factor: 1, jitter: 'none' as const };

function setup(o: { providers?: Record<string, VipProvider>; group?: GroupConfig } = {}) {
  const memory = new MemoryVipProvider('memory');
  const providers: Record<string, VipProvider> = o.providers ?? { memory };
  const fence = new MemoryFence();
  const store = new MemoryGroupStore({ newest: (g) => fence.newest(g) });
  const group: GroupConfig = o.group ?? {
    id: 'web',
    members: [
      { id: 'a', priority: 200, settings: {} },
      { id: 'b', priority: 150, settings: {} },
      { id: 'c', priority: 100, settings: {} },
    ],
    resources: [
      { id: 'vip', provider: 'memory', kind: 'address', spec: {} },
      { id: 'route', provider: 'memory', kind: 'route', spec: {} },
    ],
  };
  const deps: FailoverDeps = {
    clock: new ManualClock(),
    logger: silentLogger,
    random: seededRandom(1),
    sleep: () => Promise.resolve(),
    policy: { ...defaultFailoverPolicy, action: quick },
    fence,
    state: store,
    audit: store,
    providers: (n) => providers[n],
    providerConfigs: Object.fromEntries(
      Object.keys(providers).map((n) => [n, { type: n === 'memory' ? 'memory' : n, settings: {} }]),
    ),
  };
  return { memory, fence, store, deps, group };
}

let keys = 0;
const job = (p: Partial<FailoverJob> = {}): FailoverJob => ({
  kind: 'failover',
  key: `k${++keys}`,
  group: 'web',
  action: 'switchover',
  reason: 'test',
  source: 'test',
  ...p,
});

const holder = async (p: VipProvider, id: string): Promise<string | null> => {
  const r = await p.observe({ id, provider: 'memory', kind: 'address', spec: {} });
  return r.kind === 'ok' ? r.value.holder : 'unreadable';
};

test('a settled job that runs again does nothing: it never undoes a newer decision', async () => {
  const { memory, deps, group, store } = setup();
  const k1 = job({ to: 'b', seq: 1 });
  const first = await runFailover(deps, { group, job: k1 });
  assert.equal(first.kind === 'ok' && first.value.outcome, 'committed');
  const k2 = await runFailover(deps, { group, job: job({ to: 'a', seq: 2 }) });
  assert.equal(k2.kind === 'ok' && k2.value.outcome, 'committed');
  const writes = memory.calls.filter((c) => c.operation === 'set').length;
  // The queue redelivers K1 (a stalled job after a Redis outage): same key, same data.
  const again = await runFailover(deps, { group, job: k1 });
  assert.equal(again.kind === 'ok' && again.value.outcome, 'duplicate');
  assert.equal(await holder(memory, 'vip'), 'a', 'the newer decision stands');
  assert.equal(memory.calls.filter((c) => c.operation === 'set').length, writes, 'no provider write');
  assert.equal(store.entries.filter((e) => e.job === k1.key).length, 1, 'one audit entry for K1');
});

test('a job accepted before a newer deciding commit is superseded, recorded, and moves nothing', async () => {
  const { memory, deps, group, store } = setup();
  await runFailover(deps, { group, job: job({ to: 'a', seq: 1 }) });
  const newer = await runFailover(deps, { group, job: job({ to: 'c', seq: 3 }) });
  assert.equal(newer.kind === 'ok' && newer.value.outcome, 'committed');
  const late = job({ to: 'b', seq: 2 }); // accepted before the move to c, run after it (retried, delayed)
  const r = await runFailover(deps, { group, job: late });
  assert.equal(r.kind === 'ok' && r.value.outcome, 'superseded');
  assert.equal(await holder(memory, 'vip'), 'c');
  const entry = store.entries.find((e) => e.job === late.key);
  assert.equal(entry?.outcome, 'superseded');
  assert.equal(entry?.from, 'c');
  assert.equal(entry?.to, 'c', 'a superseded entry keeps the chain: from = to = the holder');
  assert.equal(
    (await runFailover(deps, { group, job: late })).kind === 'ok' &&
      store.entries.filter((e) => e.job === late.key).length,
    1,
  );
});

test('a newer no-op that named no target does not supersede an older explicit request', async () => {
  const { memory, deps, group } = setup();
  await runFailover(deps, { group, job: job({ to: 'a', seq: 1 }) });
  const noop = await runFailover(deps, { group, job: job({ action: 'failover', down: ['c'], seq: 3 }) });
  assert.equal(noop.kind === 'ok' && noop.value.outcome, 'noop', 'a stays: c being down changes nothing');
  const r = await runFailover(deps, { group, job: job({ to: 'b', seq: 2 }) });
  assert.equal(r.kind === 'ok' && r.value.outcome, 'committed');
  assert.equal(await holder(memory, 'vip'), 'b');
});

test('a sweep job decided from a reading older than the newest commit is superseded', async () => {
  const { memory, deps, group } = setup();
  const first = await runFailover(deps, { group, job: job({ to: 'a', seq: 1 }) });
  const epoch = first.kind === 'ok' ? first.value.epoch : -1;
  await runFailover(deps, { group, job: job({ to: 'c', seq: 2 }) });
  const sweep = job({ to: 'a', action: 'reconcile', source: 'sweep', seq: 3, basedOnEpoch: epoch });
  const r = await runFailover(deps, { group, job: sweep });
  assert.equal(r.kind === 'ok' && r.value.outcome, 'superseded');
  assert.equal(await holder(memory, 'vip'), 'c', 'the sweep does not move the group back');
});

/** A provider that cannot read one resource (a stale id) and delegates the rest. */
class BrokenOne extends GatedProvider {
  broken: string;
  constructor(inner: VipProvider, broken: string) {
    super(inner);
    this.broken = broken;
  }
  override observe(r: VipResource): Promise<Outcome<Observation>> {
    return r.id === this.broken
      ? Promise.resolve({ kind: 'give-up', reason: `${r.id}: InvalidAllocationID.NotFound` })
      : super.observe(r);
  }
}

test('one unreadable resource is reported; the others move (partial, not final)', async () => {
  const memory = new MemoryVipProvider('memory');
  const broken = new BrokenOne(memory, 'vip');
  const { deps, group, store } = setup({ providers: { memory: broken } });
  memory.set('route', 'a');
  const k = job({ to: 'b', seq: 1 });
  const r = await runFailover(deps, { group, job: k });
  assert.ok(r.kind === 'ok');
  assert.equal(r.value.outcome, 'partial');
  assert.deepEqual(
    r.value.failed.map((f) => f.resource),
    ['vip'],
  );
  assert.equal(await holder(memory, 'route'), 'b', 'the readable resource moved');
  // Not final: once the resource reads again, the same job finishes the move.
  broken.broken = 'none';
  const again = await runFailover(deps, { group, job: k });
  assert.equal(again.kind === 'ok' && again.value.outcome, 'committed');
  assert.equal(await holder(memory, 'vip'), 'b');
  assert.deepEqual(store.entries.map((e) => e.outcome).reverse(), ['partial', 'ok']);
});

/** Reports `route` as mixed while its first part already points at the target. */
class MixedRoute extends GatedProvider {
  mixed = true;
  override async observe(r: VipResource): Promise<Outcome<Observation>> {
    const o = await super.observe(r);
    return o.kind === 'ok' && r.id === 'route' && this.mixed
      ? { kind: 'ok', value: { ...o.value, state: 'mixed' } }
      : o;
  }
}

test('a resource whose parts disagree (mixed) is repaired even when its first part is right', async () => {
  const memory = new MemoryVipProvider('memory');
  const mixed = new MixedRoute(memory);
  const { deps, group } = setup({ providers: { memory: mixed } });
  memory.set('vip', 'b');
  memory.set('route', 'b');
  mixed.beforeAcquire = () => {
    mixed.mixed = false; // the acquire repairs the other parts
  };
  const r = await runFailover(deps, { group, job: job({ to: 'b' }) });
  assert.ok(r.kind === 'ok');
  assert.deepEqual(
    r.value.resources.map((x) => [x.resource, x.action]),
    [
      ['vip', 'keep'],
      ['route', 'acquire'],
    ],
  );
});

test('a decision that loses its fence mid-move writes nothing more, settles nothing, and is audited as refused', async () => {
  const memory = new MemoryVipProvider('memory');
  const gated = new GatedProvider(memory);
  const { deps, group, fence, store } = setup({ providers: { memory: gated } });
  memory.set('vip', 'a');
  memory.set('route', 'a');
  const hold = gate();
  const entered = gate();
  gated.beforeAcquire = async () => {
    entered.open();
    await hold.wait;
  };
  const running = runFailover(deps, { group, job: job({ to: 'b' }) });
  await entered.wait;
  fence.revoke('web'); // the lock expired while the provider call was stalled
  gated.beforeAcquire = () => undefined;
  const newer = await runFailover(deps, { group, job: job({ to: 'c' }) });
  assert.equal(newer.kind === 'ok' && newer.value.outcome, 'committed');
  hold.open();
  const stale = await running;
  assert.equal(stale.kind, 'conflict');
  assert.equal(await holder(memory, 'vip'), 'c');
  assert.equal(await holder(memory, 'route'), 'c');
  assert.deepEqual(
    memory.calls.filter((c) => c.operation === 'set').map((c) => c.params['epoch']),
    [2, 2],
    'only the newer epoch wrote',
  );
  assert.deepEqual(store.entries.map((e) => [e.action, e.outcome]).reverse(), [
    ['switchover', 'ok'],
    ['refused', 'conflict'],
  ]);
});

test('decisions on a busy group wait for each other; none fails because the group was busy', async () => {
  const memory = new MemoryVipProvider('memory');
  const gated = new GatedProvider(memory);
  const { deps, group } = setup({ providers: { memory: gated } });
  gated.beforeAcquire = () => new Promise((r) => setTimeout(r, 5));
  const targets = ['b', 'c', 'a', 'b', 'c'];
  const outs = await Promise.all(
    targets.map((to, i) => runFailover(deps, { group, job: job({ to, seq: i + 1 }) })),
  );
  assert.ok(
    outs.every((o) => o.kind === 'ok'),
    'every decision ran',
  );
  const epochs = outs.map((o) => (o.kind === 'ok' ? o.value.epoch : 0)).sort((x, y) => x - y);
  assert.deepEqual(epochs, [1, 2, 3, 4, 5], 'one at a time, each under its own epoch');
});

test('a group spanning providers moves what the target can hold and leaves the rest', async () => {
  const aws = new MemoryVipProvider('aws');
  const dns = new MemoryVipProvider('dns');
  const group: GroupConfig = {
    id: 'web',
    members: [
      { id: 'lb-aws', priority: 200, settings: { aws: { eni: 'eni-1' }, dns: { address: '192.0.2.1' } } },
      { id: 'lb-az', priority: 100, settings: { dns: { address: '192.0.2.2' } } },
    ],
    resources: [
      { id: 'eip', provider: 'aws', kind: 'elastic-ip', spec: {} },
      { id: 'record', provider: 'dns', kind: 'record', spec: {} },
    ],
  };
  const { deps } = setup({ providers: { aws, dns }, group });
  const toAws = await runFailover(deps, { group, job: job({ to: 'lb-aws' }) });
  assert.equal(toAws.kind === 'ok' && toAws.value.outcome, 'committed');
  const toAz = await runFailover(deps, { group, job: job({ to: 'lb-az' }) });
  assert.ok(toAz.kind === 'ok');
  assert.deepEqual(
    toAz.value.resources.map((r) => [r.resource, r.action]),
    [
      ['eip', 'skip'],
      ['record', 'acquire'],
    ],
  );
  assert.equal(toAz.value.from, 'lb-aws');
  assert.equal(await holder(dns, 'record'), 'lb-az');
  assert.equal(await holder(aws, 'eip'), 'lb-aws', 'lb-az has no aws settings: the address stays');
  const back = await runFailover(deps, { group, job: job({ to: 'lb-aws' }) });
  assert.ok(back.kind === 'ok' && back.value.from === 'lb-az' && back.value.outcome === 'committed');
});

test('a dry run takes no fence and writes nothing, and reports the exact writes', async () => {
  const { memory, deps, group, fence } = setup();
  memory.set('vip', 'a');
  const r = await runFailover(deps, { group, job: job({ to: 'b' }), dryRun: true });
  assert.ok(r.kind === 'ok' && r.value.outcome === 'dry-run');
  assert.deepEqual(
    r.value.calls.map((c) => c.operation),
    ['set', 'set'],
  );
  assert.equal(await holder(memory, 'vip'), 'a');
  assert.equal(fence.newest('web'), 0);
});
