export { createHttpHandler, handler as httpHandler } from './http.ts';
export { createSweepHandler, handler as sweepHandler, isScheduledEvent, safetyMarginMs } from './sweep.ts';
export type { LambdaContextLike, ScheduledEvent } from './sweep.ts';
