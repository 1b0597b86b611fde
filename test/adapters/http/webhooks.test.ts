// @needs redis openssl
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { signHook } from '../../../adapters/http/index.ts';
import { startServe } from '../../../functions/serve/index.ts';
import { controlFixture, hookSecret, opsToken } from '../../e2e/control-plane/fixture.ts';
import type { SnsFixture } from './sns-fixture.ts';
import { snsFixture } from './sns-fixture.ts';

const topic = 'arn:aws:sns:us-east-1:123456789012:floatip-alarms';
let sns: SnsFixture;
before(async () => {
  sns = await snsFixture();
});
after(() => sns.close());

async function setup(t: TestContext) {
  const f = await controlFixture(t, {
    patch: {
      webhooks: {
        hmac: { value: hookSecret },
        sns: { topicArns: [topic], certUrlPattern: `^${sns.base.replace(/[.]/g, '\\.')}/` },
      },
    },
  });
  const server = await startServe(f.cp, { port: 0 });
  f.defer(() => server.close());
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      // An empty header value means "send no such header".
      headers: Object.fromEntries(
        Object.entries({
          'content-type': 'application/json',
          authorization: `Bearer ${opsToken}`,
          ...headers,
        }).filter(([, v]) => v !== ''),
      ),
      body,
    });
  /** Nothing was written: no job, no state, no audit, no provider write. */
  const unchanged = async () => {
    assert.equal(await (await f.cp.queue()).count(), 0, 'no job queued');
    for (const g of ['web', 'db']) {
      const s = await f.cp.api.state.get(g);
      assert.deepEqual(s, { kind: 'ok', value: null }, `no state for ${g}`);
    }
    const a = await f.cp.api.audit.list({ limit: 10 });
    assert.deepEqual(a, { kind: 'ok', value: [] }, 'no audit entry');
    assert.equal(f.provider.calls.filter((c) => c.operation === 'set').length, 0, 'no provider write');
  };
  return { ...f, server, post, unchanged };
}

const alarm = (state: 'ALARM' | 'OK', at: string) =>
  JSON.stringify({
    AlarmName: 'WebDown',
    NewStateValue: state,
    NewStateReason: 'Threshold Crossed',
    StateChangeTime: at,
    Trigger: {
      MetricName: 'StatusCheckFailed',
      Namespace: 'AWS/EC2',
      Dimensions: [{ name: 'host', value: 'host-a' }],
    },
  });

const snsNote = (id: string, message: string, timestamp = new Date().toISOString()) => ({
  Type: 'Notification' as const,
  MessageId: id,
  TopicArn: topic,
  Subject: 'ALARM: "WebDown"',
  Message: message,
  Timestamp: timestamp,
});

