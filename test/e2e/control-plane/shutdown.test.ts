// @needs redis-server
/**
 * `floatip worker` stops within its shutdown budget even when Redis is gone: SIGTERM with the store down
 * used to wait forever for BullMQ's blocking connection. What is in flight is left to be redelivered
 * (safe: a redelivered job that already settled does nothing, see failover-usecase.test.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { testConfigInput } from './fixture.ts';
import { privateRedis } from './redis-server.ts';

const bin = join(import.meta.dirname, '../../../bin/floatip.mjs');

test('SIGTERM during a Redis outage: the worker exits within its shutdown budget', async (t) => {
  const redis = await privateRedis();
  await redis.start();
  const dir = mkdtempSync(join(tmpdir(), 'fip-shutdown-'));
  t.after(async () => {
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = join(dir, 'floatip.yaml');
  writeFileSync(config, stringify({ controlPlane: testConfigInput('t-shutdown', redis.url) }));
  const child = spawn(process.execPath, [bin, 'worker', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLOATIP_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; atMs: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, atMs: performance.now() })),
  );
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  for (let i = 0; i < 300 && !out.includes('worker'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(out, /floatip control plane \(worker\)/, out);
  await redis.kill();
  await new Promise((r) => setTimeout(r, 500));
  const sent = performance.now();
  child.kill('SIGTERM');
  // Not a timing assertion: a generous ceiling only so a hang fails the test instead of stalling CI.
  const ceiling = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000).unref());
  const done = await Promise.race([exited, ceiling]);
  assert.notEqual(done, 'hung', `the worker did not exit after SIGTERM:\n${out}`);
  if (done !== 'hung') {
    console.log(
      `# worker exited ${(done.atMs - sent).toFixed(0)} ms after SIGTERM with Redis down (code ${done.code})`,
    );
    assert.equal(done.code, 0, out);
  }
});
