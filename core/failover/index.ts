export { planFailover, planRelease } from './plan.ts';
export type { PlanInput, FailoverAction, FailoverPlan } from './plan.ts';
export { backoffDelayMs, defaultFailoverPolicy, policyProblem } from './policy.ts';
export type { BackoffPolicy, FailoverPolicy } from './policy.ts';
export { withRetries } from './retry.ts';
export type { Sleep } from './retry.ts';
export { tokenBucket, unlimited } from './token-bucket.ts';
export type { RateLimiter } from './token-bucket.ts';
export { executeActions, mapLimited, observeAll, runFailover } from './execute.ts';
export type {
  ActionResult,
  ExecuteDeps,
  ExecutionReport,
  FailoverRequest,
  FailoverResult,
} from './execute.ts';
export { moveResource } from './move.ts';
export { DriverProvider } from './driver-provider.ts';
export type { KindDriver, MoveDeps, Write } from './move.ts';
export { guardedCall } from './call.ts';
export type { CallDeps, ClassifiedError, ErrorClass } from './call.ts';
export { Coalescer } from './coalescer.ts';
export type { CoalescerOptions } from './coalescer.ts';
export { parseMembers, parseSpec } from './spec.ts';
