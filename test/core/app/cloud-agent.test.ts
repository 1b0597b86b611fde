/**
 * The agent's cloud mode as a use case, on in-memory ports (no root, no cloud): MASTER moves the group
 * here, reconcile re-asserts, a split brain without an arbiter is held off by the hold-down (reported once
 * when it starts and once when it ends, not on every tick), a lost mastership stops a move, and
 * releaseOnStop gives back only what this member holds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCloudAgent, createVrrpFence, type FailoverDeps } from '../../../core/app/index.ts';
import type { GroupConfig } from '../../../core/config/failover-group.ts';
import { defaultFailoverPolicy } from '../../../core/failover/index.ts';
import type { Logger } from '../../../core/ports/index.ts';
import {
  ManualClock,
  MemoryGroupStore,
  MemoryVipProvider,
  seededRandom,
} from '../../../adapters/memory/index.ts';

const group: GroupConfig = {
  id: 'web',
  members: [
    { id: 'a', priority: 200, settings: {} },
    { id: 'b', priority: 100, settings: {} },
  ],
  resources: [
    { id: 'eip', provider: 'memory', kind: 'address', spec: {} },
    { id: 'route', provider: 'memory', kind: 'route', spec: {} },
  ],
};

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const l: Logger & { lines: string[] } = {
    lines,
    debug: () => undefined,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
    child: () => l,
  };
  return l;
}

function agent(
  self: string,
  provider: MemoryVipProvider,
  clock: ManualClock,
  o: { releaseOnStop?: boolean } = {},
) {
  const fence = createVrrpFence();
  const store = new MemoryGroupStore({ newest: () => fence.epoch });
  const log = recorder();
  const deps: FailoverDeps = {
    clock,
    logger: log,
    random: seededRandom(1),
    sleep: () => Promise.resolve(),
    policy: defaultFailoverPolicy,
    fence,
    state: store,
    audit: store,
    providers: () => provider,
    providerConfigs: { memory: { type: 'memory', settings: {} } },
  };
  const a = createCloudAgent({
    deps,
    group,
    self,
    holdDownMs: 10_000,
    releaseOnStop: o.releaseOnStop ?? false,
    log,
  });
  return { a, fence, log };
}

const holders = async (p: MemoryVipProvider) =>
  Promise.all(
    group.resources.map(async (r) => {
      const o = await p.observe(r);
      return o.kind === 'ok' ? o.value.holder : '?';
    }),
  );

test('MASTER moves the group here; not MASTER, nothing moves', async () => {
  const p = new MemoryVipProvider();
  const x = agent('a', p, new ManualClock());
  const refused = await x.a.onMaster();
  assert.equal(refused.kind, 'conflict', 'the fence (VRRP mastership) says no while BACKUP');
  assert.deepEqual(await holders(p), [null, null]);
  x.fence.setMaster(true);
  const r = await x.a.onMaster();
  assert.ok(r.kind === 'ok' && r.value.outcome === 'committed');
  assert.deepEqual(await holders(p), ['a', 'a']);
});

test('split brain without an arbiter: the hold-down stops flapping and is reported once, not every tick', async () => {
  const p = new MemoryVipProvider();
  const clock = new ManualClock();
  const a = agent('a', p, clock);
  const b = agent('b', p, clock);
  a.fence.setMaster(true);
  b.fence.setMaster(true);
  await a.a.onMaster();
  await b.a.onMaster(); // b steals
  await a.a.reconcile(); // a takes back: its hold-down starts
  await b.a.reconcile(); // b takes back (its own hold-down has not started: it moved on MASTER)
  const writes = p.calls.filter((c) => c.operation === 'set').length;
  for (let i = 0; i < 20; i++) {
    clock.advance(100);
    assert.equal(await a.a.reconcile(), null, 'inside the hold-down a only looks');
  }
  assert.equal(p.calls.filter((c) => c.operation === 'set').length, writes, 'no write inside the hold-down');
  const warned = a.log.lines.filter((l) => l.includes('held elsewhere during hold-down'));
  assert.equal(warned.length, 1, `one line when it starts, not one per tick:\n${a.log.lines.join('\n')}`);
  clock.advance(10_000);
  await a.a.reconcile();
  assert.ok(
    a.log.lines.some((l) => l.includes('hold-down over; re-asserting')),
    'and one when it ends',
  );
  assert.deepEqual(await holders(p), ['a', 'a']);
});

test('losing mastership in the middle of a move stops it before the next write', async () => {
  const p = new MemoryVipProvider();
  const x = agent('a', p, new ManualClock());
  x.fence.setMaster(true);
  p.set('eip', 'b');
  p.set('route', 'b');
  const moving = x.a.onMaster();
  x.fence.setMaster(false); // BACKUP arrives while the move is under way
  const r = await moving;
  assert.equal(r.kind, 'conflict');
  assert.deepEqual(await holders(p), ['b', 'b']);
});

test('releaseOnStop releases what this member holds and leaves the rest', async () => {
  const p = new MemoryVipProvider();
  const x = agent('a', p, new ManualClock(), { releaseOnStop: true });
  x.fence.setMaster(true);
  await x.a.onMaster();
  p.set('route', 'b');
  x.fence.setMaster(false);
  await x.a.onStop();
  assert.deepEqual(await holders(p), [null, 'b']);
});
