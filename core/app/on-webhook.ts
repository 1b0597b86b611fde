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
  for (const { alert, target } of mapped) {
    if (target.member !== null) {
      const h = await deps.state.setHealth(
        target.group,
        target.member,
        alert.status === 'firing' ? 'down' : 'up',
        deps.clock.wallMs(),
      );
      if (h.kind !== 'ok') return h;
    }
    if (alert.status === 'resolved') {
      out.resolved.push(target);
      continue;
    }
    const q = await deps.queue.enqueue({
      kind: 'failover',
      key: `${alert.source}|${target.group}|${alert.incident}`,
      group: target.group,
      ...(target.member === null ? {} : { down: [target.member] }),
      action: 'failover',
      reason: alert.summary,
      source: alert.source,
    });
    if (q.kind !== 'ok') return q;
    out.jobs.push({ ...target, id: q.value.id, duplicate: q.value.duplicate });
  }
  return ok(out);
}
