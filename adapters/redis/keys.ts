/**
 * Redis key names of the control plane, all under one prefix. The group id sits in a hash tag `{...}` so
 * every key of one group lands in the same Redis Cluster slot (the Lua scripts touch several at once).
 */
export interface ControlKeys {
  prefix: string;
  lock(group: string): string;
  epoch(group: string): string;
  group(group: string): string;
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
    audit: () => `${prefix}:audit`,
    jobSeen: (id) => `${prefix}:job-seen:${id}`,
    lease: (s) => `${prefix}:lease:{${s}}`,
    leaseCandidates: (s) => `${prefix}:lease:{${s}}:candidates`,
    leaseEpoch: (s) => `${prefix}:lease:{${s}}:epoch`,
  };
}
