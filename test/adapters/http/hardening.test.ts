// @needs redis openssl
/**
 * The attacks of issue 13 against `floatip serve`, each answered as it should be: rate-limit buckets that
 * a client cannot choose, JSON only, authentication before anything else, replays claimed atomically,
 * SubscribeURL refused as forbidden, refusals logged (never the secret) and counted.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { parseControlPlaneConfig } from '../../../core/config/control-plane.ts';
import type { Logger } from '../../../core/ports/index.ts';
import { createControlApp, signHook } from '../../../adapters/http/index.ts';
import { MemoryVipProvider } from '../../../adapters/memory/index.ts';
import { controlKeys } from '../../../adapters/redis/index.ts';
import { buildControlPlane } from '../../../functions/control-plane/index.ts';
import { startServe } from '../../../functions/serve/index.ts';
import {
  controlFixture,
  hookSecret,
  opsToken,
  testConfigInput,
  viewerToken,
} from '../../e2e/control-plane/fixture.ts';
import { snsFixture, type SnsFixture } from './sns-fixture.ts';

const topic = 'arn:aws:sns:us-east-1:123456789012:floatip-alarms';
let sns: SnsFixture;
before(async () => {
  sns = await snsFixture();
});
after(() => sns.close());

/** A logger that keeps every line, to check what is (and is not) logged. */
function capture(): {
  logger: Logger;
  lines: { level: string; msg: string; fields: Record<string, unknown> }[];
} {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const make = (bound: Record<string, unknown>): Logger => {
    const at =
      (level: string) =>
      (msg: string, fields: Record<string, unknown> = {}) =>
        lines.push({ level, msg, fields: { ...bound, ...fields } });
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (b) => make({ ...bound, ...b }),
    };
  };
  return { logger: make({}), lines };
}

async function serve(t: TestContext, patch: Record<string, unknown> = {}, logger?: Logger) {
  const f = await controlFixture(t, {
    patch: {
      webhooks: {
        hmac: { value: hookSecret },
        sns: { topicArns: [topic], certUrlPattern: `^${sns.base.replace(/[.]/g, '\\.')}/` },
      },
      ...patch,
    },
    ...(logger ? { overrides: { logger } } : {}),
  });
  const server = await startServe(f.cp, { port: 0 });
  f.defer(() => server.close());
  const send = (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) =>
    fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: init.headers ?? {},
      body: init.body,
    });
  const hook = (body: string, ts = Math.floor(Date.now() / 1000)) =>
    send('/v1/webhooks/hook', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-floatip-timestamp': String(ts),
        'x-floatip-signature': signHook(hookSecret, ts, body),
      },
      body,
    });
  return { ...f, server, send, hook };
}

const hookBody = (id: string) =>
  JSON.stringify({
    id,
    status: 'firing',
    labels: { alertname: 'NodeDown', floatip_group: 'web', instance: 'a' },
  });

test('junk from anonymous clients does not use up the signed webhook sender’s budget', async (t) => {
  const { send, hook } = await serve(t, { http: { ratePerMinute: 3, bodyLimitBytes: 4096 } });
  const junk: number[] = [];
  for (let i = 0; i < 20; i++) junk.push((await send('/v1/groups')).status);
  assert.deepEqual(junk.slice(0, 3), [401, 401, 401]);
  assert.ok(
    junk.slice(3).every((s) => s === 429),
    junk.join(','),
  );
  const r = await hook(hookBody('incident-1'));
  assert.equal(r.status, 202, await r.text());
});

test('a spoofed X-Forwarded-For or a random bearer token does not buy a fresh bucket', async (t) => {
  const { send } = await serve(t, { http: { ratePerMinute: 3, bodyLimitBytes: 4096 } });
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++)
    statuses.push(
      (
        await send('/v1/groups', {
          headers: { 'x-forwarded-for': `198.51.100.${i}`, authorization: `Bearer ${randomUUID()}` },
        })
      ).status,
    );
  assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429, 429, 429]);
});

