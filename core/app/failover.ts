/*
 * The failover use case, run by a queue worker (or synchronously for a dry run):
 *
 *   lock+epoch ─► read state ─► observe provider ─► choose target ─► plan (core/failover)
 *        │                                                              │
 *        │        for each write: epoch still ours? ─► provider call carrying the epoch
 *        │                                                              │
 *        └──────────── release ◄── fenced commit (holder + audit entry, once per job key)
 *
 * The provider verifies each change itself (an `ok` acquire has read the change back), so no second
 * round of reads is made here: in a cloud that saves a Describe per resource per failover.
 *
 * A stale worker (its lock expired, a newer epoch exists) is stopped twice: by the fence check before
 * each provider call, and by the provider itself, which refuses an epoch older than one it has seen.
 */
import type { GroupConfig } from '../config/control-plane.ts';
import { planFailover } from '../failover/index.ts';
import type { Epoch, Outcome } from '../model/index.ts';
import { conflict, giveUp, ok } from '../model/index.ts';
import type {
  ApiCall,
  AuditEntry,
  FailoverJob,
  Observation,
  VipProvider,
  VipResource,
} from '../ports/index.ts';
import { chooseTarget } from './choose-target.ts';
import type { ControlDeps } from './control-deps.ts';
import { findGroup } from './control-deps.ts';

export interface FailoverResult {
  group: string;
  action: FailoverJob['action'];
  from: string | null;
  to: string;
  epoch: Epoch;
  changed: boolean;
  dryRun: boolean;
  calls: ApiCall[];
  before: Observation[];
  after: Observation[];
  auditId?: string;
  /** True when this job key had already committed (a retried job); nothing was written twice. */
  duplicate?: boolean;
}

interface Bound {
  resource: VipResource;
  provider: VipProvider;
}

function bind(deps: ControlDeps, group: GroupConfig): Outcome<Bound[]> {
  const out: Bound[] = [];
  for (const r of group.resources) {
    const provider = deps.providers(r.provider);
    if (!provider) return giveUp(`resource '${r.id}': no provider '${r.provider}' is configured`);
    out.push({ resource: r, provider });
  }
  return ok(out);
}

async function observeAll(bound: Bound[]): Promise<Outcome<Observation[]>> {
  const seen = await Promise.all(bound.map((b) => b.provider.observe(b.resource)));
  const out: Observation[] = [];
  for (const s of seen) {
    if (s.kind !== 'ok') return s;
    out.push(s.value);
  }
  return ok(out);
}

/** The member that holds the group now: the one holding every resource, else the recorded holder. */
function currentHolder(observed: Observation[], recorded: string | null): string | null {
  const holders = new Set(observed.map((o) => o.holder));
  const [only] = [...holders];
  return holders.size === 1 && only !== undefined ? only : recorded;
}

/**
 * Moves a group's resources to the chosen member under a fresh epoch, or, with `dryRun`, reports the API
 * calls it would make without taking the lock or writing anything.
 */
export async function runFailover(
  deps: ControlDeps,
  job: FailoverJob,
  options: { dryRun?: boolean } = {},
): Promise<Outcome<FailoverResult>> {
  const group = findGroup(deps.config, job.group);
  if (!group) return giveUp(`unknown group '${job.group}'`);
  const bound = bind(deps, group);
  if (bound.kind !== 'ok') return bound;
  const dryRun = options.dryRun === true;
  const log = deps.logger.child({ group: group.id, job: job.key, action: job.action });

  let epoch: Epoch;
  if (dryRun) {
    const cur = await deps.fence.current(group.id);
    if (cur.kind !== 'ok') return cur;
    epoch = cur.value + 1;
  } else {
    const lock = await deps.fence.acquire(
      group.id,
      deps.owner,
      deps.config.worker.lockTtlMs,
      deps.clock.wallMs(),
    );
    if (lock.kind !== 'ok') return lock;
    epoch = lock.value.epoch;
  }
  try {
    return await act(deps, job, group, bound.value, epoch, dryRun, log);
  } finally {
    if (!dryRun) await deps.fence.release(group.id, deps.owner, epoch);
  }
}

