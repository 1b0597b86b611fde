/**
 * The built Azure Functions app (v4 programming model), unpacked from its zip into a clean directory and
 * run by a stand-in of the Node.js worker (./worker-stand-in.ts) through the app's own @azure/functions
 * invocation model: an HTTP trigger and a timer trigger as the host sends them. The route's next hop
 * moves in the ARM emulator, with a token from the App Service managed-identity endpoint.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { armSubscription, startArmEmulator } from '../../emulators/arm.ts';
import { addNvaNics, addNvaRouteTable, nvaGroup } from '../../helpers/azure-nva.ts';
import { loopbackCertificate } from '../../emulators/tls.ts';
import { dropPrefix, redisUrl } from '../../e2e/control-plane/fixture.ts';
import { cleanDir, ensureArtifacts, unpackArtifact } from '../../infra/artifacts.ts';
import { lineChild } from '../line-child.ts';
import { startIdentityEndpoint } from './managed-identity.ts';

const token = 'azure-test-token';
async function armLab() {
  const cert = loopbackCertificate();
  const arm = await startArmEmulator({ lroPolls: 1, retryAfterMs: 5, tls: cert });
  addNvaNics(arm);
  addNvaRouteTable(arm);
  return { arm, cert };
}

/** An HTTP trigger's input as the host sends it (RpcHttpData in the trigger binding). */
const httpInput = (binding: string, method: string, path: string, body?: unknown) => [
  {
    name: binding,
    data: {
      http: {
        method,
        url: `https://floatip-test.azurewebsites.net/api${path}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        query: {},
        params: {},
        ...(body === undefined ? {} : { body: { string: JSON.stringify(body) } }),
      },
    },
  },
];

type Binding = { type: string; direction: string };
const triggerOf = (fns: { name: string; bindings: Record<string, Binding> }[], name: string): string =>
  Object.entries(fns.find((f) => f.name === name)?.bindings ?? {}).find(
    ([, b]) => b.direction === 'in',
  )?.[0] ?? '';

interface HttpOut {
  response?: { returnValue?: { http?: { statusCode: string; body?: { bytes?: { base64: string } } } } };
  error?: string;
}
const bodyText = (r: HttpOut): string =>
  Buffer.from(r.response?.returnValue?.http?.body?.bytes?.base64 ?? '', 'base64').toString();

test('Azure Functions app from a clean directory: HTTP and timer triggers move a UDR next hop and audit it', async (t) => {
  await ensureArtifacts();
  const app = cleanDir(t, 'azure');
  const files = unpackArtifact('azure-functions', app);
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { main: string };
  assert.ok(existsSync(join(app, pkg.main)) && files.includes('host.json'), files.join(' '));
  assert.ok(
    !files.some((f) => f.endsWith('.ts') || f.includes('node_modules')),
    'no TypeScript, no node_modules',
  );

  const { arm, cert } = await armLab();
  t.after(() => arm.close());
  const identity = await startIdentityEndpoint('fip-cloud-test-token');
  t.after(() => identity.close());
  writeFileSync(join(app, 'arm-ca.pem'), cert.cert);
  const prefix = `t-azfn-${randomUUID().slice(0, 8)}`;
  t.after(() => dropPrefix(redisUrl, prefix));
  writeFileSync(
    join(app, 'floatip.control.yaml'),
    JSON.stringify({
      controlPlane: {
        redis: { url: redisUrl, prefix },
        tokens: [{ name: 'ops', env: 'FLOATIP_OPS_TOKEN', scopes: ['read', 'failover'] }],
        providers: {
          azure: {
            subscriptionId: armSubscription,
            endpoint: arm.url,
            caFile: join(app, 'arm-ca.pem'),
            lroPollMs: 2,
          },
        },
        worker: { lockTtlMs: 180_000 },
        groups: [nvaGroup],
      },
    }),
  );
  const worker = lineChild(t, [join(import.meta.dirname, 'worker-stand-in.ts'), app], {
    cwd: app,
    env: {
      PATH: process.env.PATH,
      FLOATIP_CONFIG: join(app, 'floatip.control.yaml'),
      FLOATIP_OPS_TOKEN: token,
      FLOATIP_LOG_LEVEL: 'warn',
      ...identity.env,
    },
  });
  const ready = (await worker.read()) as {
    ready?: boolean;
    functions: { name: string; bindings: Record<string, Binding> }[];
  };
  assert.ok(ready.ready, JSON.stringify(ready));
  const http = triggerOf(ready.functions, 'floatip');
  const timer = triggerOf(ready.functions, 'floatipSweep');
  assert.equal(ready.functions.find((f) => f.name === 'floatip')?.bindings[http]?.type, 'httpTrigger');
  assert.equal(ready.functions.find((f) => f.name === 'floatipSweep')?.bindings[timer]?.type, 'timerTrigger');

  // The first request after the cold start is served (Redis connected within it), not 503.
  const queued = (await worker.ask({
    function: 'floatip',
    inputData: httpInput(http, 'POST', '/v1/groups/nva/failover', { to: 'b', reason: 'azure test' }),
  })) as HttpOut;
  assert.equal(
    queued.response?.returnValue?.http?.statusCode,
    '202',
    JSON.stringify(queued) + worker.stderr(),
  );
  const swept = (await worker.ask({
    function: 'floatipSweep',
    inputData: [
      {
        name: timer,
        data: {
          json: JSON.stringify({
            Schedule: { AdjustForDST: true },
            ScheduleStatus: {
              Last: '2026-01-01T00:00:00Z',
              Next: '2026-01-01T00:01:00Z',
              LastUpdated: '2026-01-01T00:00:00Z',
            },
            IsPastDue: false,
          }),
        },
      },
    ],
  })) as { response?: unknown; error?: string; logs: string[] };
  assert.ok(swept.response, JSON.stringify(swept) + worker.stderr());
  assert.equal(
    arm.tables.get('rg/rt-1')?.routes.get('vip')?.nextHopIpAddress,
    '10.1.0.5',
    'the route moved to b',
  );
  // The audience is the configured Resource Manager endpoint (here the emulator), as for a sovereign cloud.
  assert.ok(
    identity.requests.some((r) => r.headerOk && r.resource?.startsWith(new URL(arm.url).origin)),
    `token from the identity endpoint for ${new URL(arm.url).origin}: ${JSON.stringify(identity.requests)}`,
  );
  const audit = (await worker.ask({
    function: 'floatip',
    inputData: httpInput(http, 'GET', '/v1/audit?group=nva&limit=5'),
  })) as HttpOut;
  assert.equal(audit.response?.returnValue?.http?.statusCode, '200', JSON.stringify(audit));
  const entries = (
    JSON.parse(bodyText(audit)) as { entries: { to: string; calls: { operation: string }[] }[] }
  ).entries;
  assert.ok(
    entries.some((e) => e.to === 'b' && e.calls.length > 0),
    bodyText(audit),
  );
});
