/*
 * The failover use case: the one path every entry point takes (the control-plane worker, the agent's
 * cloud mode, the lease agent, the CLI). What differs between them is the Fence they pass in (Redis
 * group lock, VRRP mastership, Redis lease) and where decisions are recorded.
 *
 *   fence.acquire ──busy──► wait, then retry(busy)             (a busy group never costs an attempt)
 *        │ epoch
 *   lookup job ──already settled──► duplicate (nothing done)   (a redelivered job never acts again;
 *        │                                                       the Redis fence reads it with the lock)
 *        │ ──older than the newest deciding commit──► superseded (recorded, nothing moved)
 *   observe every resource, each on its own ──unreadable──► reported, retried; the others go on
 *        │
 *   choose target ─► plan each resource ─► acquire in parallel, each write stage behind fence.check
 *        │                                       (a lost fence stops before its next write)
 *   settle(epoch): holder + outcome + audit, once per job, only while the epoch is the newest
 *
 * Outcomes: `ok` with outcome committed | noop | superseded | duplicate | partial | dry-run; `retry`
 * (busy, store down); `conflict` (the fence was lost: a newer decision exists; audited as refused);
 * `give-up` (no target, bad request).
 * Proof: test/core/app/failover-usecase.test.ts, test/e2e/control-plane/exactly-once.test.ts and the
 * seeded fault-injection run test/chaos/chaos.test.ts (history checker in test/chaos/checker.ts).
 */
import type { GroupConfig, ProviderConfig, ResourceConfig } from '../config/failover-group.ts';
import { canHold } from '../config/failover-group.ts';
import { mapLimited, planFailover, withRetries, type FailoverAction } from '../failover/index.ts';
import type { Epoch, ErrorCause, Failure, Outcome } from '../model/index.ts';
import { conflict, giveUp, ok } from '../model/index.ts';
import type {
  ApiCall,
  AuditEntry,
  AuditSink,
  Clock,
  FailoverJob,
  Fence,
  FenceLease,
  GroupState,
  GroupStateStore,
  JobOutcome,
  Logger,
  Observation,
} from '../ports/index.ts';
import { chooseTarget } from './choose-target.ts';
import { currentHolder, observeGroup, type ObserveDeps, type ResourceView } from './inspect.ts';

/** The ports one failover acts through; each entry point builds its own. */
export interface FailoverDeps extends ObserveDeps {
  clock: Clock;
  logger: Logger;
  fence: Fence;
  state: GroupStateStore;
  audit: AuditSink;
  /** Provider names -> types: which members can hold which resources. */
  providerConfigs: Record<string, ProviderConfig>;
}

export interface FailoverRequest {
  group: GroupConfig;
  job: FailoverJob;
  /** Read, plan and report the exact API calls; take no fence, write nothing. */
  dryRun?: boolean;
  /** Also take resources a non-member holds (operator decision). */
  force?: boolean;
}

/** What happened to one resource. */
export interface ResourceResult {
  resource: string;
  /** `skip`: the target has no settings for this resource's provider, so it stays where it is. */
  action: FailoverAction['kind'] | 'skip' | 'unreadable';
  outcome: 'ok' | Failure['kind'];
  changed: boolean;
  reason?: string;
  cause?: ErrorCause;
  calls: ApiCall[];
}

export type FailoverOutcome = JobOutcome | 'duplicate' | 'dry-run';

export interface FailoverReport {
  group: string;
  job: string;
  action: FailoverJob['action'];
  outcome: FailoverOutcome;
  from: string | null;
  to: string | null;
  epoch: Epoch;
  changed: boolean;
  dryRun: boolean;
  /** Every API call made (or, in a dry run, the exact writes that would be made). */
  calls: ApiCall[];
  before: Observation[];
  after: Observation[];
  resources: ResourceResult[];
  /** Resources that did not reach the target, with why. */
  failed: Array<{ resource: string; reason: string; cause?: ErrorCause }>;
  /** For `partial`: true when retrying may help (some failure was transient). */
  retryable: boolean;
  auditId?: string;
}

