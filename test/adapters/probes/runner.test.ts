import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProbeRunner } from '../../../adapters/probes/index.ts';
import type { ProbeRequest, ProbeResult } from '../../../core/ports/index.ts';

const req = (port: number): ProbeRequest => ({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 1 });

test('the runner keeps at most `concurrency` probes in flight and starts waiters in FIFO order', async () => {
  const gates = new Map<number, (r: ProbeResult) => void>();
  const started: number[] = [];
  let inFlight = 0;
  let peak = 0;
  const runner = createProbeRunner({
    concurrency: 3,
    run: (r) =>
      new Promise((resolve) => {
        const port = (r as { port: number }).port;
        started.push(port);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        gates.set(port, (res) => {
          inFlight -= 1;
          resolve(res);
        });
      }),
  });
  const all = Array.from({ length: 10 }, (_, i) => runner.run(req(i)));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2]);
  assert.equal(runner.queued, 7);
  for (let i = 0; i < 10; i++) {
    for (let spin = 0; spin < 20 && !gates.has(i); spin++) await new Promise((r) => setImmediate(r));
    gates.get(i)?.({ ok: true, detail: String(i), durationMs: 0 });
  }
  const results = await Promise.all(all);
  assert.deepEqual(
    results.map((r) => r.detail),
    ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  );
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(peak, 3);
  assert.equal(runner.inFlight, 0);
});

test('a probe that throws becomes a failed result; bad concurrency is refused', async () => {
  const runner = createProbeRunner({
    run: () => {
      throw new Error('boom');
    },
  });
  const r = await runner.run(req(1));
  assert.equal(r.ok, false);
  assert.match(r.detail, /probe tcp threw: boom/);
  assert.throws(() => createProbeRunner({ concurrency: 0 }), /concurrency: 0/);
});

test('start (callback form) sends TCP_CHECK to the connector within the same concurrency limit', async () => {
  const pending: Array<() => void> = [];
  let inFlight = 0;
  let peak = 0;
  const runner = createProbeRunner({
    concurrency: 2,
    tcp: {
      start(r, done) {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        pending.push(() => {
          inFlight -= 1;
          done({ ok: r.port % 2 === 0, detail: `port ${r.port}`, durationMs: 0 });
        });
      },
    },
  });
  const results: string[] = [];
  for (let i = 0; i < 6; i++) runner.start?.(req(i), (r) => results.push(`${r.detail} ${r.ok}`));
  assert.equal(runner.inFlight, 2);
  assert.equal(runner.queued, 4);
  while (pending.length > 0) {
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(peak, 2);
  assert.deepEqual(results, [
    'port 0 true',
    'port 1 false',
    'port 2 true',
    'port 3 false',
    'port 4 true',
    'port 5 false',
  ]);
  assert.equal(runner.inFlight, 0);
  // The promise form goes through the same connector.
  const viaRun = runner.run(req(8));
  pending.shift()?.();
  assert.equal((await viaRun).detail, 'port 8');
});

test('a failure that ended far past its timeout (a starved process) is attempted once more', async () => {
  const answers: ProbeResult[] = [
    { ok: false, detail: 'timeout after 1 ms', durationMs: 900 },
    { ok: true, detail: 'connected', durationMs: 1 },
    { ok: false, detail: 'timeout after 1 ms', durationMs: 900 },
    { ok: false, detail: 'timeout after 1 ms', durationMs: 950 },
    { ok: false, detail: 'refused', durationMs: 2 },
  ];
  const lates: string[] = [];
  const runner = createProbeRunner({
    run: async () => answers.shift() as ProbeResult,
    onLate: (_r, res) => lates.push(res.detail),
  });
  // Late, then fine: the late failure never reaches the verdict.
  assert.equal((await runner.run(req(1))).ok, true);
  // Late twice: the second one counts (a dead server under a starved checker is still found).
  assert.equal((await runner.run(req(1))).durationMs, 950);
  // On time: counted at once.
  assert.equal((await runner.run(req(1))).detail, 'refused');
  assert.equal(lates.length, 2);
  // A MISC_CHECK's duration includes its kill grace: never treated as late.
  answers.push({ ok: false, detail: 'killed', durationMs: 5000 });
  const misc = await runner.run({ kind: 'misc', argv: ['x'], timeoutMs: 1, dynamic: false } as ProbeRequest);
  assert.equal(misc.detail, 'killed');
  assert.equal(lates.length, 2);
});
