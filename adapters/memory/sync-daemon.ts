/**
 * In-memory SyncDaemonControl: keeps the running daemons as the kernel would (one per role, a start of a
 * running role is EEXIST, a stop of a stopped one is fine) and records every call in order, so tests can
 * check what a follower asked for. `unavailable` makes every call give up, like a kernel without IPVS.
 */
import type {
  SyncDaemonConfig,
  SyncDaemonControl,
  SyncDaemonRole,
  SyncDaemonStatus,
} from '../../core/ports/index.ts';
import { conflict, giveUp, ok, type Outcome } from '../../core/model/index.ts';

export class MemorySyncDaemon implements SyncDaemonControl {
  readonly name = 'memory';
  /** Every call, e.g. `start master eth0/51`, `stop backup`. */
  readonly calls: string[] = [];
  readonly #running = new Map<SyncDaemonRole, SyncDaemonConfig>();
  readonly #unavailable: string | undefined;

  constructor(options: { unavailable?: string } = {}) {
    this.#unavailable = options.unavailable;
  }

  start(role: SyncDaemonRole, config: SyncDaemonConfig): Promise<Outcome> {
    this.calls.push(`start ${role} ${config.interface}/${config.syncId}`);
    if (this.#unavailable !== undefined) return Promise.resolve(giveUp(this.#unavailable));
    if (this.#running.has(role)) return Promise.resolve(conflict(`${role} sync daemon already running`));
    this.#running.set(role, { ...config });
    return Promise.resolve(ok(undefined));
  }

  stop(role: SyncDaemonRole): Promise<Outcome> {
    this.calls.push(`stop ${role}`);
    if (this.#unavailable !== undefined) return Promise.resolve(giveUp(this.#unavailable));
    this.#running.delete(role);
    return Promise.resolve(ok(undefined));
  }

  list(): Promise<Outcome<SyncDaemonStatus[]>> {
    if (this.#unavailable !== undefined) return Promise.resolve(giveUp(this.#unavailable));
    return Promise.resolve(ok([...this.#running].map(([role, c]) => ({ role, ...c }))));
  }
}
