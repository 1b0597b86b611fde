import type { SweepFinding } from '../../core/app/index.ts';
import type { Outcome } from '../../core/model/index.ts';
import type { ControlJob } from '../../core/ports/index.ts';

/** One human line per finished job, for the console of `floatip control-plane` (null: nothing to say). */
export function describeJob(job: ControlJob, r: Outcome<unknown>): string | null {
  if (job.kind === 'sweep') {
    if (r.kind !== 'ok') return `[sweep] ${r.kind}: ${r.reason}`;
    const findings = r.value as SweepFinding[];
    const notable = findings.filter((f) => f.verdict !== 'ok' && f.job?.duplicate !== true);
    return notable.length === 0
      ? null
      : notable
          .map((f) => `[sweep] ${f.group}: ${f.verdict} (${f.detail})${f.job ? ' → job queued' : ''}`)
          .join('\n');
  }
  if (r.kind !== 'ok') return `[${job.action}] ${job.group}: ${r.kind}: ${r.reason}`;
  const f = r.value as {
    outcome: string;
    group: string;
    from: string | null;
    to: string | null;
    epoch: number;
    changed: boolean;
    writes: number;
  };
  if (f.outcome === 'superseded' || f.outcome === 'duplicate')
    return `[${job.action}] ${f.group}: ${f.outcome} (a newer decision stands; holder ${f.to ?? '(nobody)'})`;
  return f.changed
    ? `[${job.action}] ${f.group}: ${f.from ?? '(nobody)'} → ${f.to} (epoch ${f.epoch}, ${f.writes} provider write${f.writes === 1 ? '' : 's'}, trigger ${job.source}: ${job.reason})`
    : `[${job.action}] ${f.group}: already on ${f.to} (epoch ${f.epoch}, nothing to change)`;
}
