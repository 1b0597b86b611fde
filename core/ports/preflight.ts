/**
 * Pre-flight: what a provider can prove, without changing anything, about one resource and the members
 * that may hold it. Each adapter answers with findings; `core/app/preflight.ts` turns them into a verdict.
 */

/**
 * - `ok`: proven (a DryRun answered DryRunOperation, a permission is granted, a resource exists and matches).
 * - `missing-permission`: the caller may not make a call a failover needs (the finding names action and resource).
 * - `missing-resource`: a resource the config names does not exist.
 * - `mismatch`: it exists but a failover would not land (wrong network, forwarding off, ...).
 * - `warning`: the failover lands but something is off (a setting the acquire will change, a foreign holder).
 * - `unproven`: the API offers no way to prove it without a write (said so, never assumed).
 * - `unreachable`: the API did not answer (network, 5xx, throttled, bad credentials).
 */
export type PreflightStatus =
  'ok' | 'missing-permission' | 'missing-resource' | 'mismatch' | 'warning' | 'unproven' | 'unreachable';

export interface PreflightFinding {
  /** The config id of the resource this finding is about. */
  resource: string;
  /** `permission` (may we call it), `topology` (does it exist and match), `reach` (did the API answer). */
  check: 'permission' | 'topology' | 'reach';
  status: PreflightStatus;
  /** What was checked, by name: `ec2:ReplaceRoute on rtb-1 -> eni-a`, `route table rtb-1`, `instance zone/name`. */
  subject: string;
  /** One line saying what was found (never a credential). */
  detail: string;
  /** Set on a topology finding that something outside the group holds (part of) the resource. */
  foreign?: true;
}

export interface PreflightOptions {
  /**
   * Prove permissions as well (DryRun writes, testIamPermissions, Azure's permissions API). Off for
   * `cloud inspect`, which only reads the topology for its warnings.
   */
  permissions: boolean;
}
