import type { ControlPlaneConfig, GroupConfig } from '../config/control-plane.ts';
import type {
  AuditSink,
  Clock,
  GroupFence,
  GroupStateStore,
  JobQueue,
  Logger,
  VipProvider,
} from '../ports/index.ts';

/** The ports the control-plane use cases act through; composition roots build them. */
export interface ControlDeps {
  config: ControlPlaneConfig;
  clock: Clock;
  logger: Logger;
  fence: GroupFence;
  state: GroupStateStore;
  audit: AuditSink;
  queue: JobQueue;
  /** The provider that serves resources of this provider name (`memory`, `aws`, ...). */
  providers: (name: string) => VipProvider | undefined;
  /** This process's identity as a lock owner (host + pid + random). */
  owner: string;
}

export const findGroup = (config: ControlPlaneConfig, id: string): GroupConfig | undefined =>
  config.groups.find((g) => g.id === id);
