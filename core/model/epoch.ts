/**
 * A fencing token: a number that only grows per failover group. Every action on a provider carries the
 * epoch it was planned under; an action with an older epoch than the newest one seen is refused, so a
 * stale worker can never undo a newer failover.
 */
export type Epoch = number;

export const isNewerEpoch = (candidate: Epoch, current: Epoch): boolean => candidate > current;
