import { Hono } from 'hono';
import type { Context } from 'hono';
import type { AlertSignal } from '../../../core/app/index.ts';
import { onWebhook } from '../../../core/app/index.ts';
import type { AuthVars } from '../auth.ts';
import { requireScope } from '../auth.ts';
import { parseJson, readJson, readText } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { unwrap } from '../outcome-http.ts';
import { decodeAlertmanager } from '../webhooks/alertmanager.ts';
import { decodeAzureMonitor } from '../webhooks/azure-monitor.ts';
import { decodeGcpMonitoring } from '../webhooks/gcp-monitoring.ts';
import { decodeHook, hookHeaders, verifyHook } from '../webhooks/hmac-hook.ts';
import { checkSnsFreshness, decodeCloudWatchAlarm, decodeSnsEnvelope } from '../webhooks/sns.ts';
import { verifySnsSignature } from '../webhooks/sns-signature.ts';

async function accept(deps: HttpDeps, c: Context, source: string, alerts: AlertSignal[]): Promise<Response> {
  const r = await onWebhook(deps.control, alerts);
  let out;
  try {
    if (r.kind === 'give-up') {
      // The use case names the alert field first ("alerts[0].labels.floatip_group: unknown group 'x'").
      const field = /^([A-Za-z0-9_.[\]-]+): /.exec(r.reason)?.[1] ?? null;
      throw new HttpError(422, 'unmapped_alert', field, r.reason);
    }
    out = unwrap(r);
  } catch (err) {
    deps.metrics.webhooks.inc({ source, result: err instanceof HttpError ? String(err.status) : 'error' });
    throw err;
  }
  deps.metrics.webhooks.inc({ source, result: 'accepted' });
  return c.json(
    { accepted: out.jobs.length, jobs: out.jobs, resolved: out.resolved, ignored: out.ignored },
    202,
  );
}

/** Alert webhooks: each source has its own authentication and payload codec, then one use case. */
export function webhookRoutes(deps: HttpDeps): Hono<AuthVars> {
  const app = new Hono<AuthVars>();
  const cfg = deps.control.config;
  const limit = cfg.http.bodyLimitBytes;
  const failover = requireScope(deps.tokens, 'failover');
  const failoverOrQuery = requireScope(deps.tokens, 'failover', true);

  app.post('/v1/webhooks/alertmanager', failover, async (c) =>
    accept(deps, c, 'alertmanager', decodeAlertmanager(await readJson(c, limit))),
  );
  app.post('/v1/webhooks/azure-monitor', failoverOrQuery, async (c) =>
    accept(deps, c, 'azure-monitor', decodeAzureMonitor(await readJson(c, limit))),
  );
  app.post('/v1/webhooks/gcp-monitoring', failoverOrQuery, async (c) =>
    accept(deps, c, 'gcp-monitoring', decodeGcpMonitoring(await readJson(c, limit))),
  );

  app.post('/v1/webhooks/hook', async (c) => {
    const secret = deps.hmacSecret;
    const tolerance = cfg.webhooks.hmac?.toleranceSec ?? 300;
    if (secret === undefined)
      throw new HttpError(404, 'not_configured', null, 'the generic hook is not configured');
    const text = await readText(c, limit);
    verifyHook(
      secret,
      { timestamp: c.req.header(hookHeaders.timestamp), signature: c.req.header(hookHeaders.signature) },
      text,
      Math.floor(deps.control.clock.wallMs() / 1000),
      tolerance,
    );
    return accept(deps, c, 'hook', decodeHook(parseJson(text)));
  });

  app.post('/v1/webhooks/sns', async (c) => {
    const sns = cfg.webhooks.sns;
    if (!sns || !deps.snsCertFetcher)
      throw new HttpError(404, 'not_configured', null, 'the SNS webhook is not configured');
    const m = decodeSnsEnvelope(await readJson(c, limit));
    if (!sns.topicArns.includes(m.TopicArn))
      throw new HttpError(403, 'topic_not_allowed', 'TopicArn', `topic ${m.TopicArn} is not configured`);
    await verifySnsSignature(m, deps.snsCertFetcher);
    checkSnsFreshness(m, deps.control.clock.wallMs(), sns.toleranceSec);
    if (unwrap(await deps.replay.seen(`sns:${m.MessageId}`)))
      throw new HttpError(
        409,
        'replayed_message',
        'MessageId',
        `SNS message ${m.MessageId} was already processed`,
      );
    if (m.Type === 'SubscriptionConfirmation') {
      if (!deps.snsConfirm)
        throw new HttpError(404, 'not_configured', null, 'SNS confirmation is not configured');
      try {
        await deps.snsConfirm(m.SubscribeURL ?? '');
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw new HttpError(
          502,
          'confirm_failed',
          'SubscribeURL',
          `confirming the subscription failed: ${(err as Error).message}`,
        );
      }
      unwrap(await deps.replay.remember(`sns:${m.MessageId}`, sns.toleranceSec));
      return c.json({ confirmed: true, topic: m.TopicArn }, 200);
    }
    if (m.Type === 'UnsubscribeConfirmation') return c.json({ ignored: 'UnsubscribeConfirmation' }, 200);
    const res = await accept(deps, c, 'sns', decodeCloudWatchAlarm(m));
    unwrap(await deps.replay.remember(`sns:${m.MessageId}`, sns.toleranceSec));
    return res;
  });
  return app;
}