export async function runFailover(
  deps: FailoverDeps,
  req: FailoverRequest,
): Promise<Outcome<FailoverReport>> {
  if (req.dryRun) {
    const cur = await deps.fence.current(req.group.id);
    if (cur.kind !== 'ok') return cur;
    return decide(deps, req, { epoch: cur.value + 1, check: () => Promise.resolve(ok(undefined)) }, null);
  }
  const got = await deps.fence.acquire(req.group.id, { lookup: req.job.key });
  if (got.kind !== 'ok') return got;
  const lease = got.value;
  const started = deps.clock.monotonicMs();
  try {
    // The Redis fence reads the state in the step that takes it; other fences leave it to the store.
    const looked = lease.looked ? ok(lease.looked) : await deps.state.lookup(req.group.id, req.job.key);
    if (looked.kind !== 'ok') return looked;
    const { state, job: settled } = looked.value;
    if (settled)
      return ok({
        ...emptyReport(req, lease.epoch, state?.holder ?? null),
        outcome: 'duplicate',
        epoch: settled.epoch,
        auditId: settled.auditId,
      });
    const stale = supersededBy(req.job, state);
    if (stale !== null) return await supersede(deps, req, lease, state, stale, started);
    return await decide(deps, req, lease, { state, lease, started });
  } finally {
    await lease.release();
  }
}

/** Why an accepted job must not act any more, or null. */
function supersededBy(job: FailoverJob, state: GroupState | null): string | null {
  if (!state) return null;
  if (job.seq !== undefined && state.seq > job.seq)
    return `a newer decision (accepted after this one) committed at epoch ${state.epoch}`;
  if (job.basedOnEpoch !== undefined && state.epoch > job.basedOnEpoch)
    return `its reading (epoch ${job.basedOnEpoch}) is older than the decision at epoch ${state.epoch}`;
  return null;
}

function emptyReport(req: FailoverRequest, epoch: Epoch, holder: string | null): FailoverReport {
  return {
    group: req.group.id,
    job: req.job.key,
    action: req.job.action,
    outcome: 'noop',
    from: holder,
    to: holder,
    epoch,
    changed: false,
    dryRun: false,
    calls: [],
    before: [],
    after: [],
    resources: [],
    failed: [],
    retryable: false,
  };
}

async function supersede(
  deps: FailoverDeps,
  req: FailoverRequest,
  lease: FenceLease,
  state: GroupState | null,
  why: string,
  started: number,
): Promise<Outcome<FailoverReport>> {
  const holder = state?.holder ?? null;
  const report: FailoverReport = { ...emptyReport(req, lease.epoch, holder), outcome: 'superseded' };
  const entry = auditEntry(deps, req, report, `superseded: ${why}`, started);
  const settle = await deps.state.settle(
    req.group.id,
    lease.epoch,
    { job: req.job.key, outcome: 'superseded', holder, seq: req.job.seq ?? 0, decides: false },
    entry,
  );
  if (settle.kind !== 'ok')
    return settle.kind === 'conflict' ? refuse(deps, req, lease.epoch, settle) : settle;
  deps.logger.info('failover superseded', { group: req.group.id, job: req.job.key, why });
  return ok({ ...report, auditId: settle.value.auditId });
}

interface Held {
  state: GroupState | null;
  lease: FenceLease;
  started: number;
}

/** Observe, choose, plan, move; then settle (or, in a dry run, report). */
async function decide(
  deps: FailoverDeps,
  req: FailoverRequest,
  lease: Pick<FenceLease, 'epoch' | 'check'>,
  held: Held | null,
): Promise<Outcome<FailoverReport>> {
  const { group, job } = req;
  const can = (m: string, r: ResourceConfig): boolean => {
    const member = group.members.find((x) => x.id === m);
    return member !== undefined && canHold(member, r.provider, deps.providerConfigs);
  };
  const state = held?.state ?? (await stateOrNull(deps, group.id));
  const views = await observeGroup(deps, group);
  const from = currentHolder(views, state?.holder ?? null, can);
  const target = chooseTarget(group, {
    ...(job.to === undefined ? {} : { to: job.to }),
    down: job.down ?? [],
    health: state?.health ?? {},
    holder: from,
  });
  if ('error' in target) return giveUp(target.error);
  const to = target.member.id;
  const fence = watchedFence(lease);
  const results = await moveAll(deps, req, views, to, lease.epoch, fence.check, can);
  const report = summarize(req, views, results, from, to, lease.epoch, held === null);
  if (held === null) return ok(report);
  if (fence.lost) return refuse(deps, req, lease.epoch, fence.lost, report);
  return settleDecision(deps, req, held, report);
}

