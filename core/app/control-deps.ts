import type { ControlPlaneConfig, GroupConfig } from '../config/control-plane.ts';
import type { JobQueue } from '../ports/index.ts';
import type { FailoverDeps } from './failover.ts';

/** The ports the control-plane use cases act through; composition roots build them. */
export interface ControlDeps extends FailoverDeps {
  config: ControlPlaneConfig;
  queue: JobQueue;
}

export const findGroup = (config: ControlPlaneConfig, id: string): GroupConfig | undefined =>
  config.groups.find((g) => g.id === id);
