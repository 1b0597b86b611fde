// @needs redis
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { gcpHttpHandler, gcpSweepHandler } from '../../../functions/gcp-functions/handlers.ts';
import { controlFixture, opsToken } from '../../e2e/control-plane/fixture.ts';

/** Registers the HTTP function with functions-framework and serves it on loopback; returns its URL. */
async function serveHttpFunction(
  cp: Parameters<typeof gcpHttpHandler>[0],
  defer: (f: () => Promise<void>) => void,
): Promise<string> {
  const name = `floatip-test-${randomUUID().slice(0, 8)}`;
  ff.http(name, gcpHttpHandler(cp));
  const server = getTestServer(name);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  defer(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('GCP HTTP function (functions-framework): a Cloud Monitoring incident makes a job; bad JSON is named', async (t) => {
  const { cp, defer } = await controlFixture(t);
  const url = await serveHttpFunction(cp, defer);
  const incident = {
    version: '1.2',
    incident: {
      incident_id: '0.xyz',
      state: 'open',
      policy_name: 'NodeDown',
      summary: 'uptime check failed',
      resource: { type: 'gce_instance', labels: { instance_id: '42' } },
      policy_user_labels: { floatip_group: 'web', instance: 'b' },
    },
  };
  const ok = await fetch(`${url}/v1/webhooks/gcp-monitoring`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opsToken}` },
    body: JSON.stringify(incident),
  });
  assert.equal(ok.status, 202, await ok.clone().text());
  // Not declared as JSON: refused by the app, naming the header (malformed JSON declared as JSON never
  // reaches it: functions-framework's own body parser answers 400 first).
  const bad = await fetch(`${url}/v1/webhooks/gcp-monitoring`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: `Bearer ${opsToken}` },
    body: '{"incident": ',
  });
  assert.equal(bad.status, 415);
  assert.equal(((await bad.json()) as { error: { field: string } }).error.field, 'Content-Type');
  assert.equal(await (await cp.queue()).count(), 1);
});

test('GCP HTTP function: the rate limit sees the connection, so the X-Forwarded-For of a trusted front end picks the bucket', async (t) => {
  const { cp, defer } = await controlFixture(t, {
    patch: { http: { bodyLimitBytes: 4096, ratePerMinute: 2, trustedProxies: ['127.0.0.1'] } },
  });
  const url = await serveHttpFunction(cp, defer);
  const from = async (client: string): Promise<number> =>
    (
      await fetch(`${url}/v1/groups`, {
        headers: { authorization: `Bearer ${opsToken}`, 'x-forwarded-for': client },
      })
    ).status;
  assert.deepEqual(
    [await from('192.0.2.1'), await from('192.0.2.1'), await from('192.0.2.1')],
    [200, 200, 429],
  );
  // Before, the function passed no connection address: every request shared one "unknown" bucket.
  assert.equal(await from('198.51.100.7'), 200);
});

test('GCP CloudEvent function: a Pub/Sub message from Cloud Scheduler sweeps and drains', async (t) => {
  const { cp, provider } = await controlFixture(t);
  provider.set('web-vip', 'c'); // drift: recorded holder will be 'a' after the first sweep
  const event = {
    specversion: '1.0',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    source: '//pubsub.googleapis.com/projects/p/topics/floatip-sweep',
    id: '1234567890',
    time: '2026-11-23T10:00:00Z',
    datacontenttype: 'application/json',
    data: {
      message: {
        data: Buffer.from('sweep').toString('base64'),
        messageId: '1234567890',
        publishTime: '2026-11-23T10:00:00Z',
      },
      subscription: 'projects/p/subscriptions/floatip-sweep',
    },
  };
  const r = await gcpSweepHandler(cp, 30_000)(event);
  assert.equal(r.drain.completed, 1);
  const s = await cp.api.state.get('web');
  assert.equal(s.kind === 'ok' ? s.value : 'x', null, 'c holds it, no recorded holder: nothing to do');
});
