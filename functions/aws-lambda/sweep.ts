import type { ControlPlane, ScheduledSweepResult } from '../control-plane/index.ts';
import { connectedControlPlane, scheduledSweep } from '../control-plane/index.ts';

/** An EventBridge scheduled event (the fields floatip reads). */
export interface ScheduledEvent {
  id: string;
  'detail-type': 'Scheduled Event';
  source: 'aws.events';
  time: string;
  resources?: string[];
}

export const isScheduledEvent = (e: unknown): e is ScheduledEvent =>
  typeof e === 'object' &&
  e !== null &&
  (e as Record<string, unknown>).source === 'aws.events' &&
  (e as Record<string, unknown>)['detail-type'] === 'Scheduled Event' &&
  typeof (e as Record<string, unknown>).id === 'string';

/** The part of the Lambda context floatip uses. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** Time kept back from the invocation's deadline to finish the job in hand and return. */
export const safetyMarginMs = 5000;

export function createSweepHandler(
  cp: ControlPlane,
): (event: unknown, context: LambdaContextLike) => Promise<ScheduledSweepResult> {
  return async (event, context) => {
    if (!isScheduledEvent(event))
      throw new Error('floatip sweep: not an EventBridge "Scheduled Event" from aws.events');
    return scheduledSweep(cp, `eventbridge|${event.id}`, context.getRemainingTimeInMillis() - safetyMarginMs);
  };
}

/** Lambda entry point (`sweep.handler` in the built zip), wired to an EventBridge schedule rule. */
export async function handler(event: unknown, context: LambdaContextLike): Promise<ScheduledSweepResult> {
  return createSweepHandler(await connectedControlPlane())(event, context);
}
