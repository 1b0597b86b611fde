/**
 * Reading a group: every resource observed on its own (in parallel, each retried by the policy), so one
 * unreadable resource is reported as such and never hides the others. Used by the failover use case,
 * the sweep, the agent's hold-down look and `floatip cloud inspect`.
 */
import type { GroupConfig, ResourceConfig } from '../config/failover-group.ts';
import { mapLimited, withRetries, type FailoverPolicy, type Sleep } from '../failover/index.ts';
import type { Outcome } from '../model/index.ts';
import type { Observation, Random, VipProvider } from '../ports/index.ts';
import { runPreflight } from './preflight.ts';

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

/** One resource as `floatip cloud inspect` shows it: state, holder, and what would stop a failover. */
export interface InspectedResource extends ResourceView {
  state: ResourceState;
  /** `subject: detail` of every topology finding that is not ok (core/app/preflight.ts, no permission asked). */
  warnings: string[];
}

/**
 * Reads every resource of `group` (observe) and its topology (the providers' pre-flight reads, without
 * permission checks). A resource nobody in the group holds but that the topology shows held by something
 * else (an EIP on a foreign ENI, a route to a gateway) is `foreign`, even where the provider's observe
 * does not say so.
 */
export async function inspectGroup(deps: ObserveDeps, group: GroupConfig): Promise<InspectedResource[]> {
  const [views, topology] = await Promise.all([
    observeGroup(deps, group),
    runPreflight({ providers: deps.providers, concurrency: deps.policy.concurrency }, group, {
      permissions: false,
    }),
  ]);
  return views.map((v) => {
    const mine = topology.findings.filter((f) => f.resource === v.resource.id);
    const seen = stateOf(v);
    return {
      ...v,
      state: seen === 'unheld' && mine.some((f) => f.foreign) ? 'foreign' : seen,
      warnings: mine
        .filter((f) => f.status !== 'ok' && f.status !== 'unproven')
        .map((f) => `${f.subject}: ${f.detail}`),
    };
  });
}
