/**
 * The built GCP artifact, unpacked from its zip into a clean directory, its package.json dependencies
 * installed as the platform's build would (only functions-framework), then served by the real
 * functions-framework CLI on the built entry: an HTTP request to `floatip` and a Pub/Sub CloudEvent (as
 * Eventarc delivers a Cloud Scheduler message) to `floatipSweep`, each its own server as deployed. The
 * alias IP moves in the Compute emulator, with a token from the metadata server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startGceEmulator } from '../../emulators/gce.ts';
import { dropPrefix, redisUrl } from '../../e2e/control-plane/fixture.ts';
import { cleanDir, ensureArtifacts, unpackArtifact } from '../../infra/artifacts.ts';
import { installDependencies } from './install-deps.ts';
import { startMetadataServer } from './metadata-server.ts';

const token = 'gcp-test-token';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** `functions-framework --target T --source APP` as its own process; resolves once it serves. */
async function serveFunction(
  t: TestContext,
  app: string,
  target: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const port = await freePort();
  const cli = join(app, 'node_modules/@google-cloud/functions-framework/build/src/main.js');
  const child = spawn(process.execPath, [cli, `--target=${target}`, `--source=${app}`, `--port=${port}`], {
    cwd: app,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  for (let i = 0; i < 2400 && !log.includes('URL: http://localhost:'); i++) {
    if (child.exitCode !== null) throw new Error(`functions-framework exited: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(log, /URL: http:\/\/localhost:/, log);
  return `http://127.0.0.1:${port}`;
}

test('GCP artifact on functions-framework from a clean directory: HTTP + Pub/Sub CloudEvent move an alias IP', async (t) => {
  await ensureArtifacts();
  const app = cleanDir(t, 'gcp');
  const files = unpackArtifact('gcp-functions', app);
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
    main: string;
    dependencies: object;
  };
  assert.deepEqual(Object.keys(pkg.dependencies), ['@google-cloud/functions-framework']);
  assert.ok(existsSync(join(app, pkg.main)) && !files.some((f) => f.endsWith('.ts')), files.join(' '));
  const installed = installDependencies(app);
  assert.ok(
    !installed.some((p) => /^(ioredis|bullmq|hono|zod|@google-cloud\/compute)$/.test(p)),
    'the bundle brings its own',
  );

  const gce = await startGceEmulator({ opPolls: 1 });
  t.after(() => gce.close());
  gce.addInstance('europe-west1-b', 'vm-a', '10.2.0.4');
  gce.addInstance('europe-west1-c', 'vm-b', '10.2.0.5');
  const metadata = await startMetadataServer(gce.project, 'fip-cloud-test-token');
  t.after(() => metadata.close());
  const prefix = `t-gcpfn-${randomUUID().slice(0, 8)}`;
  t.after(() => dropPrefix(redisUrl, prefix));
  writeFileSync(
    join(app, 'floatip.control.yaml'),
    JSON.stringify({
      controlPlane: {
        redis: { url: redisUrl, prefix },
        tokens: [{ name: 'ops', env: 'FLOATIP_OPS_TOKEN', scopes: ['read', 'failover'] }],
        providers: { gcp: { project: gce.project, endpoint: gce.url } },
        worker: { lockTtlMs: 120_000 },
        groups: [
          {
            id: 'app',
            members: {
              a: { priority: 200, gcp: { zone: 'europe-west1-b', instance: 'vm-a' } },
              b: { priority: 100, gcp: { zone: 'europe-west1-c', instance: 'vm-b' } },
            },
            resources: [
              { id: 'alias', provider: 'gcp', kind: 'alias-ip', spec: { ipCidrRange: '10.2.9.9/32' } },
            ],
          },
        ],
      },
    }),
  );
  const env = {
    PATH: process.env.PATH,
    HOME: app,
    FLOATIP_CONFIG: join(app, 'floatip.control.yaml'),
    FLOATIP_OPS_TOKEN: token,
    FLOATIP_LOG_LEVEL: 'warn',
    GCE_METADATA_HOST: metadata.host,
  };
  const [http, sweep] = await Promise.all([
    serveFunction(t, app, 'floatip', env),
    serveFunction(t, app, 'floatipSweep', env),
  ]);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  // The first request after the cold start is served (Redis connected within it), not 503.
  const queued = await fetch(`${http}/v1/groups/app/failover`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ to: 'b', reason: 'gcp test' }),
  });
  assert.equal(queued.status, 202, await queued.clone().text());
  // A Pub/Sub push as Eventarc delivers it: a binary-mode CloudEvent.
  const swept = await fetch(sweep, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': '7305563453930587',
      'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      'ce-source': `//pubsub.googleapis.com/projects/${gce.project}/topics/floatip-sweep`,
      'ce-time': '2026-01-01T00:00:00Z',
    },
    body: JSON.stringify({
      message: {
        data: Buffer.from('sweep').toString('base64'),
        messageId: '7305563453930587',
        publishTime: '2026-01-01T00:00:00Z',
      },
      subscription: `projects/${gce.project}/subscriptions/eventarc-floatip-sweep`,
    }),
  });
  assert.ok(swept.status < 300, `${swept.status} ${await swept.text()}`);
  const aliases = gce.instances.get('europe-west1-c/vm-b')?.networkInterfaces[0]?.aliasIpRanges ?? [];
  assert.deepEqual(
    aliases.map((r) => r.ipCidrRange),
    ['10.2.9.9/32'],
    'the alias IP moved to b',
  );
  assert.ok(
    metadata.requests.some((r) => r.flavorOk && r.path.endsWith('/token')),
    'token from the metadata server',
  );
  const audit = await fetch(`${http}/v1/audit?group=app&limit=5`, { headers: auth });
  assert.equal(audit.status, 200);
  const { entries } = (await audit.json()) as { entries: { to: string; calls: unknown[] }[] };
  assert.ok(
    entries.some((e) => e.to === 'b' && e.calls.length > 0),
    JSON.stringify(entries),
  );
});
