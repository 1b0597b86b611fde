/**
 * Redis key names of the control plane, all under one prefix written as a hash tag, `{floatip}:...`: in
 * a Redis Cluster every key (and every key of the BullMQ queue, see createControlQueue) lands in the one
 * slot of the tag, so each Lua script and MULTI block touches one slot (the group commit writes the group
 * hash and the shared audit stream together). test/e2e/redis-ha/cluster.test.ts runs the control plane
 * on a three-node cluster.
 */
export interface ControlKeys {
  /** The hash-tagged prefix every key starts with (`{floatip}`); `${prefix}:*` matches them all. */
  prefix: string;
  lock(group: string): string;
  epoch(group: string): string;
  group(group: string): string;
  /** Acceptance counter of the group's jobs (INCR at enqueue). */
  seq(group: string): string;
  /** What became of one job (by the hash of its key). */
  job(group: string, jobHash: string): string;
  audit(): string;
  jobSeen(id: string): string;
  lease(scope: string): string;
  leaseCandidates(scope: string): string;
  leaseEpoch(scope: string): string;
}

/** `prefix` as a Redis Cluster hash tag. */
export const hashTagged = (prefix: string): string => `{${prefix}}`;

export function controlKeys(plainPrefix: string): ControlKeys {
  const prefix = hashTagged(plainPrefix);
  return {
    prefix,
    lock: (g) => `${prefix}:group:${g}:lock`,
    epoch: (g) => `${prefix}:group:${g}:epoch`,
    group: (g) => `${prefix}:group:${g}`,
    seq: (g) => `${prefix}:group:${g}:seq`,
    job: (g, h) => `${prefix}:group:${g}:job:${h}`,
    audit: () => `${prefix}:audit`,
    jobSeen: (id) => `${prefix}:job-seen:${id}`,
    lease: (s) => `${prefix}:lease:${s}`,
    leaseCandidates: (s) => `${prefix}:lease:${s}:candidates`,
    // One epoch counter per group: lease claims and group locks draw from the same sequence, so a
    // decision under a lease and one under the lock are ordered against each other.
    leaseEpoch: (s) => `${prefix}:group:${s}:epoch`,
  };
}
