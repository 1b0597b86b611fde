import { Hono } from 'hono';
import { findGroup } from '../../../core/app/index.ts';
import type { GroupConfig } from '../../../core/config/control-plane.ts';
import type { JobState } from '../../../core/ports/index.ts';
import type { AuthGuard, AuthVars } from '../auth.ts';
import { requireScope } from '../auth.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { unwrap } from '../outcome-http.ts';

async function describe(deps: HttpDeps, g: GroupConfig): Promise<Record<string, unknown>> {
  const s = unwrap(await deps.control.state.get(g.id));
  return {
    id: g.id,
    holder: s?.holder ?? null,
    epoch: s?.epoch ?? 0,
    updatedAtMs: s?.updatedAtMs ?? null,
    members: g.members.map((m) => ({
      id: m.id,
      priority: m.priority,
      health: s?.health[m.id] ?? 'unknown',
      holder: s?.holder === m.id,
    })),
    resources: g.resources.map((r) => ({ id: r.id, provider: r.provider, kind: r.kind })),
  };
}

/** Read-only state: groups, members, audit log. */
export function stateRoutes(deps: HttpDeps, guard: AuthGuard): Hono<AuthVars> {
  const app = new Hono<AuthVars>();
  const read = requireScope(guard, 'read');
  const group = (id: string): GroupConfig => {
    const g = findGroup(deps.control.config, id);
    if (!g) throw new HttpError(404, 'unknown_group', 'group', `unknown group '${id}'`);
    return g;
  };
  app.get('/v1/groups', read, async (c) => {
    const groups = [];
    for (const g of deps.control.config.groups) groups.push(await describe(deps, g));
    return c.json({ groups });
  });
  app.get('/v1/groups/:group', read, async (c) => c.json(await describe(deps, group(c.req.param('group')))));
  app.get('/v1/groups/:group/members', read, async (c) => {
    const d = await describe(deps, group(c.req.param('group')));
    return c.json({ members: d.members });
  });
  app.get('/v1/audit', read, async (c) => {
    const g = c.req.query('group');
    if (g !== undefined) group(g);
    const raw = c.req.query('limit') ?? '50';
    if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000)
      throw new HttpError(400, 'invalid_field', 'limit', 'limit must be an integer from 1 to 1000');
    const entries = unwrap(
      await deps.control.audit.list({ ...(g === undefined ? {} : { group: g }), limit: Number(raw) }),
    );
    return c.json({ entries });
  });
  app.get('/v1/jobs', read, async (c) => {
    const state = c.req.query('state') ?? 'failed';
    if (!jobStates.includes(state as JobState))
      throw new HttpError(400, 'invalid_field', 'state', `state must be one of ${jobStates.join(', ')}`);
    const raw = c.req.query('limit') ?? '50';
    if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000)
      throw new HttpError(400, 'invalid_field', 'limit', 'limit must be an integer from 1 to 1000');
    return c.json({ jobs: unwrap(await deps.control.queue.list(state as JobState, Number(raw))) });
  });
  return app;
}

const jobStates: JobState[] = ['waiting', 'active', 'delayed', 'completed', 'failed'];
