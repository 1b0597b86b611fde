// Quiet successes (core/health/engine.ts repeatMs) change nothing the engine decides: the same world and
// the same script of suspends, reloads, removals and restarts, run once with every result handed back
// and once with repeating jobs reporting only their first failure, give the same attempts at the same
// times and the same verdicts at the same times, while the second hands back far fewer results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, seededRandom } from '../../../adapters/memory/index.ts';
import { type CheckerSpec, type HealthChange, HealthEngine } from '../../../core/health/index.ts';
import type { ProbeJob, ProbeResult } from '../../../core/ports/index.ts';

const HORIZON_MS = 120_000;

interface Outage {
  from: number;
  to: number;
}

/** Servers with 1-2 TCP checkers of varied timing, and for each port some outages (seeded). */
function scenario(seed: number) {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd.float() * xs.length)] as T;
  const specs = new Map<string, CheckerSpec[]>();
  const outages = new Map<number, Outage[]>();
  let port = 1000;
  const checker = (): CheckerSpec => {
    port += 1;
    const out: Outage[] = [];
    for (let t = rnd.float() * 20_000; t < HORIZON_MS; t += 5_000 + rnd.float() * 30_000) {
      // Blips shorter than a retry, and outages long enough to go down.
      const len = pick([150, 700, 1_500, 4_000, 12_000]);
      out.push({ from: t, to: t + len });
    }
    outages.set(port, out);
    return {
      id: `tcp:${port}`,
      probe: { kind: 'tcp' },
      timing: {
        delayLoopMs: pick([1_000, 2_000, 3_000]),
        retry: pick([0, 1, 3]),
        delayBeforeRetryMs: pick([300, 1_000, 2_500]),
        warmupMs: 1_000,
        alpha: rnd.float() < 0.3,
      },
      connect: { host: '10.0.0.1', port, timeoutMs: 100 },
    };
  };
  for (let i = 0; i < 24; i++) specs.set(`rs${i}`, rnd.float() < 0.4 ? [checker(), checker()] : [checker()]);
  const up = (p: number, t: number): boolean => !(outages.get(p) ?? []).some((o) => t >= o.from && t < o.to);
  return { specs, up, checker };
}

type Mode = 'every result' | 'quiet successes';

function run(mode: Mode, seed: number) {
  const sc = scenario(seed);
  const clock = new ManualClock(0);
  const now = (): number => clock.monotonicMs();
  const changes: string[] = [];
  const attempts: string[] = [];
  let handedBack = 0;
  let repeatJobs = 0;
  /** Repeating jobs in flight: their next attempt time. */
  const chains = new Map<string, { job: ProbeJob; at: number }>();
  const engine = new HealthEngine({
    random: seededRandom(seed + 1),
    onChange: (c: HealthChange) => changes.push(`${now()} ${JSON.stringify(c)}`),
    onDrop: (token) => chains.delete(token),
  });
  const attempt = (job: ProbeJob): ProbeResult => {
    const port = job.request.kind === 'tcp' ? job.request.port : -1;
    attempts.push(`${now()} ${port}`);
    return sc.up(port, now())
      ? { ok: true, detail: 'connected', durationMs: 0 }
      : { ok: false, detail: 'refused', durationMs: 0 };
  };
  const launch = (jobs: readonly ProbeJob[]): void => {
    for (const job of jobs) {
      if (job.repeatMs !== undefined) repeatJobs += 1;
      if (mode === 'quiet successes' && job.repeatMs !== undefined) {
        chains.set(job.token, { job, at: now() });
        continue;
      }
      const r = attempt(job);
      handedBack += 1;
      launch(engine.onResult(job, r, now()));
    }
  };
  const until = (t: number): void => {
    for (;;) {
      let next = engine.nextDueMs() ?? Infinity;
      for (const c of chains.values()) next = Math.min(next, c.at);
      if (next > t) break;
      clock.set(Math.max(now(), next));
      launch(engine.takeDue(now()));
      for (const [token, c] of [...chains]) {
        if (c.at > now() || !chains.has(token)) continue;
        const r = attempt(c.job);
        if (r.ok) {
          c.at = now() + (c.job.repeatMs ?? 0);
          continue;
        }
        chains.delete(token);
        handedBack += 1;
        launch(engine.onResult(c.job, r, now()));
      }
    }
    clock.set(t);
  };

  for (const [rs, specs] of sc.specs) launch(engine.upsert(rs, specs, 0));
  launch(engine.start(0));
  until(30_000);
  const suspended = ['rs0', 'rs1', 'rs2', 'rs3', 'rs4'];
  engine.suspend(suspended, now());
  until(45_000);
  launch(engine.resume(suspended, now()));
  until(50_000);
  // Reload: other retry / delay_before_retry (delay_loop kept), and a server whose checker is replaced.
  for (const rs of ['rs5', 'rs6', 'rs7', 'rs8', 'rs9']) {
    const specs = (sc.specs.get(rs) ?? []).map((s) => ({
      ...s,
      timing: { ...s.timing, retry: (s.timing.retry + 2) % 4, delayBeforeRetryMs: 800 },
    }));
    launch(engine.upsert(rs, specs, now()));
  }
  launch(engine.upsert('rs10', [sc.checker()], now()));
  until(60_000);
  engine.remove('rs11');
  launch(engine.upsert('rs24', [sc.checker()], now()));
  until(90_000);
  engine.stop(now());
  until(95_000);
  launch(engine.start(now()));
  until(HORIZON_MS);
  return { changes, attempts, handedBack, repeatJobs, chains: chains.size };
}