async function stateOrNull(deps: FailoverDeps, group: string): Promise<GroupState | null> {
  const s = await deps.state.get(group);
  return s.kind === 'ok' ? s.value : null;
}

/** A fence check that remembers the first time the fence said no (the move stopped because of it). */
function watchedFence(lease: Pick<FenceLease, 'check'>): {
  check: () => Promise<Outcome<undefined>>;
  lost: Failure | null;
} {
  const w = {
    lost: null as Failure | null,
    check: async (): Promise<Outcome<undefined>> => {
      const r = await lease.check();
      if (r.kind !== 'ok') w.lost ??= r;
      return r;
    },
  };
  return w;
}

interface Moved {
  view: ResourceView;
  action: ResourceResult['action'];
  outcome: Outcome<{ changed: boolean; after: Observation; calls: ApiCall[] }>;
}

/** Plans each resource on its own and runs the acquires in parallel (policy.concurrency). */
function moveAll(
  deps: FailoverDeps,
  req: FailoverRequest,
  views: ResourceView[],
  to: string,
  epoch: Epoch,
  fence: () => Promise<Outcome<undefined>>,
  can: (m: string, r: ResourceConfig) => boolean,
): Promise<Moved[]> {
  const members = req.group.members.map((m) => m.id);
  return mapLimited(views, deps.policy.concurrency, async (view): Promise<Moved> => {
    const r = view.resource;
    if (view.outcome.kind !== 'ok') return { view, action: 'unreadable', outcome: view.outcome };
    const seen = view.outcome.value;
    if (!can(to, r)) return { view, action: 'skip', outcome: ok({ changed: false, after: seen, calls: [] }) };
    const [action] = planFailover({
      observed: [seen],
      desired: to,
      epoch,
      fenced: members.filter((m) => m !== to),
      members,
      ...(req.force ? { takeUnknown: true } : {}),
    }).actions;
    if (!action || action.kind === 'keep')
      return { view, action: 'keep', outcome: ok({ changed: false, after: seen, calls: [] }) };
    if (action.kind !== 'acquire')
      return { view, action: action.kind, outcome: giveUp(blockedReason(action)) };
    return {
      view,
      action: 'acquire',
      outcome: await acquireOne(deps, req, r, to, epoch, action.takeover, fence),
    };
  });
}

const blockedReason = (a: FailoverAction): string => (a.kind === 'blocked' ? a.reason : a.kind);

async function acquireOne(
  deps: FailoverDeps,
  req: FailoverRequest,
  r: ResourceConfig,
  to: string,
  epoch: Epoch,
  takeover: boolean,
  fence: () => Promise<Outcome<undefined>>,
): Promise<Moved['outcome']> {
  const provider = deps.providers(r.provider);
  if (!provider) return giveUp(`no provider '${r.provider}'`);
  const member = req.group.members.find((m) => m.id === to);
  const holder = { id: to, spec: member?.settings[r.provider] ?? {} };
  const options = {
    dryRun: req.dryRun === true,
    takeover,
    fence,
    requestKey: `${req.job.key}|${epoch}|${r.id}`,
  };
  return withRetries(deps.policy.action, deps, async (n) => {
    // A whole-action retry must not outlive the fence: check it before starting again.
    if (n > 1 && !options.dryRun) {
      const still = await fence();
      if (still.kind !== 'ok') return still;
    }
    return provider.acquire(r, holder, epoch, options);
  });
}