describe('webhook sources turn alerts into one failover job each', () => {
  test('Alertmanager v4 with a label-mapped group and member', async (t) => {
    const { post, cp } = await setup(t);
    const res = await post(
      '/v1/webhooks/alertmanager',
      JSON.stringify({
        version: '4',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'NodeDown', floatip_group: 'db', instance: 'p' },
            startsAt: '2026-01-01T00:00:00Z',
            fingerprint: 'f1',
          },
          {
            status: 'firing',
            labels: { alertname: 'Unrelated' },
            startsAt: '2026-01-01T00:00:00Z',
            fingerprint: 'f2',
          },
        ],
      }),
    );
    assert.equal(res.status, 202);
    const body = (await res.json()) as { jobs: { group: string; member: string }[]; ignored: number };
    assert.deepEqual(
      body.jobs.map((j) => [j.group, j.member]),
      [['db', 'p']],
    );
    assert.equal(body.ignored, 1);
    const s = await cp.api.state.get('db');
    assert.equal(s.kind === 'ok' && s.value?.health.p, 'down');
  });

  test('AWS SNS: signed CloudWatch alarm (SignatureVersion 1 and 2), confirmation, replay refused', async (t) => {
    const { post, cp, unchanged } = await setup(t);
    // Subscription confirmation: verified, then the SubscribeURL is fetched from the allow-listed host.
    const confirm = sns.sign({
      Type: 'SubscriptionConfirmation',
      MessageId: 'c-1',
      TopicArn: topic,
      Message: 'You have chosen to subscribe',
      Timestamp: new Date().toISOString(),
      Token: 'tok-123',
      SubscribeURL: `${sns.base}/confirm?Token=tok-123`,
    });
    const c = await post('/v1/webhooks/sns', JSON.stringify(confirm), { authorization: '' });
    assert.equal(c.status, 200, await c.clone().text());
    assert.deepEqual(sns.confirmations, ['/confirm?Token=tok-123']);
    await unchanged();

    for (const v of ['1', '2'] as const) {
      const m = sns.sign(snsNote(`n-${v}`, alarm('ALARM', `2026-01-01T00:00:0${v}Z`)), v);
      const r = await post('/v1/webhooks/sns', JSON.stringify(m));
      assert.equal(r.status, 202, await r.clone().text());
      const body = (await r.json()) as { jobs: { group: string; member: string }[] };
      assert.deepEqual(
        body.jobs.map((j) => [j.group, j.member]),
        [['web', 'a']],
      );
    }
    assert.equal(await (await cp.queue()).count(), 2);
    // The same signed message again: refused by MessageId, nothing new queued.
    const replay = sns.sign(snsNote('n-2', alarm('ALARM', '2026-01-01T00:00:02Z')));
    const r = await post('/v1/webhooks/sns', JSON.stringify(replay));
    assert.equal(r.status, 409);
    assert.deepEqual(((await r.json()) as { error: unknown }).error, {
      code: 'replayed_message',
      field: 'MessageId',
      message: 'SNS message n-2 was already processed',
    });
    assert.equal(await (await cp.queue()).count(), 2);
  });

  test('Azure Monitor common alert schema (token in the query string)', async (t) => {
    const { post } = await setup(t);
    const payload = {
      schemaId: 'azureMonitorCommonAlertSchema',
      data: {
        essentials: {
          alertId: '/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/1',
          alertRule: 'WebDown',
          severity: 'Sev1',
          signalType: 'Metric',
          monitorCondition: 'Fired',
          monitoringService: 'Platform',
          alertTargetIDs: [
            '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-b',
          ],
          configurationItems: ['vm-b'],
          originAlertId: 'x',
          firedDateTime: '2026-01-01T00:00:00Z',
        },
        alertContext: {},
        customProperties: { host: 'host-b' },
      },
    };
    const r = await post(`/v1/webhooks/azure-monitor?token=${opsToken}`, JSON.stringify(payload), {
      authorization: '',
    });
    assert.equal(r.status, 202, await r.clone().text());
    const body = (await r.json()) as { jobs: { group: string; member: string }[] };
    assert.deepEqual(
      body.jobs.map((j) => [j.group, j.member]),
      [['web', 'b']],
    );
  });

  test('GCP Cloud Monitoring incident', async (t) => {
    const { post } = await setup(t);
    const payload = {
      version: '1.2',
      incident: {
        incident_id: '0.abc',
        scoping_project_id: 'p',
        state: 'open',
        started_at: 1767225600,
        summary: 'uptime check failed',
        policy_name: 'NodeDown',
        condition_name: 'uptime',
        resource: { type: 'gce_instance', labels: { instance_id: '1', zone: 'europe-west1-b' } },
        metric: { type: 'monitoring.googleapis.com/uptime_check/check_passed', labels: {} },
        policy_user_labels: { floatip_group: 'db', instance: 'q' },
      },
    };
    const r = await post('/v1/webhooks/gcp-monitoring', JSON.stringify(payload));
    assert.equal(r.status, 202, await r.clone().text());
    const body = (await r.json()) as { jobs: { group: string; member: string }[] };
    assert.deepEqual(
      body.jobs.map((j) => [j.group, j.member]),
      [['db', 'q']],
    );
  });

  test('generic HMAC-SHA256 hook', async (t) => {
    const { post } = await setup(t);
    const body = JSON.stringify({
      id: 'inc-9',
      status: 'firing',
      labels: { alertname: 'WebDown', host: 'host-a' },
    });
    const ts = Math.floor(Date.now() / 1000);
    const r = await post('/v1/webhooks/hook', body, {
      authorization: '',
      'x-floatip-timestamp': String(ts),
      'x-floatip-signature': signHook(hookSecret, ts, body),
    });
    assert.equal(r.status, 202, await r.clone().text());
  });
});

