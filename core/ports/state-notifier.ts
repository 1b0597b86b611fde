/**
 * StateNotifier: tells the outside world that a VRRP instance or sync group changed state (keepalived's
 * notify scripts and FIFOs). Changes are delivered in the order given, each finished before the next
 * starts, so MASTER and BACKUP handlers never race (reference keepalived.md §6 P3).
 *
 * @example
 * notifier.notify({ target: { type: 'instance', name: 'VI_1' }, what: 'MASTER', priority: 150 });
 */
export interface StateNotifier {
  /** Queues one change; never blocks the caller. */
  notify(change: StateChange): void;
  /** Resolves once every queued change has been delivered. */
  idle(): Promise<void>;
}

export interface StateChange {
  target: { type: 'instance' | 'group'; name: string };
  /** MASTER, BACKUP, FAULT, STOP, DELETED, or an event such as MASTER_RX_LOWER_PRI. */
  what: string;
  priority: number;
}
