// @needs redis
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { waitReady } from '../../../adapters/redis/index.ts';
import { buildControlPlane, loadControlPlaneConfig } from '../../../functions/control-plane/index.ts';
import { dropPrefix, quietLogger, redisUrl } from '../../e2e/control-plane/fixture.ts';

const root = join(import.meta.dirname, '..', '..', '..');

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(join(root, 'node_modules', '.bin', 'node'), [join(root, 'bin', 'floatip.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const kill = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out, err });
    });
  });
}

test('floatip control-plane --demo on the example config shows a failover end to end', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'floatip-demo-'));
  const prefix = `t-demo-${randomUUID().slice(0, 8)}`;
  t.after(async () => {
    await rm(dir, { recursive: true, force: true });
    await dropPrefix(redisUrl, prefix);
  });
  const example = await readFile(join(root, 'examples', 'floatip.control.yaml'), 'utf8');
  const cfg = join(dir, 'control.yaml');
  await writeFile(
    cfg,
    example
      .replace('prefix: floatip-demo', `prefix: ${prefix}`)
      .replace('url: redis://127.0.0.1:6379', `url: ${redisUrl}`),
  );
  const r = await run(['control-plane', '--config', cfg, '--port', '0', '--demo', '--exit-after-demo']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\[failover\] web: \(nobody\) → web-1 \(epoch 1/);
  assert.match(r.out, /\[failover\] web: web-1 → web-2 \(epoch 2, 1 provider write, trigger alertmanager/);
});

test('a bad control-plane config is refused with the file and the field, exit code 5', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'floatip-bad-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'bad.yaml');
  await writeFile(
    cfg,
    'controlPlane:\n  groups:\n    - id: web\n      members: { a: { priority: 999 } }\n      resources: []\n',
  );
  const r = await run(['serve', '--config', cfg]);
  assert.equal(r.code, 5);
  assert.match(
    r.err,
    /bad\.yaml: controlPlane\.groups\[0\]\.members\.a\.priority: must be an integer from 1 to 254/,
  );
  assert.match(r.err, /controlPlane\.groups\[0\]\.resources: at least one resource is needed/);
});

test('floatip drain runs the queued jobs within its budget and exits', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'floatip-drain-'));
  const prefix = `t-drain-${randomUUID().slice(0, 8)}`;
  const example = await readFile(join(root, 'examples', 'floatip.control.yaml'), 'utf8');
  const cfg = join(dir, 'control.yaml');
  await writeFile(
    cfg,
    example
      .replace('prefix: floatip-demo', `prefix: ${prefix}`)
      .replace('url: redis://127.0.0.1:6379', `url: ${redisUrl}`),
  );
  const cp = buildControlPlane(await loadControlPlaneConfig(cfg), { logger: quietLogger });
  t.after(async () => {
    await cp.close();
    await rm(dir, { recursive: true, force: true });
    await dropPrefix(redisUrl, prefix);
  });
  await waitReady(cp.apiRedis);
  const q = await cp.api.queue.enqueue({
    kind: 'failover',
    key: 'drain-1',
    group: 'web',
    to: 'web-2',
    action: 'switchover',
    reason: 'test',
    source: 'test',
  });
  assert.equal(q.kind, 'ok');
  const r = await run(['drain', '--config', cfg, '--budget-ms', '20000']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { completed: 1, failed: 0, delayed: 0, budgetExhausted: false });
  const s = await cp.api.state.get('web');
  assert.equal(s.kind === 'ok' && s.value?.holder, 'web-2');
});
