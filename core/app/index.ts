export { runFailover } from './failover.ts';
export type {
  FailoverDeps,
  FailoverOutcome,
  FailoverReport,
  FailoverRequest,
  ResourceResult,
} from './failover.ts';
export { currentHolder, inspectGroup, observeGroup, observeResource, stateOf } from './inspect.ts';
export type { InspectedResource, ObserveDeps, ResourceState, ResourceView } from './inspect.ts';
export { onWebhook } from './on-webhook.ts';
export type { WebhookResult } from './on-webhook.ts';
export { runSweep } from './sweep.ts';
export type { SweepFinding } from './sweep.ts';
export { resolveAlert } from './alert-signal.ts';
export type { AlertSignal, AlertTarget } from './alert-signal.ts';
export { chooseTarget } from './choose-target.ts';
export { findGroup } from './control-deps.ts';
export type { ControlDeps } from './control-deps.ts';
export { createLeaseElection } from './lease-election.ts';
export type { LeaseElection, LeaseElectionOptions } from './lease-election.ts';
export { VrrpService } from './vrrp-service.ts';
export type {
  VrrpInstanceBinding,
  VrrpPlan,
  VrrpInstanceStatus,
  VrrpServiceDeps,
  PacketIoRequest,
} from './vrrp-service.ts';
export { planVrrp } from './vrrp-plan.ts';
export type {
  VrrpAgentPlan,
  NotifyHookSet,
  PlanResult,
  PrimaryAddressLookup,
  AddressOwnerLookup,
} from './vrrp-plan.ts';
export { SyncDaemonFollower, wantedRole } from './sync-daemon-follower.ts';
export type { SyncDaemonFollowerOptions, SyncDaemonFollowerStatus } from './sync-daemon-follower.ts';
export { createCloudAgent } from './cloud-agent.ts';
export type { CloudAgent, CloudAgentOptions } from './cloud-agent.ts';
export { createVrrpFence } from './vrrp-fence.ts';
export type { VrrpFence } from './vrrp-fence.ts';
export { holdersOf, preflightResource, runPreflight, verdictOf } from './preflight.ts';
export type { PreflightDeps, PreflightReport, PreflightVerdict } from './preflight.ts';
