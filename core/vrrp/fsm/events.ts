/** What can happen to one instance. The router (router/) turns wire packets and timer ids into these. */
import type { ReceivedAdvert } from '../codec/advert.ts';
import type { RejectReason } from '../codec/reject-reason.ts';
import type { TimerKind } from './effects.ts';
import type { TrackerStatus } from './priority.ts';
import type { VrrpInstanceSpec } from './spec.ts';

export type InstanceEvent =
  /** Leave INIT: BACKUP (or FAULT), as keepalived vrrp_init_state. */
  | { readonly kind: 'start' }
  /** An advert that passed the codec's packet checks; the instance checks the rest. */
  | { readonly kind: 'advert'; readonly packet: ReceivedAdvert }
  /** A packet for this instance that the codec refused; only counted (and reported once per sender). */
  | { readonly kind: 'rejected'; readonly reason: RejectReason; readonly from?: string }
  | { readonly kind: 'timer'; readonly timer: TimerKind }
  | { readonly kind: 'tracker'; readonly id: string; readonly status: TrackerStatus }
  /** Daemon stopping (SIGTERM): a master sends priority 0 and drops its VIPs. */
  | { readonly kind: 'shutdown' }
  /** Reload: the instance is gone from the configuration (priority 0 if master, VIPs removed, notify DELETED). */
  | { readonly kind: 'remove' }
  /**
   * Reload with the same identity (VRID, family, version, interface, addresses of us and our peers):
   * the state is kept, the new settings apply, a master adds/removes the VIPs that changed.
   */
  | { readonly kind: 'reconfigure'; readonly spec: VrrpInstanceSpec; readonly inSyncGroup: boolean }
  /**
   * A tracked virtual route or rule of this master was deleted by someone else: back to BACKUP with the
   * skew time as master-down, so it soon takes over again and re-installs it (keepalived set_vrrp_backup).
   */
  | { readonly kind: 'lost-virtual'; readonly what: string }
  /** Sync-group orders from the router (keepalived vrrp_sync.c). */
  | { readonly kind: 'sync'; readonly action: 'fault' | 'clear-fault' | 'backup' | 'master' };

export type InstanceEventKind = InstanceEvent['kind'];
