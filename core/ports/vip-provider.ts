import type { Epoch, Outcome } from '../model/index.ts';

/**
 * One thing floatip moves between members: an address, a route or a record. Named in config; the
 * provider validates `spec` with its own schema (no SDK type crosses this port).
 */
export interface VipResource {
  /** Stable id from config, e.g. `web-eip`. */
  id: string;
  /** Provider name: `aws`, `azure`, `gcp`, `dns`, `onprem`, `memory`. */
  provider: string;
  /** Kind within the provider, e.g. `elastic-ip`, `secondary-ip`, `route`, `public-ip`, `alias-ip`, `record`. */
  kind: string;
  spec: Readonly<Record<string, unknown>>;
}

/** A member that can hold resources (an instance/NIC/next hop), with provider-specific coordinates. */
export interface Holder {
  id: string;
  spec: Readonly<Record<string, unknown>>;
}

/** What the provider says now: the provider is the source of truth and is re-read before acting. */
export interface Observation {
  resource: string;
  /** The member id that holds it now, or null when nobody (or something unknown to the config) does. */
  holder: string | null;
  /** The provider's own view as plain JSON, for audit and inspect. */
  detail: Readonly<Record<string, unknown>>;
}

/** One API call, as a dry run reports it and as the audit stream records it. */
export interface ApiCall {
  service: string;
  operation: string;
  params: Readonly<Record<string, unknown>>;
}

export interface ChangeReport {
  resource: string;
  changed: boolean;
  before: Observation;
  after: Observation;
  calls: ApiCall[];
}

/**
 * Moves resources between holders. Every call is idempotent: acquire on a resource the holder already
 * has changes nothing and reports `changed: false`. `epoch` is the fencing token the action was planned
 * under; a provider that can store it refuses older epochs with `conflict`.
 *
 * @example
 *   const seen = await provider.observe(resource);
 *   if (seen.kind === 'ok' && seen.value.holder !== me.id) await provider.acquire(resource, me, epoch);
 */
export interface VipProvider {
  readonly name: string;
  observe(resource: VipResource): Promise<Outcome<Observation>>;
  acquire(
    resource: VipResource,
    holder: Holder,
    epoch: Epoch,
    options?: { dryRun?: boolean },
  ): Promise<Outcome<ChangeReport>>;
  release(
    resource: VipResource,
    holder: Holder,
    epoch: Epoch,
    options?: { dryRun?: boolean },
  ): Promise<Outcome<ChangeReport>>;
}
