import { Hono } from 'hono';
import type { AuthVars } from './auth.ts';
import { requireScope } from './auth.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError, errorResponse, unavailable } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { rateLimit } from './rate-limit.ts';
import { manualRoutes } from './routes/manual.ts';
import { stateRoutes } from './routes/state.ts';
import { webhookRoutes } from './routes/webhooks.ts';

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
  app.get('/metrics', requireScope(deps.tokens, 'read'), async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  app.use(
    '/v1/*',
    rateLimit(deps.control.config.http.ratePerMinute, () => deps.control.clock.monotonicMs()),
  );
  app.use('/v1/*', async (_c, next) => {
    if (!deps.storeReady()) throw unavailable('redis not connected');
    await next();
  });
  app.route('/', manualRoutes(deps));
  app.route('/', stateRoutes(deps));
  app.route('/', webhookRoutes(deps));
  return app;
}
