// @needs redis
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LambdaContext } from 'hono/aws-lambda';
import { createHttpHandler, createSweepHandler } from '../../../functions/aws-lambda/index.ts';
import { controlFixture, opsToken, viewerToken } from '../../e2e/control-plane/fixture.ts';
import { httpApiEvent } from './events.ts';

const lambdaContext = {
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as LambdaContext;

const alertBody = JSON.stringify({
  version: '4',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'NodeDown', floatip_group: 'web', instance: 'a' },
      startsAt: '2026-01-01T00:00:00Z',
      fingerprint: 'l1',
    },
  ],
});

test('Lambda HTTP handler: API Gateway HTTP API (v2) and REST (v1) events reach the hono app', async (t) => {
  const { cp } = await controlFixture(t);
  const handler = createHttpHandler(cp);
  const v2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/v1/webhooks/alertmanager',
    rawQueryString: '',
    headers: {
      authorization: `Bearer ${opsToken}`,
      'content-type': 'application/json',
      host: 'abc.execute-api.eu-west-1.amazonaws.com',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc',
      http: {
        method: 'POST',
        path: '/v1/webhooks/alertmanager',
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'Alertmanager/0.25.0',
      },
      requestId: 'r1',
      routeKey: '$default',
      stage: '$default',
      time: '23/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795428000000,
    },
    body: Buffer.from(alertBody).toString('base64'),
    isBase64Encoded: true,
  };
  const r2 = (await handler(v2 as never, lambdaContext)) as { statusCode: number; body: string };
  assert.equal(r2.statusCode, 202, r2.body);
  assert.equal(await (await cp.queue()).count(), 1);

  const v1 = {
    resource: '/{proxy+}',
    path: '/v1/groups/web',
    httpMethod: 'GET',
    headers: { Authorization: `Bearer ${viewerToken}`, Host: 'abc.execute-api.eu-west-1.amazonaws.com' },
    multiValueHeaders: {
      Authorization: [`Bearer ${viewerToken}`],
      Host: ['abc.execute-api.eu-west-1.amazonaws.com'],
    },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'v1/groups/web' },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc',
      httpMethod: 'GET',
      path: '/prod/v1/groups/web',
      stage: 'prod',
      requestId: 'r2',
      resourcePath: '/{proxy+}',
      identity: { sourceIp: '192.0.2.1' },
    },
    body: null,
    isBase64Encoded: false,
  };
  const r1 = (await handler(v1 as never, lambdaContext)) as { statusCode: number; body: string };
  assert.equal(r1.statusCode, 200, r1.body);
  const group = JSON.parse(r1.body) as { id: string; members: { id: string; health: string }[] };
  assert.equal(group.id, 'web');
  assert.equal(group.members.find((m) => m.id === 'a')?.health, 'down');
});

test('Lambda sweep handler: an EventBridge scheduled event sweeps and drains within the invocation', async (t) => {
  const { cp, provider } = await controlFixture(t);
  provider.set('web-vip', null); // nobody holds web: the sweep must assign it
  const handler = createSweepHandler(cp);
  const event = {
    version: '0',
    id: '89d1a02d-5ec7-412e-82f5-13505f849b41',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2026-11-23T10:00:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:events:eu-west-1:123456789012:rule/floatip-sweep'],
    detail: {},
  };
  const r = await handler(event, { getRemainingTimeInMillis: () => 60_000 });
  assert.equal(r.drain.completed, 2, 'the sweep and the failover it queued');
  assert.equal(r.drain.budgetExhausted, false);
  const s = await cp.api.state.get('web');
  assert.equal(s.kind === 'ok' && s.value?.holder, 'a');
  // The same event redelivered: no second sweep.
  const again = await handler(event, { getRemainingTimeInMillis: () => 60_000 });
  assert.equal(again.sweep.kind === 'ok' && again.sweep.value.duplicate, true);
  assert.equal(again.drain.completed, 0);
  await assert.rejects(
    handler({ source: 'aws.s3' }, { getRemainingTimeInMillis: () => 60_000 }),
    /Scheduled Event/,
  );
});

test('Lambda HTTP handler: the rate limit counts per API Gateway source address, not one bucket for all', async (t) => {
  const { cp } = await controlFixture(t, { patch: { http: { bodyLimitBytes: 4096, ratePerMinute: 2 } } });
  const handler = createHttpHandler(cp);
  const from = async (sourceIp: string): Promise<number> => {
    const event = httpApiEvent('GET', '/v1/groups');
    (event.requestContext as { http: { sourceIp: string } }).http.sourceIp = sourceIp;
    (event.headers as Record<string, string>).authorization = `Bearer ${opsToken}`;
    return ((await handler(event as never, lambdaContext)) as { statusCode: number }).statusCode;
  };
  assert.deepEqual(
    [await from('192.0.2.1'), await from('192.0.2.1'), await from('192.0.2.1')],
    [200, 200, 429],
  );
  // Another client still has its own budget (before, every invocation counted against "unknown").
  assert.equal(await from('198.51.100.7'), 200);
});
