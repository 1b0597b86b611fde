import type { Epoch, Outcome } from '../model/index.ts';
import type { PreflightFinding, PreflightOptions } from './preflight.ts';

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
  /**
   * `mixed` when the resource has several parts that disagree (a route in several tables pointing at
   * different members): `holder` is then the first part's holder, and an acquire must repair the rest.
   * `foreign` when something that is not a member holds it (`holder` is then null).
   * Absent means `held` or `unheld`, as `holder` says.
   */
  state?: 'mixed' | 'foreign';
  /** With `foreign`: what holds it, in the provider's words (an interface or instance id), for messages. */
  foreignHolder?: string;
  /** The provider's own view as plain JSON, for audit and inspect. */
  detail: Readonly<Record<string, unknown>>;
}

/** One API call, as a dry run reports it and as the audit stream records it. */
export interface ApiCall {
  /** e.g. `ec2`, `network`, `compute`, `route53`, `memory`. */
  service: string;
  /** The provider's own operation name, e.g. `ReplaceRoute`, `routes.createOrUpdate`. */
  operation: string;
  params: Readonly<Record<string, unknown>>;
}

/**
 * What one acquire/release did. `calls` lists every API call made (reads, writes and verifies, retries
 * included) or, in a dry run, exactly the writes that would be made. `after` is the verified state (the
 * predicted state in a dry run).
 */
export interface ChangeReport {
  resource: string;
  changed: boolean;
  before: Observation;
  after: Observation;
  calls: ApiCall[];
}

/** Options of {@link VipProvider.acquire} and {@link VipProvider.release}. */
export interface MoveOptions {
  /** Read the provider, compute the writes, make none of them, and report them in `calls`. */
  dryRun?: boolean;
  /**
   * Take the resource even from another member. The failover planner sets it only when the current
   * holder is fenced (lost the election / an older epoch); without it an acquire of a resource held by
   * another member answers `conflict` and changes nothing (e.g. AWS AllowReassociation=false).
   */
  takeover?: boolean;
  /**
   * The fence the write is made under: called before every write stage; anything but `ok` stops the
   * move before its next write (a lost lock never writes again). Conditional writes (ETag, fingerprint,
   * compare-and-set batches) then catch a newer writer between this check and the write.
   */
  fence?: () => Promise<Outcome<undefined>>;
  /**
   * A stable key of this decision (job key + epoch): adapters whose API takes an idempotency token (GCP
   * requestId) derive it from this, so a retried write is not applied twice.
   */
  requestKey?: string;
}

/**
 * Moves resources between holders. Every call is idempotent: acquire on a resource the holder already
 * has changes nothing and reports `changed: false`. Each call re-reads the provider first, and an `ok`
 * answer means the provider was read back and showed the requested state. `epoch` is the fencing token
 * the action was planned under; a provider that can store it refuses older epochs with `conflict`.
 * Errors never escape as exceptions: `retry` (throttled/transient, retries exhausted), `conflict`
 * (someone else changed it / held by another member), `give-up` (bad spec, permission, missing resource).
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
    options?: MoveOptions,
  ): Promise<Outcome<ChangeReport>>;
  /** Gives the resource up if `holder` has it (no-op otherwise). Kinds that cannot be unheld answer give-up. */
  release(
    resource: VipResource,
    holder: Holder,
    epoch: Epoch,
    options?: MoveOptions,
  ): Promise<Outcome<ChangeReport>>;
  /**
   * Proves, without changing anything, that a move of `resource` to any of `members` would be allowed
   * and would land (core/app/preflight.ts). Optional: a provider without it is reported as unproven.
   * Never throws: an API that does not answer is an `unreachable` finding.
   */
  preflight?(
    resource: VipResource,
    members: readonly Holder[],
    options: PreflightOptions,
  ): Promise<PreflightFinding[]>;
}
