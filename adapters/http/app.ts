import { Hono } from 'hono';
import type { Context } from 'hono';
import type { AuthGuard, AuthVars } from './auth.ts';
import { requireScope } from './auth.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError, errorResponse, unavailable } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { clientAddress, rateLimit } from './rate-limit.ts';
import { manualRoutes } from './routes/manual.ts';
import { stateRoutes } from './routes/state.ts';
import { statusRoutes } from './routes/status.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { trustedProxies, unmapped } from './trusted-proxies.ts';

const webhookSource = /^\/v1\/webhooks\/(alertmanager|azure-monitor|gcp-monitoring|hook|sns)$/;

/**
 * The control plane's HTTP API as one hono app: `fetch(Request) → Response`, so the same app runs under
 * @hono/node-server, AWS Lambda, Azure Functions and GCP functions-framework.
 *
 * @example
 *   serve({ fetch: createControlApp(deps).fetch, port: 8080 });
 */
export function createControlApp(deps: HttpDeps): Hono<AuthVars> {
  const app = new Hono<AuthVars>();
  const log = deps.control.logger.child({ component: 'http' });
  const trusted = trustedProxies(deps.control.config.http.trustedProxies);
  const client = (c: Context): string => {
    const peer = deps.peerAddress?.(c);
    return clientAddress(
      peer === undefined ? undefined : unmapped(peer),
      c.req.header('x-forwarded-for'),
      trusted,
    );
  };
  const guard: AuthGuard = {
    tokens: deps.tokens,
    ready: deps.storeReady,
    refused: (c, e) => {
      deps.metrics.authFailures.inc({ reason: e.code });
      log.warn('request refused', { path: c.req.path, status: e.status, code: e.code, client: client(c) });
    },
  };
  app.onError((err, c) => {
    if (err instanceof HttpError) return errorResponse(c, err);
    log.error('unhandled error', {
      path: c.req.path,
      reason: err instanceof Error ? err.message : String(err),
    });
    return c.json({ error: { code: 'internal', field: null, message: 'internal error' } }, 500);
  });
  app.notFound((c) =>
    c.json(
      { error: { code: 'not_found', field: 'path', message: `no route ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok', store: deps.storeReady() ? 'up' : 'down' }));
  app.get('/readyz', (c) => {
    if (!deps.storeReady()) throw unavailable('redis not connected');
    return c.json({ status: 'ready' });
  });
  app.get('/openapi.json', (c) => c.json(openApiDocument));
  app.get('/metrics', requireScope({ ...guard, ready: () => true }, 'read'), async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  // One bucket per client address and per kind of sender: a webhook source never shares its budget with
  // junk sent to the API, and nothing the client writes (headers, tokens) picks its bucket.
  app.use(
    '/v1/*',
    rateLimit({
      perMinute: deps.control.config.http.ratePerMinute,
      nowMs: () => deps.control.clock.monotonicMs(),
      key: (c) => `${webhookSource.exec(c.req.path)?.[1] ?? 'api'}|${client(c)}`,
      limited: (key) => deps.metrics.rateLimited.inc({ bucket: key.split('|')[0] ?? 'api' }),
    }),
  );
  app.route('/', statusRoutes(deps, guard));
  app.route('/', manualRoutes(deps, guard));
  app.route('/', stateRoutes(deps, guard));
  app.route('/', webhookRoutes(deps, guard));
  return app;
}