for (const seed of [1, 2, 3, 4]) {
  test(`seed ${seed}: quiet successes give the same attempts and verdicts at the same times`, () => {
    const every = run('every result', seed);
    const quiet = run('quiet successes', seed);
    // Same-millisecond attempts of different servers may come in another order: compare sorted.
    assert.deepEqual([...quiet.attempts].sort(), [...every.attempts].sort());
    assert.deepEqual([...quiet.changes].sort(), [...every.changes].sort());
    assert.ok(
      every.changes.some((c) => c.includes('"alive":false')),
      'the scenario takes servers down',
    );
    assert.ok(
      every.changes.some((c) => c.includes('"alive":true')),
      'and brings them back',
    );
    assert.ok(every.repeatJobs > 100, `jobs that may repeat: ${every.repeatJobs}`);
    // The point of it: most results never reach the engine.
    assert.ok(
      quiet.handedBack * 3 < every.handedBack,
      `results handed back: ${quiet.handedBack} quiet vs ${every.handedBack}`,
    );
  });
}

test('remove, suspend and stop drop the repeating job (the driver ends its chain)', () => {
  const dropped: string[] = [];
  const engine = new HealthEngine({ random: seededRandom(7), onDrop: (t) => dropped.push(t) });
  const spec: CheckerSpec = {
    id: 'tcp:80',
    probe: { kind: 'tcp' },
    timing: { delayLoopMs: 1_000, retry: 1, delayBeforeRetryMs: 500, warmupMs: 0, alpha: false },
    connect: { host: '10.0.0.1', port: 80, timeoutMs: 100 },
  };
  const ok: ProbeResult = { ok: true, detail: 'connected', durationMs: 0 };
  /** Runs rs to its first repeating job: the first check (not quiet: it reports the initial state) passes. */
  const repeating = (rs: string, t0: number): ProbeJob => {
    engine.upsert(rs, [spec], t0);
    const [first] = engine.takeDue(t0 + 1_000);
    assert.ok(first && first.repeatMs === undefined, 'the first check reports');
    engine.onResult(first, ok, t0 + 1_000);
    const [next] = engine.takeDue(t0 + 2_000);
    assert.equal(next?.repeatMs, 1_000);
    return next as ProbeJob;
  };
  engine.start(0);
  const a = repeating('a', 0);
  engine.remove('a');
  assert.deepEqual(dropped, [a.token]);
  const b = repeating('b', 10_000);
  engine.suspend(['b'], 12_500);
  assert.deepEqual(dropped, [a.token, b.token]);
  // Its late result changes nothing.
  assert.deepEqual(engine.onResult(b, { ok: false, detail: 'refused', durationMs: 0 }, 12_600), []);
  assert.equal(engine.view('b')?.alive, true);
  const c = repeating('c', 20_000);
  engine.stop(22_500);
  assert.ok(dropped.includes(c.token));
});

