// @needs redis prometheus-alertmanager
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServe } from '../../../functions/serve/index.ts';
import { startWorker } from '../../../functions/worker/index.ts';
import { controlFixture, eventually, opsToken } from './fixture.ts';

const binary = 'prometheus-alertmanager';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

test('the real Prometheus Alertmanager fires an alert at floatip serve and the failover job runs', async (t) => {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
  } catch {
    assert.fail(
      `${binary} is not installed (apt-get install prometheus-alertmanager; listed in .ci/apt-packages)`,
    );
  }
  const { cp, defer } = await controlFixture(t);
  const server = await startServe(cp, { port: 0 });
  defer(() => server.close());
  const worker = await startWorker(cp, { schedule: false });
  defer(() => worker.close());

  const dir = await mkdtemp(join(tmpdir(), 'floatip-am-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  await writeFile(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: floatip',
      "  group_by: ['alertname', 'instance']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: floatip',
      '    webhook_configs:',
      `      - url: ${server.url}/v1/webhooks/alertmanager`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization:',
      '            type: Bearer',
      `            credentials: ${opsToken}`,
      '',
    ].join('\n'),
  );
  const am = spawn(
    binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  am.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  defer(
    () =>
      new Promise<void>((resolve) => {
        if (am.exitCode !== null) return resolve();
        am.once('exit', () => resolve());
        am.kill('SIGTERM');
      }),
  );
  const base = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (am.exitCode !== null) throw new Error(`alertmanager exited: ${stderr}`);
    const r = await fetch(`${base}/-/ready`).catch(() => null);
    return r?.ok ? true : undefined;
  }, 'alertmanager to be ready');

  const fired = await fetch(`${base}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        labels: { alertname: 'NodeDown', floatip_group: 'web', instance: 'a' },
        annotations: { summary: 'node a stopped answering' },
        startsAt: new Date().toISOString(),
      },
    ]),
  });
  assert.equal(fired.status, 200, await fired.text());

  const state = await eventually(
    async () => {
      const s = await cp.api.state.get('web');
      return s.kind === 'ok' && s.value?.holder === 'b' ? s.value : undefined;
    },
    'the failover triggered by Alertmanager',
    30_000,
  );
  assert.equal(state.health.a, 'down');
  const audit = await cp.api.audit.list({ group: 'web', limit: 10 });
  const entries = audit.kind === 'ok' ? audit.value : [];
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.source, 'alertmanager');
  assert.equal(entries[0]?.reason, 'node a stopped answering');
});
