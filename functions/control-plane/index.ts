export { buildControlPlane } from './shared.ts';
export type { ControlOverrides, ControlPlane } from './shared.ts';
export { ControlConfigError, loadControlPlaneConfig, resolveSecret, resolveTokens } from './config.ts';
export { runControlPlane } from './run.ts';
export type { RunOptions, RunIo } from './run.ts';
export { describeJob } from './describe.ts';
export { lazyControlPlane } from './lazy.ts';
export { scheduledSweep } from './scheduled-sweep.ts';
export type { ScheduledSweepResult } from './scheduled-sweep.ts';