test('a reload that changes delay_loop restarts the repeating job at the new interval', () => {
  const dropped: string[] = [];
  const engine = new HealthEngine({ random: seededRandom(3), onDrop: (t) => dropped.push(t) });
  const spec = (delayLoopMs: number): CheckerSpec => ({
    id: 'tcp:80',
    probe: { kind: 'tcp' },
    timing: { delayLoopMs, retry: 1, delayBeforeRetryMs: 500, warmupMs: 0, alpha: false },
    connect: { host: '10.0.0.1', port: 80, timeoutMs: 100 },
  });
  engine.upsert('rs', [spec(1_000)], 0);
  engine.start(0);
  const [first] = engine.takeDue(1_000);
  engine.onResult(first as ProbeJob, { ok: true, detail: 'connected', durationMs: 0 }, 1_000);
  const [chain] = engine.takeDue(2_000);
  assert.equal(chain?.repeatMs, 1_000);
  // Same delay_loop, other retry: the chain goes on.
  engine.upsert('rs', [{ ...spec(1_000), timing: { ...spec(1_000).timing, retry: 2 } }], 5_000);
  assert.deepEqual(dropped, []);
  engine.upsert('rs', [spec(3_000)], 6_000);
  assert.deepEqual(dropped, [chain?.token]);
  const due = engine.nextDueMs() ?? Number.NaN;
  assert.ok(due >= 6_000 && due < 9_000, `next attempt within the new delay_loop, at ${due}`);
  const [again] = engine.takeDue(due);
  assert.equal(again?.repeatMs, 3_000);
  assert.equal(engine.view('rs')?.alive, true);
});

test('a reload that changes delay_loop spreads the restarted checks over the new loop', () => {
  const engine = new HealthEngine({ random: seededRandom(11) });
  const spec = (port: number, delayLoopMs: number): CheckerSpec => ({
    id: 'tcp',
    probe: { kind: 'tcp' },
    timing: { delayLoopMs, retry: 1, delayBeforeRetryMs: 500, warmupMs: 1_000, alpha: false },
    connect: { host: '10.0.0.1', port, timeoutMs: 100 },
  });
  const ports = Array.from({ length: 200 }, (_, i) => 10_000 + i);
  for (const port of ports) engine.upsert(`rs${port}`, [spec(port, 1_000)], 0);
  engine.start(0);
  // Everyone checks once (up, has run): each job then repeats every delay_loop in the driver.
  for (let t = 0; t <= 4_000; t += 10) {
    for (const job of engine.takeDue(t)) {
      if (job.repeatMs === undefined)
        engine.onResult(job, { ok: true, detail: 'connected', durationMs: 0 }, t);
    }
  }
  for (const port of ports) engine.upsert(`rs${port}`, [spec(port, 4_000)], 5_000);
  const at: number[] = [];
  for (let t = 5_000; t < 9_000; t += 1) for (const _ of engine.takeDue(t)) at.push(t);
  assert.equal(at.length, ports.length, 'every server checks again within the new delay_loop');
  // Spread: no 100 ms of the 4 s loop holds more than a tenth of the checks (all at once would hold all).
  const perSlot = new Map<number, number>();
  for (const t of at) perSlot.set(Math.floor(t / 100), (perSlot.get(Math.floor(t / 100)) ?? 0) + 1);
  assert.ok(Math.max(...perSlot.values()) <= ports.length / 10, `bunched: ${JSON.stringify([...perSlot])}`);
});

test('a reload that renames a checker while its job is in flight keeps the job: its result still counts', () => {
  const dropped: string[] = [];
  const changes: HealthChange[] = [];
  const engine = new HealthEngine({
    random: seededRandom(5),
    onDrop: (t) => dropped.push(t),
    onChange: (c) => changes.push(c),
  });
  const spec = (id: string, port: number): CheckerSpec => ({
    id,
    probe: { kind: 'tcp' },
    timing: { delayLoopMs: 1_000, retry: 0, delayBeforeRetryMs: 500, warmupMs: 0, alpha: false },
    connect: { host: '10.0.0.1', port, timeoutMs: 100 },
  });
  engine.upsert('rs', [spec('TCP_CHECK#0', 80)], 0);
  engine.start(0);
  const [first] = engine.takeDue(1_000);
  engine.onResult(first as ProbeJob, { ok: true, detail: 'connected', durationMs: 0 }, 1_000);
  const [chain] = engine.takeDue(2_000);
  assert.equal(chain?.repeatMs, 1_000);
  // Another checker is put first: the kept one becomes #1 while its job repeats.
  engine.upsert('rs', [spec('TCP_CHECK#0', 81), spec('TCP_CHECK#1', 80)], 5_000);
  assert.deepEqual(dropped, []);
  // Its failure (retry 0: down at once) reaches the renamed checker.
  engine.onResult(chain as ProbeJob, { ok: false, detail: 'refused', durationMs: 0 }, 6_000);
  const renamed = engine.view('rs')?.checkers.find((c) => c.spec.id === 'TCP_CHECK#1');
  assert.equal(renamed?.state.up, false);
  assert.equal(renamed?.state.phase, 'waiting');
  assert.ok(changes.some((c) => c.kind === 'checker-verdict' && c.checker === 'TCP_CHECK#1' && !c.up));
});
