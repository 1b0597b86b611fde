import { Hono } from 'hono';
import type { Context } from 'hono';
import type { AlertSignal } from '../../../core/app/index.ts';
import { onWebhook } from '../../../core/app/index.ts';
import type { AuthGuard, AuthVars } from '../auth.ts';
import { refuse, requireScope } from '../auth.ts';
import { parseJson, readJson, readText, requireJsonType } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError, unavailable } from '../errors.ts';
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

/** Runs `act` under a replay claim on `id`: a copy already claimed is 409; a failure gives the claim back. */
async function once(
  deps: HttpDeps,
  id: string,
  ttlSec: number,
  replayed: { field: string; message: string },
  act: () => Promise<Response>,
): Promise<Response> {
  if (!unwrap(await deps.replay.claim(id, ttlSec)))
    throw new HttpError(409, 'replayed_message', replayed.field, replayed.message);
  try {
    return await act();
  } catch (err) {
    await deps.replay.release(id);
    throw err;
  }
}

/** Verifies a sender's signature; a failure is an authentication failure (logged and counted). */
async function verified(guard: AuthGuard, c: Context, check: () => void | Promise<void>): Promise<void> {
  try {
    await check();
  } catch (err) {
    if (err instanceof HttpError && (err.status === 401 || err.status === 403)) refuse(guard, c, err);
    throw err;
  }
  if (!guard.ready()) throw unavailable('redis not connected');
}

/** Alert webhooks: each source has its own authentication and payload codec, then one use case. */
export function webhookRoutes(deps: HttpDeps, guard: AuthGuard): Hono<AuthVars> {
  const app = new Hono<AuthVars>();
  const cfg = deps.control.config;
  const limit = cfg.http.bodyLimitBytes;
  const failover = requireScope(guard, 'failover');
  const failoverOrQuery = requireScope(guard, 'failover', true);

  app.post('/v1/webhooks/alertmanager', failover, async (c) =>
    accept(deps, c, 'alertmanager', decodeAlertmanager(await readJson(c, limit))),
  );
  app.post('/v1/webhooks/azure-monitor', failoverOrQuery, async (c) =>
    accept(deps, c, 'azure-monitor', decodeAzureMonitor(await readJson(c, limit))),
  );
  app.post('/v1/webhooks/gcp-monitoring', failoverOrQuery, async (c) =>
    accept(deps, c, 'gcp-monitoring', decodeGcpMonitoring(await readJson(c, limit))),
  );

  // The generic hook: HMAC over `${timestamp}.${body}`. The signature is the request's nonce: each signed
  // request is accepted once while its timestamp is acceptable (2 x tolerance), a captured copy is 409.
  app.post('/v1/webhooks/hook', async (c) => {
    const secret = deps.hmacSecret;
    const tolerance = cfg.webhooks.hmac?.toleranceSec ?? 300;
    if (secret === undefined)
      throw new HttpError(404, 'not_configured', null, 'the generic hook is not configured');
    requireJsonType(c);
    const text = await readText(c, limit);
    const signature = c.req.header(hookHeaders.signature);
    await verified(guard, c, () =>
      verifyHook(
        secret,
        { timestamp: c.req.header(hookHeaders.timestamp), signature },
        text,
        Math.floor(deps.control.clock.wallMs() / 1000),
        tolerance,
      ),
    );
    const replayed = { field: 'X-Floatip-Signature', message: 'this signed request was already processed' };
    return once(deps, `hook:${signature ?? ''}`, 2 * tolerance, replayed, () =>
      accept(deps, c, 'hook', decodeHook(parseJson(text))),
    );
  });

  app.post('/v1/webhooks/sns', async (c) => {
    const sns = cfg.webhooks.sns;
    if (!sns || !deps.snsCertFetcher)
      throw new HttpError(404, 'not_configured', null, 'the SNS webhook is not configured');
    // SNS posts its JSON as text/plain unless the subscription's delivery policy says otherwise.
    const m = decodeSnsEnvelope(await readJson(c, limit, ['text/plain']));
    const fetcher = deps.snsCertFetcher;
    await verified(guard, c, async () => {
      if (!sns.topicArns.includes(m.TopicArn))
        throw new HttpError(403, 'topic_not_allowed', 'TopicArn', `topic ${m.TopicArn} is not configured`);
      await verifySnsSignature(m, fetcher);
    });
    checkSnsFreshness(m, deps.control.clock.wallMs(), sns.toleranceSec);
    // Claimed for as long as checkSnsFreshness would accept the message (up to 300 s early, toleranceSec late).
    const replayed = { field: 'MessageId', message: `SNS message ${m.MessageId} was already processed` };
    return once(deps, `sns:${m.MessageId}`, sns.toleranceSec + 300, replayed, async () => {
      if (m.Type === 'SubscriptionConfirmation') return confirm(deps, c, m.TopicArn, m.SubscribeURL ?? '');
      if (m.Type === 'UnsubscribeConfirmation') return c.json({ ignored: 'UnsubscribeConfirmation' }, 200);
      return accept(deps, c, 'sns', decodeCloudWatchAlarm(m));
    });
  });
  return app;
}

/** Confirms an SNS subscription by fetching its SubscribeURL, only where certificates may come from. */
async function confirm(deps: HttpDeps, c: Context, topic: string, url: string): Promise<Response> {
  const sns = deps.control.config.webhooks.sns;
  if (!deps.snsConfirm || !sns)
    throw new HttpError(404, 'not_configured', null, 'SNS confirmation is not configured');
  if (!new RegExp(sns.certUrlPattern).test(url))
    throw new HttpError(
      403,
      'subscribe_url_not_allowed',
      'SubscribeURL',
      'SubscribeURL is not an allowed SNS location (webhooks.sns.certUrlPattern)',
    );
  try {
    await deps.snsConfirm(url);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(
      502,
      'confirm_failed',
      'SubscribeURL',
      `confirming the subscription failed: ${(err as Error).message}`,
    );
  }
  return c.json({ confirmed: true, topic }, 200);
}
