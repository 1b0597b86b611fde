import type { ControlPlaneConfig, GroupConfig } from '../config/control-plane.ts';
import type { JobQueue } from '../ports/index.ts';
import type { FailoverDeps } from './failover.ts';

/** The ports the control-plane use cases act through; composition roots build them. */
export interface ControlDeps extends FailoverDeps {
  config: ControlPlaneConfig;
  queue: JobQueue;
}

const groupIndex = new WeakMap<ControlPlaneConfig, ReadonlyMap<string, GroupConfig>>();

/** A group by id, through an index built once per config (a webhook or job looks one up every time). */
export function findGroup(config: ControlPlaneConfig, id: string): GroupConfig | undefined {
  let index = groupIndex.get(config);
  if (index === undefined) {
    index = new Map(config.groups.map((g) => [g.id, g]));
    groupIndex.set(config, index);
  }
  return index.get(id);
}
