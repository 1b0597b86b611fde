/**
 * The built Lambda zip, unpacked into a clean directory (no repository, no node_modules), run by a
 * stand-in of the Node.js runtime (./lambda-runtime.ts) with real event shapes: API Gateway HTTP API v2
 * requests to `http.handler` and an EventBridge scheduled event to `sweep.handler`, each function in its
 * own process as Lambda runs them. The elastic IP moves in the EC2 emulator, through the real SDK.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEc2Emulator } from '../../emulators/ec2.ts';
import { dropPrefix, redisSection, redisUrl } from '../../e2e/control-plane/fixture.ts';
import { cleanDir, ensureArtifacts, unpackArtifact } from '../../infra/artifacts.ts';
import { lineChild } from '../line-child.ts';
import { httpApiEvent, lambdaTestToken as token } from './events.ts';

const runtime = join(import.meta.dirname, 'lambda-runtime.ts');

const scheduledEvent = (id: string) => ({
  version: '0',
  id,
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/floatip-sweep'],
  detail: {},
});

interface HttpResult {
  statusCode: number;
  body: string;
  headers?: Record<string, string>;
}

test('Lambda zip from a clean directory: HTTP API v2 and EventBridge events move an EIP and audit it', async (t) => {
  await ensureArtifacts();
  const root = cleanDir(t, 'lambda');
  const files = unpackArtifact('aws-lambda', root);
  assert.ok(files.includes('http.mjs') && files.includes('sweep.mjs'), files.join(' '));
  assert.ok(
    !files.some((f) => f.endsWith('.ts') || f.includes('node_modules')),
    'no TypeScript, no node_modules',
  );

  const ec2 = await startEc2Emulator();
  t.after(() => ec2.close());
  ec2.state.addEni({ id: 'eni-a', instanceId: 'i-a', privateIps: ['10.0.1.10'] });
  ec2.state.addEni({ id: 'eni-b', instanceId: 'i-b', privateIps: ['10.0.1.20'] });
  ec2.state.addAddress({ allocationId: 'eipalloc-1', publicIp: '198.51.100.7' });
  const prefix = `t-lambda-${randomUUID().slice(0, 8)}`;
  t.after(() => dropPrefix(redisUrl, prefix));
  const config = join(root, 'floatip.control.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      controlPlane: {
        redis: redisSection(prefix),
        tokens: [{ name: 'ops', env: 'FLOATIP_OPS_TOKEN', scopes: ['read', 'failover'] }],
        providers: { aws: { region: 'us-east-1', endpoint: ec2.url } },
        groups: [
          {
            id: 'edge',
            members: {
              a: { priority: 200, aws: { networkInterfaceId: 'eni-a' } },
              b: { priority: 100, aws: { networkInterfaceId: 'eni-b' } },
            },
            resources: [
              { id: 'eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } },
            ],
          },
        ],
      },
    }),
  );
  const env = {
    PATH: process.env.PATH,
    LAMBDA_TASK_ROOT: root,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    FLOATIP_CONFIG: config,
    FLOATIP_OPS_TOKEN: token,
    FLOATIP_LOG_LEVEL: 'warn',
  };
  const http = lineChild(t, [runtime, root, 'http.handler'], { cwd: root, env });
  const sweep = lineChild(t, [runtime, root, 'sweep.handler'], { cwd: root, env });
  const call = async (method: string, path: string, body?: unknown): Promise<HttpResult> => {
    const r = (await http.ask(httpApiEvent(method, path, body))) as { ok: boolean; value: HttpResult };
    assert.ok(r.ok, `${JSON.stringify(r)}\n${http.stderr()}`);
    return r.value;
  };

  // The first request after the cold start: Redis is connected within it, so no 503.
  const first = await call('POST', '/v1/groups/edge/failover', { to: 'b', reason: 'lambda test' });
  assert.equal(first.statusCode, 202, first.body);
  const swept = (await sweep.ask(scheduledEvent(randomUUID()))) as {
    ok: boolean;
    value: { drain: { completed: number } };
  };
  assert.ok(swept.ok, `${JSON.stringify(swept)}\n${sweep.stderr()}`);
  assert.ok(swept.value.drain.completed >= 2, JSON.stringify(swept.value));
  assert.equal(ec2.state.addresses.get('eipalloc-1')?.eniId, 'eni-b', 'the EIP moved to b');
  const audit = await call('GET', '/v1/audit?group=edge&limit=5');
  assert.equal(audit.statusCode, 200, audit.body);
  const entries = (
    JSON.parse(audit.body) as { entries: { from: string; to: string; calls: { operation: string }[] }[] }
  ).entries;
  const moved = entries.find((e) => e.to === 'b');
  assert.ok(
    moved?.calls.some((c) => c.operation === 'AssociateAddress'),
    JSON.stringify(moved),
  );
  const notEvent = (await sweep.ask({ hello: 'world' })) as { ok: boolean; error: string };
  assert.equal(notEvent.ok, false);
  assert.match(notEvent.error, /not an EventBridge "Scheduled Event"/);
});