test('behind a trusted proxy each forwarded client has its own bucket; the proxy list is the config’s', async (t) => {
  const { send } = await serve(t, {
    http: { ratePerMinute: 2, bodyLimitBytes: 4096, trustedProxies: ['127.0.0.0/8', '::1'] },
  });
  const as = async (client: string) =>
    (await send('/v1/groups', { headers: { 'x-forwarded-for': `203.0.113.9, ${client}` } })).status;
  assert.deepEqual([await as('192.0.2.1'), await as('192.0.2.1'), await as('192.0.2.1')], [401, 401, 429]);
  assert.equal(await as('192.0.2.2'), 401, 'another client behind the proxy is not limited');
  const bad = parseControlPlaneConfig(
    testConfigInput('x', undefined, { http: { trustedProxies: ['10.0.0.0/33', 'proxy.example'] } }),
  );
  assert.equal(bad.ok, false);
  assert.deepEqual(!bad.ok && bad.errors.map((e) => e.path), [
    'controlPlane.http.trustedProxies[0]',
    'controlPlane.http.trustedProxies[1]',
  ]);
});

test('more than 10,000 clients evict the least recently used bucket, not the one still being limited', async (t) => {
  const { cp } = await controlFixture(t, { patch: { http: { ratePerMinute: 2, bodyLimitBytes: 4096 } } });
  // In-process requests carry their "socket" address in a test header (and, for the old keying, in X-Forwarded-For).
  const app = createControlApp({ ...cp.http, peerAddress: (c) => c.req.header('x-test-peer') });
  const from = (peer: string) =>
    app.request('/v1/groups', { headers: { 'x-test-peer': peer, 'x-forwarded-for': peer } });
  for (let i = 0; i < 3; i++) await from('192.0.2.66');
  assert.equal((await from('192.0.2.66')).status, 429);
  for (let i = 0; i < 10_500; i++) {
    await from(`10.${i >> 8}.${i & 255}.1`);
    // The limited client keeps knocking, so its bucket stays recently used.
    if (i % 1000 === 0) assert.equal((await from('192.0.2.66')).status, 429, `after ${i} other clients`);
  }
  assert.equal((await from('192.0.2.66')).status, 429);
});

test('anything but JSON is 415 and changes nothing; SNS may post its JSON as text/plain', async (t) => {
  const { send, cp, provider } = await serve(t);
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
  ]) {
    const r = await send('/v1/groups/web/failover', {
      method: 'POST',
      headers: { authorization: `Bearer ${opsToken}`, ...(type === '' ? {} : { 'content-type': type }) },
      body: JSON.stringify({ dryRun: true }),
    });
    assert.equal(r.status, 415, `${type}: ${r.status}`);
    assert.equal(((await r.json()) as { error: { field: string } }).error.field, 'Content-Type');
  }
  const ok = await send('/v1/groups/web/failover', {
    method: 'POST',
    headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ dryRun: true }),
  });
  assert.equal(ok.status, 200);
  assert.equal(await (await cp.queue()).count(), 0);
  assert.equal(provider.calls.filter((c) => c.operation === 'set').length, 0);
  const note = sns.sign({
    Type: 'Notification',
    MessageId: `m-${randomUUID()}`,
    TopicArn: topic,
    Message: JSON.stringify({
      AlarmName: 'WebDown',
      NewStateValue: 'OK',
      StateChangeTime: '2026-01-01T00:00:00Z',
      Trigger: { Dimensions: [{ name: 'host', value: 'host-a' }] },
    }),
    Timestamp: new Date().toISOString(),
  });
  const s = await send('/v1/webhooks/sns', {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8' },
    body: JSON.stringify(note),
  });
  assert.equal(s.status, 202, await s.text());
});

test('with the store down, a caller without a valid token gets 401, not the store’s 503', async (t) => {
  const r = parseControlPlaneConfig(
    testConfigInput(`t-down-${randomUUID().slice(0, 8)}`, 'redis://127.0.0.1:1'),
  );
  assert.ok(r.ok);
  const cp = buildControlPlane(r.config, {
    providers: { memory: new MemoryVipProvider('memory') },
    logger: capture().logger,
  });
  t.after(() => cp.close());
  const app = createControlApp(cp.http);
  assert.equal((await app.request('/v1/groups')).status, 401);
  assert.equal((await app.request('/v1/groups', { headers: { authorization: 'Bearer nope' } })).status, 401);
  const hook = await app.request('/v1/webhooks/hook', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-floatip-timestamp': '1',
      'x-floatip-signature': 'sha256=00',
    },
    body: '{}',
  });
  assert.equal(hook.status, 401);
  const authed = await app.request('/v1/groups', { headers: { authorization: `Bearer ${viewerToken}` } });
  assert.equal(authed.status, 503);
  assert.match(authed.headers.get('retry-after') ?? '', /^\d+$/);
});

