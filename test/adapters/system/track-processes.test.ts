/**
 * track_process against real processes: `sleep` children with a unique argument, counted by the /proc scan
 * with quorum, quorum_max, parameter matching and fork/terminate delays.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, it } from 'node:test';
import type { TrackProcessPlan } from '../../../core/app/vrrp-plan.ts';
import {
  countProcesses as countIn,
  matchesProcess,
  startTrackProcesses,
  type ProcessQuorum,
} from '../../../core/app/track-processes.ts';
import { createTimerService, procProcessTable, systemClock } from '../../../adapters/system/index.ts';

const countProcesses = (plans: ReadonlyArray<readonly [string, TrackProcessPlan]>) =>
  countIn(plans, procProcessTable);
/** The core tracker over /proc on Node timers. */
const machine = (opts: { pollMs: number }) => ({
  clock: systemClock,
  timers: createTimerService(systemClock),
  table: procProcessTable,
  ...opts,
});

/** Unique per test run, so other processes on the machine never match. */
const tag = `${3600 + (process.pid % 1000)}.${Date.now() % 1_000_000}`;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function startSleep(...extra: string[]): ChildProcess {
  const c = spawn('sleep', [tag, ...extra], { stdio: 'ignore' });
  children.push(c);
  return c;
}

async function stopSleep(c: ChildProcess): Promise<void> {
  const exited = once(c, 'exit');
  c.kill('SIGKILL');
  await exited;
}

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pred(), `never happened: ${what}`);
}

const base: TrackProcessPlan = {
  process: 'sleep',
  fullCommand: false,
  parameters: [tag],
  paramMatch: 'exact',
  quorum: 1,
  forkDelayMs: 0,
  terminateDelayMs: 0,
};

it('matches name and parameters as keepalived: exact, initial, partial, full_command', () => {
  const argv = ['/usr/bin/sleep', '10', 'x'];
  assert.ok(matchesProcess({ ...base, parameters: [] }, 'sleep', argv));
  assert.ok(!matchesProcess({ ...base, parameters: ['10'] }, 'sleep', argv), 'exact needs every argument');
  assert.ok(matchesProcess({ ...base, parameters: ['10', 'x'] }, 'sleep', argv));
  assert.ok(matchesProcess({ ...base, parameters: ['10'], paramMatch: 'initial' }, 'sleep', argv));
  assert.ok(!matchesProcess({ ...base, parameters: ['1'], paramMatch: 'initial' }, 'sleep', argv));
  assert.ok(matchesProcess({ ...base, parameters: ['1'], paramMatch: 'partial' }, 'sleep', argv));
  assert.ok(!matchesProcess({ ...base, parameters: [] }, 'sleepy', argv));
  assert.ok(!matchesProcess({ ...base, parameters: [], fullCommand: true }, 'sleep', argv));
  assert.ok(
    matchesProcess({ ...base, process: '/usr/bin/sleep', parameters: [], fullCommand: true }, 'x', argv),
  );
  assert.ok(
    matchesProcess({ ...base, process: 'a-very-long-daemon-name', parameters: [] }, 'a-very-long-dae', []),
    'comm holds 15 bytes of the name',
  );
});

it('is up while quorum..quorum_max processes run, reporting each change', async (t) => {
  const seen: ProcessQuorum[] = [];
  const runner = startTrackProcesses(
    { web: { ...base, paramMatch: 'initial', quorum: 2, quorumMax: 2 } },
    (q) => seen.push(q),
    machine({ pollMs: 20 }),
  );
  t.after(() => runner.stop());
  assert.deepEqual(seen, [{ name: 'web', up: false, count: 0 }], 'the first scan reports at once');
  const a = startSleep();
  const b = startSleep('1');
  await until(() => seen.length === 2, 'quorum of two');
  assert.deepEqual(seen[1], { name: 'web', up: true, count: 2 });
  const c = startSleep('2');
  await until(() => seen.length === 3, 'above quorum_max');
  assert.deepEqual(seen[2], { name: 'web', up: false, count: 3 });
  await stopSleep(c);
  await until(() => seen.length === 4, 'back to two');
  await stopSleep(a);
  await until(() => seen.length === 5, 'one left');
  assert.deepEqual(seen[4], { name: 'web', up: false, count: 1 });
  await stopSleep(b);
});

it('holds a loss for terminate_delay and drops it when the process is back in time', async (t) => {
  const seen: ProcessQuorum[] = [];
  const first = startSleep('7');
  const plan: TrackProcessPlan = { ...base, parameters: [tag, '7'], terminateDelayMs: 60_000 };
  await until(() => countProcesses([['svc', plan]]).get('svc') === 1, 'the child has exec()ed sleep');
  const runner = startTrackProcesses({ svc: plan }, (q) => seen.push(q), machine({ pollMs: 20 }));
  t.after(() => runner.stop());
  assert.deepEqual(seen, [{ name: 'svc', up: true, count: 1 }]);
  await stopSleep(first);
  startSleep('7');
  await until(() => countProcesses([['svc', plan]]).get('svc') === 1, 'the replacement runs');
  // Scans pass while the replacement runs; the pending loss is dropped, nothing is reported.
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(seen.length, 1);
});
