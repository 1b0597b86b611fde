// The health engine on a ManualClock: many servers, timers as data in a heap, results routed back by
// token, verdicts folded per real server, and hot reload that keeps unchanged checkers' state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, seededRandom } from '../../../adapters/memory/index.ts';
import { type CheckerSpec, type HealthChange, HealthEngine } from '../../../core/health/index.ts';
import type { ProbeJob, ProbeRequest, ProbeResult } from '../../../core/ports/index.ts';

const tcp = (port: number, timing: Partial<CheckerSpec['timing']> = {}): CheckerSpec => ({
  id: `tcp:${port}`,
  probe: { kind: 'tcp' },
  timing: { delayLoopMs: 1_000, retry: 1, delayBeforeRetryMs: 200, warmupMs: 500, alpha: false, ...timing },
  connect: { host: '10.0.0.1', port, timeoutMs: 100 },
});

/** A world where each port is up or down, and a loop that runs due probes at the exact due time. */
function world(seed = 1) {
  const clock = new ManualClock(0);
  const changes: HealthChange[] = [];
  const engine = new HealthEngine({ random: seededRandom(seed), onChange: (c) => changes.push(c) });
  const down = new Set<number>();
  const attempts: Array<{ at: number; port: number }> = [];
  const answer = (r: ProbeRequest): ProbeResult => {
    const port = r.kind === 'tcp' ? r.port : -1;
    attempts.push({ at: clock.monotonicMs(), port });
    return down.has(port)
      ? { ok: false, detail: 'refused', durationMs: 0 }
      : { ok: true, detail: 'ok', durationMs: 0 };
  };
  const runJobs = (jobs: ProbeJob[]): void => {
    for (const j of jobs) runJobs(engine.onResult(j, answer(j.request), clock.monotonicMs()));
  };
  const until = (t: number): void => {
    for (;;) {
      const due = engine.nextDueMs();
      if (due === null || due > t) break;
      clock.set(Math.max(clock.monotonicMs(), due));
      runJobs(engine.takeDue(clock.monotonicMs()));
    }
    clock.set(t);
  };
  return { clock, engine, changes, down, attempts, until, runJobs };
}

const alive = (changes: HealthChange[], rs: string) =>
  changes.flatMap((c) => (c.rs === rs && c.kind === 'alive' ? [c.alive] : []));

test('first checks spread over 1 s + warmup; a server is alive only while every checker is up', () => {
  const w = world();
  w.engine.upsert('rs1', [tcp(80), tcp(81)], 0);
  w.engine.upsert('rs2', [tcp(90)], 0);
  w.runJobs(w.engine.start(0));
  w.until(1_600);
  assert.equal(w.attempts.length, 3);
  for (const a of w.attempts) assert.ok(a.at >= 1_000 && a.at < 1_500, `first check at ${a.at}`);
  w.down.add(81);
  w.until(4_000);
  assert.deepEqual(alive(w.changes, 'rs1'), [false]);
  assert.deepEqual(alive(w.changes, 'rs2'), []);
  assert.equal(w.engine.view('rs1')?.checkers.find((c) => c.spec.id === 'tcp:80')?.state.up, true);
  w.down.delete(81);
  w.until(6_000);
  assert.deepEqual(alive(w.changes, 'rs1'), [false, true]);
});

test('reload keeps the state of unchanged checkers, re-bases retry, starts new ones, drops removed ones', () => {
  const w = world();
  w.engine.upsert('rs', [tcp(80)], 0);
  w.runJobs(w.engine.start(0));
  w.down.add(80);
  w.until(3_000);
  assert.deepEqual(alive(w.changes, 'rs'), [false]);
  const dueBefore = w.engine.view('rs')?.checkers[0]?.state.dueAtMs;
  // same probe, new timing: still down, same timer, no new verdict
  w.runJobs(w.engine.upsert('rs', [tcp(80, { retry: 3, delayLoopMs: 2_000 })], 3_000));
  const kept = w.engine.view('rs')?.checkers[0]?.state;
  assert.equal(kept?.up, false);
  assert.equal(kept?.dueAtMs, dueBefore);
  assert.equal(kept?.retryIt, 4);
  // add a second checker on a healthy port: needs only one failure since the server is failing
  w.runJobs(w.engine.upsert('rs', [tcp(80, { retry: 3 }), tcp(81, { retry: 3 })], 3_000));
  assert.equal(w.engine.view('rs')?.checkers[1]?.state.retryIt, 3);
  // drop the failing checker: the server is alive again
  w.runJobs(w.engine.upsert('rs', [tcp(81, { retry: 3 })], 3_100));
  assert.deepEqual(alive(w.changes, 'rs'), [false, true]);
  const before = w.attempts.filter((a) => a.port === 80).length;
  w.until(10_000);
  assert.equal(w.attempts.filter((a) => a.port === 80).length, before, 'a removed checker still ran');
});

test('suspend stops a server’s checks, resume restarts them; removed servers drop late results', () => {
  const w = world();
  w.engine.upsert('rs', [tcp(80)], 0);
  w.engine.upsert('gone', [tcp(99)], 0);
  w.runJobs(w.engine.start(0));
  w.until(2_000);
  w.engine.suspend(['rs'], 2_000);
  const n = w.attempts.filter((a) => a.port === 80).length;
  w.until(9_000);
  assert.equal(w.attempts.filter((a) => a.port === 80).length, n);
  w.runJobs(w.engine.resume(['rs'], 9_000));
  w.until(11_000);
  assert.ok(w.attempts.filter((a) => a.port === 80).length > n);
  // a result that comes back after its server was removed is ignored
  let jobs: ProbeJob[] = [];
  while (!jobs.some((j) => j.request.kind === 'tcp' && j.request.port === 99)) {
    const due = w.engine.nextDueMs();
    assert.ok(due !== null);
    w.clock.set(Math.max(due, w.clock.monotonicMs()));
    jobs = w.engine.takeDue(w.clock.monotonicMs());
  }
  w.engine.remove('gone');
  for (const j of jobs)
    assert.deepEqual(w.engine.onResult(j, { ok: false, detail: 'x', durationMs: 0 }, 0), []);
  assert.equal(w.engine.view('gone'), undefined);
});

test('a server added after start is checked from 1 s + warmup on; before start nothing runs', () => {
  const w = world();
  w.engine.upsert('early', [tcp(80)], 0);
  w.until(5_000);
  assert.equal(w.attempts.length, 0);
  w.runJobs(w.engine.start(5_000));
  w.runJobs(w.engine.upsert('late', [tcp(81)], 7_000));
  w.until(7_999);
  assert.equal(w.attempts.filter((a) => a.port === 81).length, 0);
  w.until(9_000);
  const first = w.attempts.find((a) => a.port === 81);
  assert.ok(first && first.at >= 8_000 && first.at < 8_500, `first check of the new server at ${first?.at}`);
});

test('duplicate checker ids are refused', () => {
  const w = world();
  assert.throws(() => w.engine.upsert('rs', [tcp(80), tcp(80)], 0), /duplicate checker id "tcp:80"/);
});
