// The driver with a probe that can repeat (as the on-prem TCP_CHECK connector does in C): jobs the engine
// marks with repeatMs go to `repeat`, the others to `start`; a repeat's failure reaches the engine; a job
// the engine drops ends its repeat (cancel), stop ends them all; the repeats' lag reaches onLag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../../adapters/memory/index.ts';
import { driveHealth } from '../../../adapters/probes/index.ts';
import { type CheckerSpec, type HealthChange, HealthEngine } from '../../../core/health/index.ts';
import type { Probe, ProbeRequest, ProbeResult } from '../../../core/ports/index.ts';

const spec = (port: number): CheckerSpec => ({
  id: `tcp:${port}`,
  probe: { kind: 'tcp' },
  timing: { delayLoopMs: 20, retry: 1, delayBeforeRetryMs: 10, warmupMs: 0, alpha: false },
  connect: { host: '10.0.0.1', port, timeoutMs: 100 },
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 5000;
  while (!cond()) {
    if (performance.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('repeating jobs go to probe.repeat; failures come back, drops and stop cancel them', async (t) => {
  const ok: ProbeResult = { ok: true, detail: 'connected', durationMs: 0 };
  const refused: ProbeResult = { ok: false, detail: 'refused', durationMs: 0 };
  const portOf = (r: ProbeRequest): number => (r.kind === 'tcp' ? r.port : -1);
  const started: number[] = [];
  const repeats = new Map<number, { everyMs: number; done: (r: ProbeResult) => void; cancelled: boolean }>();
  const probe: Probe = {
    run: () => Promise.resolve(ok),
    start(req, done) {
      started.push(portOf(req));
      setImmediate(() => done(ok));
    },
    repeat(req, everyMs, done) {
      const entry = { everyMs, done, cancelled: false };
      repeats.set(portOf(req), entry);
      return () => {
        entry.cancelled = true;
      };
    },
    repeatLag: () => 1234,
  };
  const changes: HealthChange[] = [];
  const lags: number[] = [];
  const engine = new HealthEngine({
    random: seededRandom(1),
    onChange: (c) => changes.push(c),
    // Called only after the driver below exists.
    onDrop: (token) => driver.cancel(token),
  });
  const now = (): number => performance.now();
  engine.upsert('a', [spec(1)], now());
  engine.upsert('b', [spec(2)], now());
  const driver = driveHealth(engine, probe, { now, onLag: (ms) => lags.push(ms) });
  t.after(() => driver.stop());
  driver.submit(engine.start(now()));
  driver.kick();

  // The first check of each reports (start); after it, the job repeats every delay_loop.
  await until(() => repeats.size === 2, 'both servers to repeat');
  assert.deepEqual([...started].sort(), [1, 2]);
  assert.equal(repeats.get(1)?.everyMs, 20);
  // A failure from the repeat: retry (not quiet: a retry is counted), then down.
  repeats.get(1)?.done(refused);
  await until(() => started.length === 3, 'the retry');
  assert.equal(started[2], 1);
  // The driver's own timer still runs the retry; the lag of repeats is polled once a second.
  await until(() => lags.includes(1234), 'the repeats lag');
  // Removing b drops its repeating job: the driver cancels it.
  const b = repeats.get(2);
  engine.remove('b');
  assert.equal(b?.cancelled, true);
  // stop ends the rest.
  await until(
    () => repeats.get(1)?.everyMs === 20 && repeats.get(1)?.cancelled === false,
    'a repeating again',
  );
  const a = repeats.get(1);
  driver.stop();
  assert.equal(a?.cancelled, true);
  assert.ok(!changes.some((c) => c.kind === 'alive' && !c.alive), 'one failure then a success: never down');
});
