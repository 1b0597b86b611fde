/**
 * `lvs_sync_daemon IF VI ...`: the IPVS sync daemon follows one VRRP instance, as keepalived does
 * (vrrp.c: vrrp_state_become_master -> ipvs_syncd_master; vrrp_state_leave_master and a BACKUP start ->
 * ipvs_syncd_backup; ipvswrapper.c):
 *
 *   instance MASTER            -> stop backup daemon, start master daemon
 *   instance BACKUP or FAULT   -> stop master daemon, start backup daemon
 *   instance STOP or DELETED   -> stop whichever daemon runs
 *   agent start                -> stop both (leftovers of an earlier run), then wait for the instance
 *
 * Changes are handled one at a time in arrival order. A data plane that cannot run a daemon at all (no
 * IPVS in the kernel: `give-up`) is reported once, clearly, and the agent keeps running; the role the
 * instance asks for is still tracked, so `status` says what would run.
 */
import type {
  Logger,
  StateChange,
  SyncDaemonConfig,
  SyncDaemonControl,
  SyncDaemonRole,
} from '../ports/index.ts';

export interface SyncDaemonFollowerOptions {
  control: SyncDaemonControl;
  config: SyncDaemonConfig;
  /** The VRRP instance followed. */
  instance: string;
  log: Logger;
}

export interface SyncDaemonFollowerStatus {
  instance: string;
  /** The daemon the instance's state asks for (null before its first state, and after STOP). */
  wanted: SyncDaemonRole | null;
  /** The daemon started successfully and not stopped since. */
  running: SyncDaemonRole | null;
  /** Why the last start or stop failed, if it did. */
  error?: string;
}

const other = (r: SyncDaemonRole): SyncDaemonRole => (r === 'master' ? 'backup' : 'master');

/** The daemon an instance state asks for; undefined = no change (e.g. MASTER_RX_LOWER_PRI events). */
export function wantedRole(what: string): SyncDaemonRole | null | undefined {
  switch (what) {
    case 'MASTER':
      return 'master';
    case 'BACKUP':
    case 'FAULT':
      return 'backup';
    case 'STOP':
    case 'DELETED':
      return null;
    default:
      return undefined;
  }
}

export class SyncDaemonFollower {
  readonly #o: SyncDaemonFollowerOptions;
  #chain: Promise<void> = Promise.resolve();
  #wanted: SyncDaemonRole | null = null;
  #running: SyncDaemonRole | null = null;
  #error: string | undefined;
  #reportedGiveUp = false;

  constructor(options: SyncDaemonFollowerOptions) {
    this.#o = options;
  }

  /** Clears daemons an earlier run may have left (errors ignored, as keepalived does). */
  start(): Promise<void> {
    return this.#queue(async () => {
      for (const role of ['master', 'backup'] as const) await this.#o.control.stop(role, this.#o.config);
    });
  }

  /** Feeds one VRRP state change; changes of other instances and plain events are ignored. */
  onChange(change: StateChange): Promise<void> {
    if (change.target.type !== 'instance' || change.target.name !== this.#o.instance) return this.#chain;
    const role = wantedRole(change.what);
    if (role === undefined) return this.#chain;
    return this.#queue(() => this.#follow(role));
  }

  /** Stops the running daemon (agent shutdown). */
  stop(): Promise<void> {
    return this.#queue(() => this.#follow(null));
  }

  /** Resolves when every queued change has been handled. */
  idle(): Promise<void> {
    return this.#chain;
  }

  status(): SyncDaemonFollowerStatus {
    return {
      instance: this.#o.instance,
      wanted: this.#wanted,
      running: this.#running,
      ...(this.#error === undefined ? {} : { error: this.#error }),
    };
  }

  #queue(step: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(step, step);
    return this.#chain;
  }

  async #follow(role: SyncDaemonRole | null): Promise<void> {
    const { control, config, log } = this.#o;
    const already = role !== null && this.#wanted === role && this.#running === role;
    this.#wanted = role;
    if (already) return;
    // keepalived stops the other role first; a "not running" answer is fine
    const toStop = role === null ? this.#running : other(role);
    if (toStop !== null) {
      const r = await control.stop(toStop, config);
      if (r.kind === 'ok') {
        if (this.#running === toStop) this.#running = null;
      } else this.#fail(`stop ${toStop}`, r.kind, r.reason);
    }
    if (role === null) return;
    const r = await control.start(role, config);
    if (r.kind === 'ok') {
      this.#running = role;
      this.#error = undefined;
      log.info(`lvs_sync_daemon: ${role} daemon started on ${config.interface} (syncid ${config.syncId})`, {
        instance: this.#o.instance,
      });
    } else {
      this.#running = null;
      this.#fail(`start ${role}`, r.kind, r.reason);
    }
  }

  #fail(what: string, kind: string, reason: string): void {
    this.#error = `${what}: ${reason}`;
    if (kind === 'give-up') {
      if (!this.#reportedGiveUp)
        this.#o.log.error(`lvs_sync_daemon cannot run: ${reason}; connections will not be synchronised`, {
          instance: this.#o.instance,
        });
      this.#reportedGiveUp = true;
    } else {
      this.#o.log.warn(`lvs_sync_daemon: ${what} failed: ${reason}`, { instance: this.#o.instance });
    }
  }
}
