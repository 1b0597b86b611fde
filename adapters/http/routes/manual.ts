import { Hono } from 'hono';
import * as z from 'zod';
import { findGroup, runFailover } from '../../../core/app/index.ts';
import type { FailoverJob } from '../../../core/ports/index.ts';
import type { AuthGuard, AuthVars } from '../auth.ts';
import { requireScope } from '../auth.ts';
import { readJson } from '../body.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { unwrap } from '../outcome-http.ts';
import { lazySchema, validate } from '../validate.ts';

const failoverBody = lazySchema(() =>
  z.strictObject({
    to: z.string().min(1).max(63).optional(),
    dryRun: z.boolean().optional(),
    reason: z.string().max(2000).optional(),
  }),
);
const switchoverBody = lazySchema(() => failoverBody().extend({ to: z.string().min(1).max(63) }));

/** `POST /v1/groups/:group/failover|switchover`: queue a move (202), or report its API calls (dry run, 200). */
export function manualRoutes(deps: HttpDeps, guard: AuthGuard): Hono<AuthVars> {
  const app = new Hono<AuthVars>();
  const limit = deps.control.config.http.bodyLimitBytes;
  for (const action of ['failover', 'switchover'] as const) {
    app.post(`/v1/groups/:group/${action}`, requireScope(guard, 'failover'), async (c) => {
      const groupId = c.req.param('group');
      const group = findGroup(deps.control.config, groupId);
      if (!group) throw new HttpError(404, 'unknown_group', 'group', `unknown group '${groupId}'`);
      const body = validate(
        action === 'switchover' ? switchoverBody : failoverBody,
        await readJson(c, limit),
      );
      if (body.to !== undefined && !group.members.some((m) => m.id === body.to))
        throw new HttpError(422, 'unknown_member', 'to', `group '${group.id}' has no member '${body.to}'`);
      const idem = c.req.header('idempotency-key');
      if (idem !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idem))
        throw new HttpError(
          400,
          'invalid_field',
          'Idempotency-Key',
          'Idempotency-Key must be 1-200 printable characters',
        );
      const job: FailoverJob = {
        kind: 'failover',
        key: `manual|${group.id}|${idem ?? deps.newId()}`,
        group: group.id,
        ...(body.to === undefined ? {} : { to: body.to }),
        action,
        reason: body.reason ?? `manual ${action} by ${c.get('principal')}`,
        source: 'manual',
      };
      if (body.dryRun) {
        const r = unwrap(await runFailover(deps.control, { group, job, dryRun: true }));
        return c.json(
          { dryRun: true, group: r.group, from: r.from, to: r.to, calls: r.calls, before: r.before },
          200,
        );
      }
      const q = unwrap(await deps.control.queue.enqueue(job));
      return c.json(
        { queued: true, job: q.id, duplicate: q.duplicate, group: group.id, to: body.to ?? null },
        202,
      );
    });
  }
  return app;
}
