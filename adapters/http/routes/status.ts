import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import type { AuthGuard, AuthVars } from '../auth.ts';
import { refuse, requireScope } from '../auth.ts';
import { readJson } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { unwrap } from '../outcome-http.ts';
import { agentName, agentReportLimitBytes, agentReportSchema } from '../status/agent-report.ts';
import { pageCss, pageHtml, pageScript } from '../status/page.ts';
import { statusSnapshot } from '../status/snapshot.ts';
import { validate } from '../validate.ts';

/** The page's own policy: its script and style only, data from this origin, never framed. */
const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  referrerPolicy: 'no-referrer',
});

/**
 * The status page (`/`, with its script and style; no data, no secrets) and its data: `GET /v1/status`
 * (one snapshot), `GET /v1/status/events` (server-sent events: a snapshot now and whenever it changes),
 * both read-scoped; agents post their status to `POST /v1/agents/{name}/report` (scope `report`).
 */
export function statusRoutes(deps: HttpDeps, guard: AuthGuard): Hono<AuthVars> {
  const app = new Hono<AuthVars>();
  const read = requireScope(guard, 'read');
  const pollMs = deps.statusPollMs ?? 1000;

  app.get('/', pageHeaders, (c) => c.html(pageHtml));
  app.get('/status.js', pageHeaders, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    return c.body(pageScript);
  });
  app.get('/status.css', pageHeaders, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    return c.body(pageCss);
  });

  app.get('/v1/status', read, async (c) => c.json(unwrap(await statusSnapshot(deps))));

  app.get('/v1/status/events', read, (c) =>
    streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      let last = '';
      let sinceSent = 0;
      let id = 0;
      while (open) {
        const s = await statusSnapshot(deps);
        if (s.kind !== 'ok') {
          await stream.writeSSE({ event: 'unavailable', data: JSON.stringify({ reason: s.reason }) });
          last = '';
        } else {
          // Sent when something other than the snapshot's own time changed, and at least every 15 s.
          const { generatedAtMs: _t, ...rest } = s.value;
          const key = JSON.stringify(rest);
          if (key !== last || sinceSent >= 15_000) {
            last = key;
            sinceSent = 0;
            await stream.writeSSE({ event: 'status', data: JSON.stringify(s.value), id: String(++id) });
          }
        }
        await stream.sleep(pollMs);
        sinceSent += pollMs;
      }
    }),
  );

  app.post('/v1/agents/:name/report', requireScope(guard, 'report'), async (c) => {
    const store = deps.agents;
    if (!store)
      throw new HttpError(404, 'not_configured', null, 'agent reports are not kept by this runtime');
    const name = c.req.param('name');
    if (!agentName.test(name))
      throw new HttpError(400, 'invalid_field', 'name', `agent name must match ${agentName.source}`);
    // A token bound to agents cannot speak for another one (a stolen agent token reports only as itself).
    const bound = c.get('token').agents;
    if (bound !== undefined && !bound.includes(name))
      refuse(
        guard,
        c,
        new HttpError(
          403,
          'agent_not_allowed',
          'name',
          `token '${c.get('token').name}' may not report as '${name}'`,
        ),
      );
    let report;
    try {
      report = validate(agentReportSchema, await readJson(c, agentReportLimitBytes));
    } catch (err) {
      deps.metrics.agentReports.inc({ result: 'invalid' });
      throw err;
    }
    const receivedAtMs = deps.control.clock.wallMs();
    unwrap(await store.put(name, { name, receivedAtMs, report }));
    deps.metrics.agentReports.inc({ result: 'stored' });
    return c.json({ stored: true, agent: name, ttlSec: store.ttlSec }, 202);
  });

  app.get('/v1/agents', read, async (c) => {
    const store = deps.agents;
    return c.json({ agents: store ? unwrap(await store.list()) : [] });
  });
  return app;
}
