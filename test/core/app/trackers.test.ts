// The VRRP trackers' rules on in-memory ports (no processes, no files, no real time): vrrp_script's
// rise/fall counter and its interval, track_process's fork/terminate delays (a change that reverts
// within the delay is never reported), track_file's change reports from a watch or the poll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { ProcessEntry, TrackedFiles } from '../../../core/ports/index.ts';
import type { TrackProcessPlan, TrackScriptPlan } from '../../../core/app/vrrp-plan.ts';
import { startTrackScripts } from '../../../core/app/track-scripts.ts';
import { startTrackProcesses, type ProcessQuorum } from '../../../core/app/track-processes.ts';
import { startTrackFiles, type FileValue } from '../../../core/app/track-files.ts';
import { ManualClock, ManualTimers } from '../../../adapters/memory/index.ts';

const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await tick();
};

test('vrrp_script: one run per interval; rise 2 / fall 2 from keepalived counter', async () => {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const answers: boolean[] = [true, false, false, true, true, true];
  const runs: number[] = [];
  const seen: boolean[] = [];
  const plan: TrackScriptPlan = {
    argv: ['/bin/check'],
    intervalMs: 2000,
    timeoutMs: 1000,
    rise: 2,
    fall: 2,
    initFail: false,
  };
  const t = startTrackScripts({ chk: plan }, (r) => seen.push(r.up), {
    clock,
    timers,
    check: {
      run: async () => {
        runs.push(clock.monotonicMs());
        return answers.shift() ?? true;
      },
    },
  });
  await settle();
  assert.deepEqual(seen, [true], 'the first result decides (counter starts at rise - 1)');
  await timers.advance(2000, settle); // fail: counter 3 -> 2, still up
  assert.deepEqual(seen, [true]);
  await timers.advance(2000, settle); // fail: 2 -> 0, down
  assert.deepEqual(seen, [true, false]);
  await timers.advance(2000, settle); // ok: 0 -> 1, not yet
  assert.deepEqual(seen, [true, false]);
  await timers.advance(2000, settle); // ok: 1 -> 3, up
  assert.deepEqual(seen, [true, false, true]);
  assert.deepEqual(runs, [0, 2000, 4000, 6000, 8000], 'one run per interval');
  t.stop();
  await timers.advance(10_000, settle);
  assert.equal(runs.length, 5, 'stopped');
});

test('track_process: a loss shorter than terminate_delay is never reported', async () => {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  let running = 1;
  const plan: TrackProcessPlan = {
    process: 'httpd',
    fullCommand: false,
    parameters: [],
    paramMatch: 'exact',
    quorum: 1,
    forkDelayMs: 0,
    terminateDelayMs: 3000,
  };
  const table = {
    list: (want: (comm: string) => boolean): ProcessEntry[] =>
      Array.from({ length: running }, () => ({ comm: 'httpd', argv: ['httpd'] })).filter((p) => want(p.comm)),
  };
  const seen: ProcessQuorum[] = [];
  const t = startTrackProcesses({ web: plan }, (q) => seen.push(q), { clock, timers, table, pollMs: 1000 });
  assert.deepEqual(seen, [{ name: 'web', up: true, count: 1 }], 'the first scan reports at once');
  running = 0;
  await timers.advance(2000, settle);
  running = 1;
  await timers.advance(5000, settle);
  assert.equal(seen.length, 1, 'back within terminate_delay: nothing reported');
  running = 0;
  await timers.advance(3500, settle);
  assert.equal(seen.length, 1, 'not before terminate_delay');
  await timers.advance(1000, settle);
  assert.deepEqual(seen.at(-1), { name: 'web', up: false, count: 0 });
  t.stop();
});

test('track_file: a watch event or the poll reports a changed value once; init_file writes a missing file', async () => {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const disk = new Map<string, string>([['/run/prio', '5\n']]);
  const watchers = new Map<string, () => void>();
  const files: TrackedFiles = {
    read: (p) => disk.get(p),
    exists: (p) => disk.has(p),
    write: (p, text) => void disk.set(p, text),
    watch(p, onChange) {
      watchers.set(p, onChange);
      return () => watchers.delete(p);
    },
  };
  const seen: FileValue[] = [];
  const t = startTrackFiles(
    { prio: { path: '/run/prio' }, fresh: { path: '/run/fresh', init: { value: 7, overwrite: false } } },
    (v) => seen.push(v),
    { clock, timers, files, pollMs: 1000 },
  );
  assert.deepEqual(seen, [
    { name: 'prio', value: 5 },
    { name: 'fresh', value: 7 },
  ]);
  assert.equal(disk.get('/run/fresh'), '7\n');
  disk.set('/run/prio', '-3 trailing words\n');
  watchers.get('/run/prio')?.();
  watchers.get('/run/prio')?.();
  assert.deepEqual(seen.at(-1), { name: 'prio', value: -3 });
  assert.equal(seen.length, 3, 'the same value is reported once');
  disk.delete('/run/fresh');
  await timers.advance(1000, settle);
  assert.deepEqual(seen.at(-1), { name: 'fresh', value: 0 }, 'the poll notices a file gone (reads as 0)');
  t.stop();
  assert.equal(watchers.size, 0);
});
