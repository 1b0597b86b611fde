// The engine and the driver together against real TCP servers on loopback, in real time: a server that
// stops listening is taken out after retry+1 failures, and put back after one success.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { seededRandom } from '../../../adapters/memory/index.ts';
import { createProbeRunner, driveHealth } from '../../../adapters/probes/index.ts';
import { type CheckerSpec, type HealthChange, HealthEngine } from '../../../core/health/index.ts';

async function listen(port = 0): Promise<Server> {
  const s = createServer((c) => c.destroy());
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  return s;
}

const tcpSpec = (port: number): CheckerSpec => ({
  id: 'tcp',
  probe: { kind: 'tcp' },
  timing: { delayLoopMs: 30, retry: 1, delayBeforeRetryMs: 10, warmupMs: 0, alpha: false },
  connect: { host: '127.0.0.1', port, timeoutMs: 500 },
});

test('a real server that stops listening goes down after retry+1 failures and comes back after one success', async (t) => {
  let server = await listen();
  const port = (server.address() as AddressInfo).port;
  const other = await listen();
  const otherPort = (other.address() as AddressInfo).port;
  const changes: HealthChange[] = [];
  const waiters: Array<() => void> = [];
  const engine = new HealthEngine({
    random: seededRandom(1),
    onChange: (c) => {
      changes.push(c);
      waiters.splice(0).forEach((w) => w());
    },
  });
  const until = async (pred: () => boolean): Promise<void> => {
    while (!pred()) await new Promise<void>((r) => waiters.push(r));
  };
  const now = () => performance.now();
  engine.upsert('rs-a', [tcpSpec(port)], now());
  engine.upsert('rs-b', [tcpSpec(otherPort), { ...tcpSpec(otherPort), id: 'tcp-2' }], now());
  const driver = driveHealth(engine, createProbeRunner({ concurrency: 8 }), { now });
  t.after(() => driver.stop());
  t.after(() => other.close());
  t.after(() => server.close());
  driver.submit(engine.start(now()));
  driver.kick();

  const verdicts = (rs: string) => changes.filter((c) => c.rs === rs && c.kind === 'checker-verdict');
  await until(() => verdicts('rs-a').length >= 1);
  assert.equal(engine.view('rs-a')?.alive, true);
  const before = driver.completed;
  await new Promise<void>((r) => server.close(() => r()));
  await until(() => changes.some((c) => c.rs === 'rs-a' && c.kind === 'alive' && !c.alive));
  const downAt = changes.findIndex((c) => c.rs === 'rs-a' && c.kind === 'alive');
  assert.ok(downAt >= 0);
  const failures = verdicts('rs-a').filter((v) => v.kind === 'checker-verdict' && !v.up);
  assert.equal(failures.length, 1);
  assert.match(
    failures[0]?.kind === 'checker-verdict' ? failures[0].detail : '',
    /ECONNREFUSED.*after 1 retries/,
  );
  assert.ok(driver.completed - before >= 2, 'down only after at least retry+1 attempts');

  server = await listen(port);
  await until(() => changes.some((c, i) => i > downAt && c.rs === 'rs-a' && c.kind === 'alive' && c.alive));
  assert.equal(engine.view('rs-a')?.alive, true);
  // the other server never changed
  assert.equal(changes.filter((c) => c.rs === 'rs-b' && c.kind === 'alive').length, 0);
  assert.equal(engine.view('rs-b')?.checkers.length, 2);
});
