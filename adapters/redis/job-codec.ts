import * as z from 'zod';
import type { ControlJob } from '../../core/ports/index.ts';

/** The queue's one job name per job kind, and the data schema a worker accepts. */
export const jobNames = { failover: 'failover', sweep: 'sweep' } as const;

const key = z.lazy(() => z.string().min(1).max(512));
const id = z.lazy(() => z.string().min(1).max(63));

const failoverJob = z.lazy(() =>
  z.object({
    kind: z.literal('failover'),
    key,
    group: id,
    to: id.optional(),
    down: z.array(id).max(64).optional(),
    action: z.enum(['failover', 'switchover', 'reconcile']),
    reason: z.string().max(2000),
    source: z.string().min(1).max(64),
    seq: z.number().int().min(0).optional(),
    basedOnEpoch: z.number().int().min(0).optional(),
  }),
);
const sweepJob = z.lazy(() => z.object({ kind: z.literal('sweep'), key, groups: z.array(id).optional() }));
const controlJob = z.lazy(() => z.discriminatedUnion('kind', [failoverJob, sweepJob]));

/** Job data as stored in Redis (plain JSON; BullMQ serialises it). */
export const encodeJob = (job: ControlJob): Record<string, unknown> => ({ ...job });

/** Decodes and checks job data read back from Redis; an error names the field. */
export function decodeJob(data: unknown): { ok: true; job: ControlJob } | { ok: false; error: string } {
  const r = controlJob.safeParse(data);
  if (r.success) return { ok: true, job: r.data as ControlJob };
  const issue = r.error.issues[0];
  return {
    ok: false,
    error: `job data ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
  };
}