function summarize(
  req: FailoverRequest,
  views: ResourceView[],
  moved: Moved[],
  from: string | null,
  to: string,
  epoch: Epoch,
  dryRun: boolean,
): FailoverReport {
  const resources: ResourceResult[] = moved.map((m) => ({
    resource: m.view.resource.id,
    action: m.action,
    outcome: m.outcome.kind,
    changed: m.outcome.kind === 'ok' && m.outcome.value.changed,
    calls: m.outcome.kind === 'ok' ? m.outcome.value.calls : [],
    ...(m.outcome.kind === 'ok' ? {} : { reason: m.outcome.reason }),
    ...(m.outcome.kind !== 'ok' && m.outcome.cause ? { cause: m.outcome.cause } : {}),
  }));
  const failed = moved.flatMap((m) =>
    m.outcome.kind === 'ok'
      ? []
      : [
          {
            resource: m.view.resource.id,
            reason: m.outcome.reason,
            ...(m.outcome.cause ? { cause: m.outcome.cause } : {}),
          },
        ],
  );
  const changed = resources.some((r) => r.changed);
  return {
    group: req.group.id,
    job: req.job.key,
    action: req.job.action,
    outcome: dryRun ? 'dry-run' : failed.length > 0 ? 'partial' : changed ? 'committed' : 'noop',
    from,
    to,
    epoch,
    changed,
    dryRun,
    calls: resources.flatMap((r) => r.calls),
    before: views.flatMap((v) => (v.outcome.kind === 'ok' ? [v.outcome.value] : [])),
    after: moved.flatMap((m) => (m.outcome.kind === 'ok' ? [m.outcome.value.after] : [])),
    resources,
    failed,
    retryable: moved.some((m) => m.outcome.kind === 'retry' || m.outcome.kind === 'conflict'),
  };
}

async function settleDecision(
  deps: FailoverDeps,
  req: FailoverRequest,
  held: Held,
  report: FailoverReport,
): Promise<Outcome<FailoverReport>> {
  const outcome = report.outcome as JobOutcome;
  const entry = auditEntry(deps, req, report, req.job.reason, held.started);
  const settle = await deps.state.settle(
    req.group.id,
    held.lease.epoch,
    {
      job: req.job.key,
      outcome,
      holder: report.to,
      seq: req.job.seq ?? 0,
      // A decision later jobs must not undo: it moved something, or the request named its target.
      decides: report.changed || req.job.to !== undefined,
    },
    entry,
  );
  if (settle.kind === 'conflict') return refuse(deps, req, held.lease.epoch, settle, report);
  if (settle.kind !== 'ok') return settle;
  const log = outcome === 'partial' ? deps.logger.warn : deps.logger.info;
  log.call(deps.logger, `failover ${outcome}`, {
    group: req.group.id,
    job: req.job.key,
    from: report.from,
    to: report.to,
    epoch: held.lease.epoch,
    ...(report.failed.length > 0 ? { failed: report.failed.map((f) => `${f.resource}: ${f.reason}`) } : {}),
  });
  return ok({ ...report, auditId: settle.value.auditId });
}

function auditEntry(
  deps: FailoverDeps,
  req: FailoverRequest,
  report: FailoverReport,
  reason: string,
  started: number,
): AuditEntry {
  return {
    atMs: deps.clock.wallMs(),
    group: req.group.id,
    action: req.job.action,
    epoch: report.epoch,
    job: req.job.key,
    source: req.job.source,
    from: report.from,
    to: report.to,
    outcome: report.outcome === 'committed' ? 'ok' : report.outcome,
    reason,
    before: report.before,
    after: report.after,
    calls: report.calls,
    ...(report.failed.length > 0
      ? { failed: report.failed.map((f) => ({ resource: f.resource, reason: f.reason })) }
      : {}),
    durationMs: Math.max(0, deps.clock.monotonicMs() - started),
  };
}

/** The fence was lost while acting: a newer decision exists. Audited as refused; nothing committed. */
async function refuse(
  deps: FailoverDeps,
  req: FailoverRequest,
  epoch: Epoch,
  why: Failure,
  report?: FailoverReport,
): Promise<Outcome<never>> {
  if (why.kind !== 'conflict') return why;
  await deps.audit.append({
    atMs: deps.clock.wallMs(),
    group: req.group.id,
    action: 'refused',
    epoch,
    job: req.job.key,
    source: req.job.source,
    from: report?.from ?? null,
    to: report?.to ?? null,
    outcome: 'conflict',
    reason: why.reason,
    before: report?.before ?? [],
    after: [],
    calls: report?.calls ?? [],
  });
  deps.logger.warn('failover stopped: fence lost', {
    group: req.group.id,
    job: req.job.key,
    epoch,
    reason: why.reason,
  });
  return conflict(`epoch ${epoch} is stale: ${why.reason}`);
}
