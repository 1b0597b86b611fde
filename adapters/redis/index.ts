export {
  connectRedis,
  describeRedis,
  eachPrimary,
  readyWithin,
  RedisConfigError,
  waitReady,
} from './connection.ts';
export type { RedisRole } from './connection.ts';
export { controlKeys, hashTagged } from './keys.ts';
export type { ControlKeys } from './keys.ts';
export { redisFence } from './group-fence.ts';
export type { RedisFenceOptions } from './group-fence.ts';
export { redisGroupStateStore, decodeGroupState } from './group-state-store.ts';
export { redisAuditStream, auditMaxLen } from './audit-stream.ts';
export { redisReplayGuard } from './replay-guard.ts';
export { bullJobQueue, createControlQueue, controlQueueName, jobIdOf } from './job-queue.ts';
export { decodeJob, encodeJob, jobNames } from './job-codec.ts';
export { runJob } from './job-runner.ts';
export type { JobHandler, RunVerdict } from './job-runner.ts';
export { startControlWorker } from './worker.ts';
export { drainQueue } from './drain.ts';
export type { DrainReport } from './drain.ts';
export { luaScript, luaScripts, runScript, scriptErrors } from './scripts.ts';
export { redisLeaseTransport } from './lease-transport.ts';
export { nodeTimers } from './node-timers.ts';
export { leaseFence } from './lease-fence.ts';
export type { LeaseFence, LeaseFenceOptions } from './lease-fence.ts';
export { replicatedQueue } from './replicated-queue.ts';
