import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import { createControlApp } from '../../adapters/http/index.ts';
import type { ControlPlane, ScheduledSweepResult } from '../control-plane/index.ts';
import { scheduledSweep } from '../control-plane/index.ts';

/**
 * Azure Functions HTTP trigger → the hono app. `routePrefix` is the host's route prefix (host.json
 * extensions.http.routePrefix, `api` by default), stripped so the app sees `/v1/...`.
 */
export function azureHttpHandler(
  cp: ControlPlane,
  routePrefix = '/api',
): (req: HttpRequest, ctx: InvocationContext) => Promise<HttpResponseInit> {
  const app = createControlApp(cp.http);
  return async (req) => {
    const url = new URL(req.url);
    if (routePrefix !== '' && url.pathname.startsWith(`${routePrefix}/`))
      url.pathname = url.pathname.slice(routePrefix.length);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const res = await app.fetch(
      new Request(url, {
        method: req.method,
        headers: req.headers,
        ...(hasBody ? { body: await req.arrayBuffer() } : {}),
      }),
    );
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: new Uint8Array(await res.arrayBuffer()),
    };
  };
}

/** Azure Functions timer trigger → one sweep + a bounded drain. */
export function azureTimerHandler(
  cp: ControlPlane,
  budgetMs: number,
): (timer: Timer, ctx: InvocationContext) => Promise<ScheduledSweepResult> {
  return async (timer, ctx) =>
    scheduledSweep(cp, `azure-timer|${timer.scheduleStatus?.last ?? ctx.invocationId}`, budgetMs);
}