describe('bad input gets its own clear error and changes nothing', () => {
  test('each kind of bad request', async (t) => {
    const { post, unchanged, server } = await setup(t);
    type Err = { status: number; code: string; field: string | null; message: string };
    const errorOf = async (res: Response): Promise<Err> => ({
      status: res.status,
      ...((await res.json()) as { error: Omit<Err, 'status'> }).error,
    });
    const am = (labels: Record<string, string>) =>
      JSON.stringify({
        version: '4',
        status: 'firing',
        alerts: [{ status: 'firing', labels, startsAt: 'x', fingerprint: 'f' }],
      });

    assert.deepEqual(await errorOf(await post('/v1/webhooks/alertmanager', '{"version": "4", "alerts": [')), {
      status: 400,
      code: 'malformed_json',
      field: 'body',
      message: (await errorOf(await post('/v1/webhooks/alertmanager', '{"version": "4", "alerts": [')))
        .message,
    });
    const unknownGroup = await errorOf(
      await post(
        '/v1/webhooks/alertmanager',
        am({ alertname: 'NodeDown', floatip_group: 'nope', instance: 'a' }),
      ),
    );
    assert.deepEqual(unknownGroup, {
      status: 422,
      code: 'unmapped_alert',
      field: 'alerts[0].labels.floatip_group',
      message: "alerts[0].labels.floatip_group: unknown group 'nope'",
    });
    const missingField = await errorOf(
      await post('/v1/webhooks/alertmanager', JSON.stringify({ version: '4', status: 'firing' })),
    );
    assert.equal(missingField.status, 400);
    assert.equal(missingField.field, 'alerts');
    const big = await errorOf(
      await post('/v1/webhooks/alertmanager', JSON.stringify({ pad: 'x'.repeat(5000) })),
    );
    assert.deepEqual([big.status, big.code, big.field], [413, 'body_too_large', 'body']);
    // Without Content-Length (chunked), the body is counted as it arrives: the same 413 past the limit,
    // and a small chunked body reads whole (the declared-length path reads it in one call instead).
    const chunked = (text: string) =>
      fetch(`${server.url}/v1/webhooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opsToken}` },
        body: new ReadableStream({
          start(c) {
            for (let i = 0; i < text.length; i += 1000)
              c.enqueue(new TextEncoder().encode(text.slice(i, i + 1000)));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
    const bigChunked = await errorOf(await chunked(JSON.stringify({ pad: 'x'.repeat(5000) })));
    assert.deepEqual([bigChunked.status, bigChunked.code, bigChunked.field], [413, 'body_too_large', 'body']);
    const smallChunked = await errorOf(await chunked('{"version": "4", "status": "firing"}'));
    assert.deepEqual([smallChunked.status, smallChunked.field], [400, 'alerts']);
    const manualUnknown = await errorOf(await post('/v1/groups/nope/failover', '{}'));
    assert.deepEqual([manualUnknown.status, manualUnknown.field], [404, 'group']);
    const badMember = await errorOf(await post('/v1/groups/web/switchover', JSON.stringify({ to: 'zz' })));
    assert.deepEqual([badMember.status, badMember.field], [422, 'to']);
    const extra = await errorOf(await post('/v1/groups/web/failover', JSON.stringify({ dryrun: true })));
    assert.equal(extra.status, 400);

    // Wrong signatures: HMAC hook and SNS.
    const body = JSON.stringify({
      id: 'i',
      status: 'firing',
      labels: { alertname: 'WebDown', host: 'host-a' },
    });
    const ts = Math.floor(Date.now() / 1000);
    const badHook = await errorOf(
      await post('/v1/webhooks/hook', body, {
        'x-floatip-timestamp': String(ts),
        'x-floatip-signature': signHook('wrong-secret', ts, body),
      }),
    );
    assert.deepEqual([badHook.status, badHook.code], [401, 'signature_mismatch']);
    const oldHook = await errorOf(
      await post('/v1/webhooks/hook', body, {
        'x-floatip-timestamp': String(ts - 3600),
        'x-floatip-signature': signHook(hookSecret, ts - 3600, body),
      }),
    );
    assert.deepEqual([oldHook.status, oldHook.code], [401, 'stale_timestamp']);
    const signed = sns.sign(snsNote('bad-1', alarm('ALARM', '2026-01-01T00:00:00Z')));
    const tampered = { ...signed, Message: alarm('ALARM', '2026-01-01T00:00:09Z') };
    const badSns = await errorOf(await post('/v1/webhooks/sns', JSON.stringify(tampered)));
    assert.deepEqual([badSns.status, badSns.code, badSns.field], [401, 'signature_mismatch', 'Signature']);
    // A replay of a captured, validly signed message from long ago.
    const old = sns.sign(
      snsNote(
        'old-1',
        alarm('ALARM', '2026-01-01T00:00:00Z'),
        new Date(Date.now() - 2 * 3600_000).toISOString(),
      ),
    );
    const replayed = await errorOf(await post('/v1/webhooks/sns', JSON.stringify(old)));
    assert.deepEqual([replayed.status, replayed.code], [400, 'stale_message']);
    // A certificate from a host outside the allow-list is never fetched.
    const foreign = { ...signed, SigningCertURL: 'https://evil.example/cert.pem' };
    const notAllowed = await errorOf(await post('/v1/webhooks/sns', JSON.stringify(foreign)));
    assert.deepEqual([notAllowed.status, notAllowed.code], [403, 'cert_url_not_allowed']);
    const otherTopic = { ...signed, TopicArn: 'arn:aws:sns:us-east-1:123456789012:other' };
    const topicRes = await errorOf(await post('/v1/webhooks/sns', JSON.stringify(otherTopic)));
    assert.deepEqual([topicRes.status, topicRes.field], [403, 'TopicArn']);

    // Authentication.
    const none = await errorOf(await post('/v1/webhooks/alertmanager', '{}', { authorization: '' }));
    assert.deepEqual([none.status, none.code], [401, 'missing_token']);
    const wrong = await errorOf(
      await post('/v1/webhooks/alertmanager', '{}', { authorization: 'Bearer nope' }),
    );
    assert.deepEqual([wrong.status, wrong.code], [401, 'invalid_token']);
    await unchanged();
  });
});
