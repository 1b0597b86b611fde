import type { Outcome } from '../model/index.ts';
import { ok } from '../model/index.ts';
import type { Observation } from '../ports/index.ts';
import type { ControlDeps } from './control-deps.ts';

export interface SweepFinding {
  group: string;
  /**
   * `ok`; `drift` (provider disagrees with the recorded holder); `holder-down`; `split` (resources on
   * different members); `unassigned` (nobody holds them); `foreign` (held by something not a member);
   * `error` (the provider could not be read).
   */
  verdict: 'ok' | 'drift' | 'holder-down' | 'split' | 'unassigned' | 'foreign' | 'error';
  detail: string;
  job?: { id: string; duplicate: boolean };
}

function verdictOf(
  observed: Observation[],
  members: string[],
  holder: string | null,
  holderDown: boolean,
): SweepFinding['verdict'] {
  const holders = new Set(observed.map((o) => o.holder));
  if (holders.size > 1) return 'split';
  const [only] = [...holders];
  if (only === null || only === undefined) return 'unassigned';
  if (!members.includes(only)) return 'foreign';
  if (holder !== null && holderDown) return 'holder-down';
  if (holder !== null && only !== holder) return 'drift';
  return 'ok';
}

/**
 * The scheduled health sweep: for every group, re-read the provider and compare with the recorded state.
 * Drift is reconciled back to the recorded holder; a down holder, a split or an unassigned group gets a
 * failover (a foreign holder too: that job gives up and says why, visible among failed jobs). Job keys carry the group's epoch, so one sweep finding makes one job however often it runs.
 */
export async function runSweep(deps: ControlDeps, only?: string[]): Promise<Outcome<SweepFinding[]>> {
  const findings: SweepFinding[] = [];
  for (const group of deps.config.groups) {
    if (only && !only.includes(group.id)) continue;
    const state = await deps.state.get(group.id);
    if (state.kind !== 'ok') return state;
    const observed: Observation[] = [];
    let error: string | null = null;
    for (const r of group.resources) {
      const p = deps.providers(r.provider);
      const seen = p
        ? await p.observe(r)
        : { kind: 'give-up' as const, reason: `no provider '${r.provider}'` };
      if (seen.kind === 'ok') observed.push(seen.value);
      else error = `${r.id}: ${seen.reason}`;
    }
    if (error !== null) {
      findings.push({ group: group.id, verdict: 'error', detail: error });
      continue;
    }
    const holder = state.value?.holder ?? null;
    const health = state.value?.health ?? {};
    const verdict = verdictOf(
      observed,
      group.members.map((m) => m.id),
      holder,
      holder !== null && health[holder] === 'down',
    );
    const detail = observed.map((o) => `${o.resource}=${o.holder ?? '-'}`).join(' ');
    if (verdict === 'ok') {
      findings.push({ group: group.id, verdict, detail });
      continue;
    }
    const epoch = state.value?.epoch ?? 0;
    const q = await deps.queue.enqueue({
      kind: 'failover',
      key: `sweep|${group.id}|${epoch}|${verdict}`,
      group: group.id,
      ...(verdict === 'drift' && holder !== null ? { to: holder } : {}),
      action: verdict === 'drift' ? 'reconcile' : 'failover',
      reason: `sweep: ${verdict} (${detail})`,
      source: 'sweep',
    });
    if (q.kind !== 'ok') return q;
    findings.push({ group: group.id, verdict, detail, job: q.value });
  }
  return ok(findings);
}
