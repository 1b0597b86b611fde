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
