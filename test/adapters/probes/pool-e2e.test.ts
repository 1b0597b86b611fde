// Health verdicts driving the pool rules, against real HTTP servers on loopback: stopping a real server
// takes it out of the pool after exactly retry+1 failed attempts, the sorry server steps in when the
// quorum is lost, and starting the server again restores the pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../../adapters/memory/index.ts';
import { createProbeRunner, driveHealth } from '../../../adapters/probes/index.ts';
import { type CheckerSpec, type HealthChange, HealthEngine } from '../../../core/health/index.ts';
import { type PoolState, desiredPool, initialPool, stepPool } from '../../../core/lb/index.ts';
import type { ProbeRequest } from '../../../core/ports/index.ts';

async function web(port = 0): Promise<Server> {
  const s = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  return s;
}

const httpSpec = (port: number): CheckerSpec => ({
  id: 'http',
  probe: {
    kind: 'http',
    urls: [{ path: '/health', statusRanges: [[200, 299]] }],
    protocol: '1.0',
    fastRecovery: true,
  },
  timing: { delayLoopMs: 40, retry: 2, delayBeforeRetryMs: 15, warmupMs: 0, alpha: false },
  connect: { host: '127.0.0.1', port, timeoutMs: 500 },
});

test('a stopped real server leaves the pool after retry+1 failures; quorum loss brings the sorry server', async (t) => {
  const a = await web();
  let b = await web();
  const portA = (a.address() as AddressInfo).port;
  const portB = (b.address() as AddressInfo).port;
  t.after(() => a.close());
  t.after(() => b.close());

  let pool: PoolState = initialPool({
    services: [{ kind: 'addr', family: 'inet', protocol: 'tcp', addr: '192.0.2.10', port: 80 }],
    servers: [
      { id: 'a', weight: 1, inhibit: false, alpha: false },
      { id: 'b', weight: 1, inhibit: false, alpha: false },
    ],
    quorum: 2,
    hysteresis: 0,
    sorryServer: { id: 'sorry', weight: 1, inhibit: false },
    omega: false,
    haSuspend: false,
  });
  pool = stepPool(pool, { kind: 'start', addressPresent: true }).state;
  const pools: string[] = [];
  const waiters: Array<() => void> = [];
  const engine = new HealthEngine({
    random: seededRandom(3),
    onChange: (c: HealthChange) => {
      if (c.kind === 'alive') {
        pool = stepPool(pool, { kind: 'rs-alive', rs: c.rs, alive: c.alive }).state;
        pools.push([...desiredPool(pool).destinations.keys()].join(','));
      }
      waiters.splice(0).forEach((w) => w());
    },
  });
  const attemptsOnB: boolean[] = [];
  const runner = createProbeRunner({ concurrency: 4 });
  const probe = {
    run: async (req: ProbeRequest) => {
      const r = await runner.run(req);
      if (req.kind === 'http' && req.port === portB) attemptsOnB.push(r.ok);
      return r;
    },
  };
  const until = async (pred: () => boolean) => {
    while (!pred()) await new Promise<void>((r) => waiters.push(r));
  };
  const now = () => performance.now();
  engine.upsert('a', [httpSpec(portA)], now());
  engine.upsert('b', [httpSpec(portB)], now());
  const driver = driveHealth(engine, probe, { now });
  t.after(() => driver.stop());
  driver.submit(engine.start(now()));
  driver.kick();
  assert.deepEqual([...desiredPool(pool).destinations.keys()], ['a', 'b']);

  await until(() => attemptsOnB.length >= 1);
  b.closeAllConnections();
  await new Promise<void>((r) => b.close(() => r()));
  const okBefore = attemptsOnB.length;
  await until(() => pools.length >= 1);
  assert.deepEqual(pools, ['sorry']);
  const failed = attemptsOnB.slice(okBefore);
  // the attempt in flight when the server stopped may still have passed; then exactly retry+1 failures
  const firstFail = failed.indexOf(false);
  assert.deepEqual(failed.slice(firstFail), [false, false, false]);

  b = await web(portB);
  await until(() => pools.length >= 2);
  assert.deepEqual(pools, ['sorry', 'a,b']);
});
