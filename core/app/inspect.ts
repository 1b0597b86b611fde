/**
 * Reading a group: every resource observed on its own (in parallel, each retried by the policy), so one
 * unreadable resource is reported as such and never hides the others. Used by the failover use case,
 * the sweep, the agent's hold-down look and `floatip cloud inspect`.
 */
import type { GroupConfig, ResourceConfig } from '../config/failover-group.ts';
import { mapLimited, withRetries, type FailoverPolicy, type Sleep } from '../failover/index.ts';
import type { Outcome } from '../model/index.ts';
import type { Observation, Random, VipProvider } from '../ports/index.ts';

export interface ObserveDeps {
  providers: (name: string) => VipProvider | undefined;
  policy: FailoverPolicy;
  random: Random;
  sleep: Sleep;
}

/** One resource as read now: `held`, `mixed`, `unheld`, or `unreadable` with why. */
export interface ResourceView {
  resource: ResourceConfig;
  outcome: Outcome<Observation>;
}

export type ResourceState = 'held' | 'mixed' | 'foreign' | 'unheld' | 'unreadable';

export const stateOf = (v: ResourceView): ResourceState =>
  v.outcome.kind !== 'ok'
    ? 'unreadable'
    : v.outcome.value.state !== undefined
      ? v.outcome.value.state
      : v.outcome.value.holder === null
        ? 'unheld'
        : 'held';

export function observeResource(deps: ObserveDeps, r: ResourceConfig): Promise<Outcome<Observation>> {
  const provider = deps.providers(r.provider);
  if (!provider) return Promise.resolve({ kind: 'give-up', reason: `no provider '${r.provider}'` });
  return withRetries(deps.policy.action, deps, () => provider.observe(r));
}

/** Reads every resource of `group` independently. */
export function observeGroup(deps: ObserveDeps, group: GroupConfig): Promise<ResourceView[]> {
  return mapLimited(group.resources, deps.policy.concurrency, async (resource) => ({
    resource,
    outcome: await observeResource(deps, resource),
  }));
}

/**
 * The member that holds the group now: the recorded holder while it holds every readable resource it
 * can hold, else the one member seen holding resources, else the recorded holder (or nobody).
 */
export function currentHolder(
  views: readonly ResourceView[],
  recorded: string | null,
  canHold: (member: string, r: ResourceConfig) => boolean,
): string | null {
  const seen = views.flatMap((v) => (v.outcome.kind === 'ok' ? [v] : []));
  const holders = new Set(
    seen.flatMap((v) => (v.outcome.kind === 'ok' && v.outcome.value.holder ? [v.outcome.value.holder] : [])),
  );
  if (
    recorded !== null &&
    holders.has(recorded) &&
    seen.every(
      (v) =>
        !canHold(recorded, v.resource) || (v.outcome.kind === 'ok' && v.outcome.value.holder === recorded),
    )
  )
    return recorded;
  if (holders.size === 1) return [...holders][0] ?? null;
  return recorded;
}