test('20 concurrent copies of one SNS message: one is acted on, 19 are replays', async (t) => {
  const { send, cp } = await serve(t);
  const note = sns.sign({
    Type: 'Notification',
    MessageId: `m-${randomUUID()}`,
    TopicArn: topic,
    Message: JSON.stringify({
      AlarmName: 'WebDown',
      NewStateValue: 'ALARM',
      StateChangeTime: new Date().toISOString(),
      Trigger: { Dimensions: [{ name: 'host', value: 'host-a' }] },
    }),
    Timestamp: new Date().toISOString(),
  });
  const statuses = await Promise.all(
    Array.from({ length: 20 }, () =>
      send('/v1/webhooks/sns', {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
        body: JSON.stringify(note),
      }).then((r) => r.status),
    ),
  );
  assert.deepEqual(
    statuses.toSorted((a, b) => a - b),
    [202, ...Array<number>(19).fill(409)],
  );
  assert.equal(await (await cp.queue()).count(), 1);
  // The claim lasts the whole window in which the message's Timestamp passes (tolerance + 300 s early).
  const ttl = await cp.apiRedis.ttl(
    `${controlKeys(cp.config.redis.prefix).prefix}:seen:sns:${note.MessageId}`,
  );
  assert.ok(ttl > 3600 && ttl <= 3900, `ttl ${ttl}`);
});

test('the generic hook accepts each signed request once: a captured copy is 409', async (t) => {
  const { hook } = await serve(t);
  const ts = Math.floor(Date.now() / 1000);
  const body = hookBody(`incident-${randomUUID()}`);
  assert.equal((await hook(body, ts)).status, 202);
  const again = await hook(body, ts);
  assert.equal(again.status, 409);
  assert.equal(((await again.json()) as { error: { code: string } }).error.code, 'replayed_message');
  // A new request (new timestamp, so a new signature) about the same incident is no replay.
  assert.equal((await hook(body, ts + 1)).status, 202);
});

test('a SubscribeURL outside the allowed SNS hosts is 403, and nothing is fetched', async (t) => {
  const { send } = await serve(t);
  const before = sns.confirmations.length;
  const m = sns.sign({
    Type: 'SubscriptionConfirmation',
    MessageId: `c-${randomUUID()}`,
    TopicArn: topic,
    Message: 'You have chosen to subscribe',
    Timestamp: new Date().toISOString(),
    Token: 'tok',
    SubscribeURL: 'http://169.254.169.254/latest/meta-data/',
  });
  const r = await send('/v1/webhooks/sns', {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8' },
    body: JSON.stringify(m),
  });
  assert.equal(r.status, 403);
  assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'subscribe_url_not_allowed');
  assert.equal(sns.confirmations.length, before);
});

test('authentication failures are logged as warnings without the secret, and counted', async (t) => {
  const { logger, lines } = capture();
  const { send } = await serve(t, {}, logger);
  const secret = `guess-${randomUUID()}`;
  assert.equal((await send('/v1/groups', { headers: { authorization: `Bearer ${secret}` } })).status, 401);
  assert.equal((await send('/v1/groups')).status, 401);
  assert.equal(
    (
      await send('/v1/groups/web/failover', {
        method: 'POST',
        headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' },
        body: '{}',
      })
    ).status,
    403,
  );
  const body = hookBody('x');
  const bad = await send('/v1/webhooks/hook', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-floatip-timestamp': String(Math.floor(Date.now() / 1000)),
      'x-floatip-signature': signHook('wrong-secret', Math.floor(Date.now() / 1000), body),
    },
    body,
  });
  assert.equal(bad.status, 401);
  const warned = lines.filter((l) => l.level === 'warn' && l.msg === 'request refused');
  assert.deepEqual(
    warned.map((l) => l.fields.code),
    ['invalid_token', 'missing_token', 'insufficient_scope', 'signature_mismatch'],
  );
  assert.ok(
    warned.every((l) => l.fields.client === '127.0.0.1'),
    JSON.stringify(warned),
  );
  const all = JSON.stringify(lines);
  assert.ok(!all.includes(secret) && !all.includes(viewerToken) && !all.includes(hookSecret));
  const metrics = await (
    await send('/metrics', { headers: { authorization: `Bearer ${viewerToken}` } })
  ).text();
  assert.match(metrics, /floatip_http_auth_failures_total\{reason="invalid_token"\} 1/);
  assert.match(metrics, /floatip_http_auth_failures_total\{reason="missing_token"\} 1/);
  assert.match(metrics, /floatip_http_auth_failures_total\{reason="insufficient_scope"\} 1/);
  assert.match(metrics, /floatip_http_auth_failures_total\{reason="signature_mismatch"\} 1/);
});