async function act(
  deps: ControlDeps,
  job: FailoverJob,
  group: GroupConfig,
  bound: Bound[],
  epoch: Epoch,
  dryRun: boolean,
  log: ControlDeps['logger'],
): Promise<Outcome<FailoverResult>> {
  const state = await deps.state.get(group.id);
  if (state.kind !== 'ok') return state;
  const before = await observeAll(bound);
  if (before.kind !== 'ok') return before;
  const from = currentHolder(before.value, state.value?.holder ?? null);
  const target = chooseTarget(group, {
    ...(job.to === undefined ? {} : { to: job.to }),
    down: job.down ?? [],
    health: state.value?.health ?? {},
    holder: from,
  });
  if ('error' in target) return giveUp(target.error);
  const to = target.member;
  const plan = planFailover({
    observed: before.value,
    desired: to.id,
    epoch,
    // The control plane is the authority here: every member but the target is fenced by this decision.
    fenced: group.members.filter((m) => m.id !== to.id).map((m) => m.id),
    members: group.members.map((m) => m.id),
    ...(state.value ? { appliedEpoch: state.value.epoch } : {}),
  });
  if (plan.stale) return conflict(`epoch ${epoch} is older than applied epoch ${state.value?.epoch}`);
  const blocked = plan.actions.find((a) => a.kind === 'blocked');
  if (blocked && blocked.kind === 'blocked')
    return giveUp(`resource '${blocked.resource}': ${blocked.reason}`);

  const calls: ApiCall[] = [];
  // The provider port answers ok only after reading the change back, so its `after` is the verified state;
  // resources already on the target keep what was observed before.
  const afterById = new Map(before.value.map((o) => [o.resource, o]));
  let changed = false;
  for (const action of plan.actions) {
    const b = bound.find((x) => x.resource.id === action.resource);
    if (!b || action.kind !== 'acquire') continue;
    if (!dryRun) {
      const still = await deps.fence.check(group.id, deps.owner, epoch);
      if (still.kind !== 'ok')
        return refused(deps, job, group.id, epoch, from, to.id, before.value, calls, still);
    }
    const res = await b.provider.acquire(b.resource, { id: to.id, spec: to.spec }, epoch, {
      dryRun,
      takeover: action.takeover,
    });
    if (res.kind === 'conflict') {
      log.warn('provider refused the change', { resource: b.resource.id, epoch, reason: res.reason });
      return refused(deps, job, group.id, epoch, from, to.id, before.value, calls, res);
    }
    if (res.kind !== 'ok') return res;
    calls.push(...res.value.calls);
    changed ||= res.value.changed;
    afterById.set(b.resource.id, res.value.after);
  }
  const after = bound
    .map((b) => afterById.get(b.resource.id))
    .filter((o): o is Observation => o !== undefined);
  const result: FailoverResult = {
    group: group.id,
    action: job.action,
    from,
    to: to.id,
    epoch,
    changed,
    dryRun,
    calls,
    before: before.value,
    after: [],
  };
  if (dryRun) return ok({ ...result, after });
  const wrong = after.find((o) => o.holder !== to.id);
  if (wrong)
    return { kind: 'retry', reason: `resource '${wrong.resource}' reads back holder ${wrong.holder}` };
  const entry: AuditEntry = {
    atMs: deps.clock.wallMs(),
    group: group.id,
    action: job.action,
    epoch,
    job: job.key,
    source: job.source,
    from,
    to: to.id,
    outcome: changed ? 'ok' : 'noop',
    reason: job.reason,
    before: before.value,
    after,
    calls,
  };
  const commit = await deps.state.commit(group.id, epoch, { holder: to.id, job: job.key }, entry);
  if (commit.kind !== 'ok') return commit;
  log.info(changed ? 'failover done' : 'failover: already in place', { from, to: to.id, epoch });
  return ok({ ...result, after, auditId: commit.value.auditId, duplicate: commit.value.duplicate });
}

async function refused(
  deps: ControlDeps,
  job: FailoverJob,
  group: string,
  epoch: Epoch,
  from: string | null,
  to: string,
  before: Observation[],
  calls: ApiCall[],
  why: { reason: string },
): Promise<Outcome<never>> {
  await deps.audit.append({
    atMs: deps.clock.wallMs(),
    group,
    action: 'refused',
    epoch,
    job: job.key,
    source: job.source,
    from,
    to,
    outcome: 'conflict',
    reason: why.reason,
    before,
    after: [],
    calls,
  });
  return conflict(`epoch ${epoch} is stale: ${why.reason}`);
}
