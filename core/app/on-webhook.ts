import type { Outcome } from '../model/index.ts';
import { giveUp, ok } from '../model/index.ts';
import type { AlertSignal, AlertTarget } from './alert-signal.ts';
import { resolveAlert } from './alert-signal.ts';
import type { ControlDeps } from './control-deps.ts';

export interface WebhookResult {
  jobs: { group: string; member: string | null; id: string; duplicate: boolean }[];
  resolved: { group: string; member: string | null }[];
  ignored: number;
}

/**
 * Turns decoded alerts into failover jobs. Every alert is mapped first; one that cannot be mapped (unknown
 * group or member) rejects the whole request with `give-up` naming the field, before anything is written.
 * A firing alert marks its member down and enqueues a failover whose key is the incident, so duplicates
 * of one incident make one job; a resolved alert marks its member up again.
 */
export async function onWebhook(deps: ControlDeps, alerts: AlertSignal[]): Promise<Outcome<WebhookResult>> {
  const mapped: { alert: AlertSignal; target: AlertTarget }[] = [];
  let ignored = 0;
  for (const alert of alerts) {
    const t = resolveAlert(deps.config, alert);
    if (t === null) ignored++;
    else if ('error' in t) return giveUp(t.error);
    else mapped.push({ alert, target: t });
  }
  const out: WebhookResult = { jobs: [], resolved: [], ignored };
  // Each alert's health mark and its job go out together (one round trip, not two); alerts are independent.
  const results = await Promise.all(
    mapped.map(async ({ alert, target }) => {
      const health =
        target.member === null
          ? Promise.resolve(ok(undefined))
          : deps.state.setHealth(
              target.group,
              target.member,
              alert.status === 'firing' ? 'down' : 'up',
              deps.clock.wallMs(),
            );
      const job =
        alert.status === 'resolved'
          ? Promise.resolve(null)
          : deps.queue.enqueue({
              kind: 'failover',
              key: `${alert.source}|${target.group}|${alert.incident}`,
              group: target.group,
              ...(target.member === null ? {} : { down: [target.member] }),
              action: 'failover',
              reason: alert.summary,
              source: alert.source,
            });
      return { target, health: await health, job: await job };
    }),
  );
  for (const r of results) {
    if (r.health.kind !== 'ok') return r.health;
    if (r.job === null) out.resolved.push(r.target);
    else if (r.job.kind !== 'ok') return r.job;
    else out.jobs.push({ ...r.target, id: r.job.value.id, duplicate: r.job.value.duplicate });
  }
  return ok(out);
}
