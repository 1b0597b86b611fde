import type { SweepFinding } from '../../core/app/index.ts';
import type { Outcome } from '../../core/model/index.ts';
import type { ControlJob } from '../../core/ports/index.ts';
import { printable as p } from '../shared/printable.ts';

/**
 * One human line per finished job (a sweep: one per notable group), for the console of `floatip
 * control-plane`; null: nothing to say. Every value is escaped (functions/shared/printable.ts): alert text
 * and reasons come from outside, and one job must stay one line whatever they say.
 */
export function describeJob(job: ControlJob, r: Outcome<unknown>): string | null {
  if (job.kind === 'sweep') {
    if (r.kind !== 'ok') return `[sweep] ${r.kind}: ${p(r.reason)}`;
    const findings = r.value as SweepFinding[];
    const notable = findings.filter((f) => f.verdict !== 'ok' && f.job?.duplicate !== true);
    return notable.length === 0
      ? null
      : notable
          .map(
            (f) => `[sweep] ${p(f.group)}: ${p(f.verdict)} (${p(f.detail)})${f.job ? ' → job queued' : ''}`,
          )
          .join('\n');
  }
  const head = `[${p(job.action)}] ${p(job.group)}`;
  if (r.kind !== 'ok') return `${head}: ${r.kind}: ${p(r.reason)}`;
  const f = r.value as {
    outcome: string;
    from: string | null;
    to: string | null;
    epoch: number;
    changed: boolean;
    writes: number;
  };
  if (f.outcome === 'superseded' || f.outcome === 'duplicate')
    return `${head}: ${f.outcome} (a newer decision stands; holder ${p(f.to ?? '(nobody)')})`;
  return f.changed
    ? `${head}: ${p(f.from ?? '(nobody)')} → ${p(f.to ?? '(nobody)')} (epoch ${f.epoch}, ${f.writes} provider write${f.writes === 1 ? '' : 's'}, trigger ${p(job.source)}: ${p(job.reason)})`
    : `${head}: already on ${p(f.to ?? '(nobody)')} (epoch ${f.epoch}, nothing to change)`;
}
