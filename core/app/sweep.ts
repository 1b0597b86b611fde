import type { GroupConfig } from '../config/failover-group.ts';
import { canHold } from '../config/failover-group.ts';
import type { Outcome } from '../model/index.ts';
import { ok } from '../model/index.ts';
import type { GroupState, Observation } from '../ports/index.ts';
import type { ControlDeps } from './control-deps.ts';
import { observeGroup, type ResourceView } from './inspect.ts';

export interface SweepFinding {
  group: string;
  /**
   * `ok`; `drift` (provider disagrees with the recorded holder); `holder-down`; `split` (resources on
   * different members, or one resource half-moved); `unassigned` (nobody holds them); `foreign` (held by
   * something not a member); `error` (a resource could not be read); `moved` (a decision committed while
   * the sweep was reading: its reading is stale and nothing is queued).
   */
  verdict: 'ok' | 'drift' | 'holder-down' | 'split' | 'unassigned' | 'foreign' | 'error' | 'moved';
  detail: string;
  job?: { id: string; duplicate: boolean };
}

function verdictOf(
  deps: ControlDeps,
  group: GroupConfig,
  seen: Array<{ r: ResourceView; o: Observation }>,
  state: GroupState | null,
): SweepFinding['verdict'] {
  const holder = state?.holder ?? null;
  const recorded = group.members.find((m) => m.id === holder);
  // Only what the recorded holder could hold counts: a DNS-only member never holds the AWS address.
  const relevant = recorded
    ? seen.filter((s) => canHold(recorded, s.r.resource.provider, deps.providerConfigs))
    : seen;
  const holders = new Set(relevant.map((s) => s.o.holder));
  if (holders.size > 1 || relevant.some((s) => s.o.state === 'mixed')) return 'split';
  const [only] = [...holders];
  if (only === null || only === undefined) return relevant.length === 0 ? 'ok' : 'unassigned';
  if (!group.members.some((m) => m.id === only)) return 'foreign';
  if (holder !== null && state?.health[holder] === 'down') return 'holder-down';
  if (holder !== null && only !== holder) return 'drift';
  return 'ok';
}

/**
 * The scheduled health sweep: for every group, re-read the provider and compare with the recorded state.
 * Drift is reconciled back to the recorded holder; a down holder, a split or an unassigned group gets a
 * failover (a foreign holder too: that job gives up and says why, visible among failed jobs). A sweep
 * decides from a reading, so the reading is fenced by the epoch it was taken under: if a decision
 * commits while it reads, it queues nothing (`moved`), and every job it queues carries that epoch and is
 * superseded if a newer decision commits before it runs. Job keys carry the epoch too, so one finding
 * makes one job however often the sweep runs.
 */
export async function runSweep(deps: ControlDeps, only?: string[]): Promise<Outcome<SweepFinding[]>> {
  const findings: SweepFinding[] = [];
  for (const group of deps.config.groups) {
    if (only && !only.includes(group.id)) continue;
    const found = await sweepGroup(deps, group);
    if (found.kind !== 'ok') return found;
    findings.push(found.value);
  }
  return ok(findings);
}

async function sweepGroup(deps: ControlDeps, group: GroupConfig): Promise<Outcome<SweepFinding>> {
  const before = await deps.state.get(group.id);
  if (before.kind !== 'ok') return before;
  const views = await observeGroup(deps, group);
  const after = await deps.state.get(group.id);
  if (after.kind !== 'ok') return after;
  const epoch = before.value?.epoch ?? 0;
  if ((after.value?.epoch ?? 0) !== epoch)
    return ok({ group: group.id, verdict: 'moved', detail: `epoch ${epoch} -> ${after.value?.epoch ?? 0}` });
  const seen = views.flatMap((r) => (r.outcome.kind === 'ok' ? [{ r, o: r.outcome.value }] : []));
  const unreadable = views.flatMap((r) =>
    r.outcome.kind === 'ok' ? [] : [`${r.resource.id}: ${r.outcome.reason}`],
  );
  const verdict = verdictOf(deps, group, seen, before.value);
  const detail = [
    ...seen.map((s) => `${s.o.resource}=${s.o.holder ?? '-'}${s.o.state === 'mixed' ? '(mixed)' : ''}`),
    ...unreadable.map((u) => `unreadable ${u}`),
  ].join(' ');
  if (verdict === 'ok')
    return ok({ group: group.id, verdict: unreadable.length > 0 ? 'error' : 'ok', detail });
  const holder = before.value?.holder ?? null;
  const q = await deps.queue.enqueue({
    kind: 'failover',
    key: `sweep|${group.id}|${epoch}|${verdict}`,
    group: group.id,
    ...(verdict === 'drift' && holder !== null ? { to: holder } : {}),
    action: verdict === 'drift' ? 'reconcile' : 'failover',
    reason: `sweep: ${verdict} (${detail})`,
    source: 'sweep',
    basedOnEpoch: epoch,
  });
  if (q.kind !== 'ok') return q;
  return ok({ group: group.id, verdict, detail, job: q.value });
}
