import type { DrainReport } from '../../adapters/redis/index.ts';
import type { Outcome } from '../../core/model/index.ts';
import type { EnqueueResult } from '../../core/ports/index.ts';
import { drain } from '../worker/index.ts';
import type { ControlPlane } from './shared.ts';

export interface ScheduledSweepResult {
  sweep: Outcome<EnqueueResult>;
  drain: DrainReport;
}

/**
 * What every scheduled function trigger does (EventBridge, Azure timer, Cloud Scheduler via Pub/Sub):
 * enqueue one sweep keyed by the trigger's own id (a redelivered trigger makes no second sweep), then
 * drain the queue within the invocation's time budget.
 */
export async function scheduledSweep(
  cp: ControlPlane,
  triggerId: string,
  budgetMs: number,
): Promise<ScheduledSweepResult> {
  const sweep = await cp.api.queue.enqueue({ kind: 'sweep', key: `scheduled|${triggerId}` });
  if (sweep.kind !== 'ok') throw new Error(`could not enqueue the sweep: ${sweep.reason}`);
  return { sweep, drain: await drain(cp, Math.max(0, budgetMs)) };
}
