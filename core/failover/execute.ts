import type { Epoch, Outcome } from '../model/index.ts';
import type { ChangeReport, Holder, Observation, Random, VipProvider, VipResource } from '../ports/index.ts';
import type { FailoverAction, FailoverPlan } from './plan.ts';
import { planFailover } from './plan.ts';
import type { FailoverPolicy } from './policy.ts';
import { withRetries, type Sleep } from './retry.ts';

/** What the executor needs from the shell: providers by name, config objects by id, policy, time. */
export interface ExecuteDeps {
  providers: ReadonlyMap<string, VipProvider>;
  resources: ReadonlyMap<string, VipResource>;
  holders: ReadonlyMap<string, Holder>;
  policy: FailoverPolicy;
  random: Random;
  sleep: Sleep;
  dryRun?: boolean;
}

export interface ActionResult {
  action: FailoverAction;
  /** null for `blocked` actions, which are reported but not run. */
  outcome: Outcome<ChangeReport> | null;
}

export interface ExecutionReport {
  epoch: Epoch;
  /** True when every action that was run answered ok and nothing was blocked. */
  ok: boolean;
  results: ActionResult[];
  /** Resources whose provider state changed (empty in a dry run and on a repeat). */
  changed: string[];
}

/** Runs `items` through `work` with at most `limit` in flight; results keep the input order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

const providerOf = (
  deps: ExecuteDeps,
  id: string,
): { resource: VipResource; provider: VipProvider } | string => {
  const resource = deps.resources.get(id);
  if (!resource) return `unknown resource ${id}`;
  const provider = deps.providers.get(resource.provider);
  if (!provider) return `no provider ${resource.provider} for resource ${id}`;
  return { resource, provider };
};

async function runAction(
  action: FailoverAction,
  deps: ExecuteDeps,
  observed?: ReadonlyMap<string, Observation>,
): Promise<ActionResult> {
  if (action.kind === 'blocked') return { action, outcome: null };
  const seen = observed?.get(action.resource);
  if (action.kind === 'keep' && seen && seen.holder === action.holder)
    // Just read and already right: nothing to write, and a second read would say the same.
    return {
      action,
      outcome: {
        kind: 'ok',
        value: { resource: action.resource, changed: false, before: seen, after: seen, calls: [] },
      },
    };
  const found = providerOf(deps, action.resource);
  if (typeof found === 'string') return { action, outcome: { kind: 'give-up', reason: found } };
  const holder = deps.holders.get(action.holder);
  if (!holder) return { action, outcome: { kind: 'give-up', reason: `unknown member ${action.holder}` } };
  const options = {
    dryRun: deps.dryRun ?? false,
    takeover: action.kind === 'acquire' ? action.takeover : false,
  };
  const outcome = await withRetries(deps.policy.action, deps, () =>
    action.kind === 'release'
      ? found.provider.release(found.resource, holder, action.epoch, options)
      : found.provider.acquire(found.resource, holder, action.epoch, options),
  );
  return { action, outcome };
}

/**
 * Runs a plan's actions in parallel (policy.concurrency), retrying whole actions that answer `retry`.
 * With `observed` (the reads the plan was made from), `keep` actions are answered from them without
 * another call; without it, a `keep` re-reads the provider (an acquire that finds nothing to do).
 */
export async function executeActions(
  epoch: Epoch,
  actions: readonly FailoverAction[],
  deps: ExecuteDeps,
  observed?: ReadonlyMap<string, Observation>,
): Promise<ExecutionReport> {
  const results = await mapLimited(actions, deps.policy.concurrency, (a) => runAction(a, deps, observed));
  const ok = results.every((r) => r.outcome !== null && r.outcome.kind === 'ok');
  const changed = results.flatMap((r) =>
    r.outcome?.kind === 'ok' && r.outcome.value.changed && !deps.dryRun ? [r.action.resource] : [],
  );
  return { epoch, ok, results, changed };
}

/** Reads every resource (in parallel); a resource that cannot be read is returned as a failed outcome. */
export async function observeAll(
  ids: readonly string[],
  deps: ExecuteDeps,
): Promise<Array<{ id: string; outcome: Outcome<Observation> }>> {
  return mapLimited(ids, deps.policy.concurrency, async (id) => {
    const found = providerOf(deps, id);
    if (typeof found === 'string') return { id, outcome: { kind: 'give-up' as const, reason: found } };
    const provider = found.provider;
    return {
      id,
      outcome: await withRetries(deps.policy.action, deps, () => provider.observe(found.resource)),
    };
  });
}

export interface FailoverRequest {
  resources: readonly string[];
  desired: string;
  epoch: Epoch;
  fenced: readonly string[];
  appliedEpoch?: Epoch;
  takeUnknown?: boolean;
}

export type FailoverResult =
  | { kind: 'unreadable'; failures: Array<{ id: string; reason: string }> }
  | { kind: 'done'; plan: FailoverPlan; report: ExecutionReport };

/** observe all -> plan -> execute. Any unreadable resource stops the failover before a single write. */
export async function runFailover(request: FailoverRequest, deps: ExecuteDeps): Promise<FailoverResult> {
  const seen = await observeAll(request.resources, deps);
  const failures = seen.flatMap((s) =>
    s.outcome.kind === 'ok' ? [] : [{ id: s.id, reason: s.outcome.reason }],
  );
  if (failures.length > 0) return { kind: 'unreadable', failures };
  const observed = seen.flatMap((s) => (s.outcome.kind === 'ok' ? [s.outcome.value] : []));
  const plan = planFailover({
    observed,
    desired: request.desired,
    epoch: request.epoch,
    fenced: request.fenced,
    members: [...deps.holders.keys()],
    ...(request.appliedEpoch === undefined ? {} : { appliedEpoch: request.appliedEpoch }),
    ...(request.takeUnknown ? { takeUnknown: true } : {}),
  });
  const report = await executeActions(
    plan.epoch,
    plan.actions,
    deps,
    new Map(observed.map((o) => [o.resource, o])),
  );
  return { kind: 'done', plan, report };
}
