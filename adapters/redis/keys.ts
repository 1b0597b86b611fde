/**
 * Redis key names of the control plane, all under one prefix. The group id sits in a hash tag `{...}` so
 * every key of one group lands in the same Redis Cluster slot (the Lua scripts touch several at once).
 */
export interface ControlKeys {
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

export function controlKeys(prefix: string): ControlKeys {
  return {
    prefix,
    lock: (g) => `${prefix}:group:{${g}}:lock`,
    epoch: (g) => `${prefix}:group:{${g}}:epoch`,
    group: (g) => `${prefix}:group:{${g}}`,
    seq: (g) => `${prefix}:group:{${g}}:seq`,
    job: (g, h) => `${prefix}:group:{${g}}:job:${h}`,
    audit: () => `${prefix}:audit`,
    jobSeen: (id) => `${prefix}:job-seen:${id}`,
    lease: (s) => `${prefix}:lease:{${s}}`,
    leaseCandidates: (s) => `${prefix}:lease:{${s}}:candidates`,
    // One epoch counter per group: lease claims and group locks draw from the same sequence, so a
    // decision under a lease and one under the lock are ordered against each other.
    leaseEpoch: (s) => `${prefix}:group:{${s}}:epoch`,
  };
}
