import type { Outcome } from '../model/index.ts';

/**
 * The IPVS connection-synchronisation daemon (keepalived `lvs_sync_daemon`): a master daemon multicasts the
 * director's connection table, a backup daemon receives it, so a new MASTER keeps existing connections.
 * Kernel state, started and stopped by role; keepalived runs the master daemon while the VRRP instance it
 * follows is MASTER and the backup daemon otherwise (reference keepalived.md §2.4).
 *
 * @example
 *   const r = await syncd.start('master', { interface: 'eth0', syncId: 51 });
 *   if (r.kind === 'give-up') log.error(`lvs_sync_daemon: ${r.reason}`); // e.g. no IPVS in this kernel
 */
export interface SyncDaemonControl {
  /** `ipvs`, `memory`. */
  readonly name: string;
  /** Starts the daemon of this role. */
  start(role: SyncDaemonRole, config: SyncDaemonConfig): Promise<Outcome>;
  /** Stops the daemon of this role (`ok` also when it was not running). */
  stop(role: SyncDaemonRole, config: SyncDaemonConfig): Promise<Outcome>;
  /** The daemons the kernel runs now. */
  list(): Promise<Outcome<SyncDaemonStatus[]>>;
}

export type SyncDaemonRole = 'master' | 'backup';

/** What the daemon is started with; absent optional fields keep the kernel's defaults. */
export interface SyncDaemonConfig {
  /** Multicast interface (`lvs_sync_daemon IF`). */
  interface: string;
  /** Sync id 0..255 (`id`; keepalived's default is the VRRP instance's virtual_router_id). */
  syncId: number;
  /** UDP payload size (`maxlen`); kernel default from the interface MTU. */
  maxlen?: number;
  /** Multicast port (`port`); kernel default 8848. */
  port?: number;
  /** Multicast TTL (`ttl`); kernel default 1. */
  ttl?: number;
  /** Multicast group, IPv4 or IPv6 (`group`); kernel default 224.0.0.81. */
  group?: string;
}

export interface SyncDaemonStatus extends SyncDaemonConfig {
  role: SyncDaemonRole;
}
