import type { Outcome } from '../../../core/model/index.ts';
import { ok } from '../../../core/model/index.ts';
import type { AuditRecord, JobSummary } from '../../../core/ports/index.ts';
import type { StoredAgentReport } from '../../../core/ports/agent-report-store.ts';
import type { HttpDeps } from '../deps.ts';

/** What the status page shows, as `GET /v1/status` returns it and `/v1/status/events` streams it. */
export interface StatusSnapshot {
  generatedAtMs: number;
  groups: GroupStatus[];
  /** Newest first: failovers, switchovers, reconciles and refusals from the audit stream. */
  timeline: TimelineEntry[];
  /** Jobs by state (waiting, active, delayed, failed, completed), or null where the queue cannot say. */
  queue: Record<string, number> | null;
  agents: StoredAgentReport[];
}

export interface GroupStatus {
  id: string;
  holder: string | null;
  epoch: number;
  updatedAtMs: number | null;
  members: { id: string; priority: number; health: string; holder: boolean }[];
  resources: { id: string; provider: string; kind: string }[];
}

export interface TimelineEntry {
  id: string;
  atMs: number;
  group: string;
  action: string;
  outcome: string;
  from: string | null;
  to: string | null;
  epoch: number;
  /** The trigger: `alertmanager`, `sns`, `manual`, `sweep`, ... */
  source: string;
  reason: string;
  /** Provider API calls made, and how many of them wrote. */
  calls: number;
  writes: number;
  /** From the job's creation to its end (queue wait included), when the job is still in the queue's history. */
  durationMs: number | null;
}

const isRead = (operation: string): boolean => /^(get|describe|list)/i.test(operation);

/** An audit entry as the timeline shows it; fields added to audit entries later are simply not shown. */
export function timelineEntry(r: AuditRecord, durations: ReadonlyMap<string, number>): TimelineEntry {
  const calls = Array.isArray(r.calls) ? r.calls : [];
  return {
    id: r.id,
    atMs: r.atMs,
    group: r.group,
    action: r.action,
    outcome: r.outcome,
    from: r.from ?? null,
    to: r.to ?? null,
    epoch: r.epoch,
    source: r.source,
    reason: r.reason,
    calls: calls.length,
    writes: calls.filter((c) => !isRead(String(c.operation))).length,
    durationMs: durations.get(r.job) ?? null,
  };
}

/** Job key → how long it took, for the finished jobs the queue still remembers. */
function durationsOf(jobs: readonly JobSummary[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const j of jobs)
    if (j.job && j.finishedAtMs !== null) out.set(j.job.key, Math.max(0, j.finishedAtMs - j.createdAtMs));
  return out;
}

/** Assembles the snapshot from the control plane's ports; the first store failure is returned as is. */
export async function statusSnapshot(deps: HttpDeps, timelineLimit = 25): Promise<Outcome<StatusSnapshot>> {
  const groups: GroupStatus[] = [];
  for (const g of deps.control.config.groups) {
    const s = await deps.control.state.get(g.id);
    if (s.kind !== 'ok') return s;
    const st = s.value;
    groups.push({
      id: g.id,
      holder: st?.holder ?? null,
      epoch: st?.epoch ?? 0,
      updatedAtMs: st?.updatedAtMs ?? null,
      members: g.members.map((m) => ({
        id: m.id,
        priority: m.priority,
        health: st?.health[m.id] ?? 'unknown',
        holder: st?.holder === m.id,
      })),
      resources: g.resources.map((r) => ({ id: r.id, provider: r.provider, kind: r.kind })),
    });
  }
  const audit = await deps.control.audit.list({ limit: timelineLimit });
  if (audit.kind !== 'ok') return audit;
  const finished: JobSummary[] = [];
  for (const state of ['completed', 'failed'] as const) {
    const jobs = await deps.control.queue.list(state, 200);
    if (jobs.kind === 'ok') finished.push(...jobs.value);
  }
  const durations = durationsOf(finished);
  const counts = deps.queueCounts ? await deps.queueCounts() : null;
  const agents = deps.agents ? await deps.agents.list() : ok([]);
  return ok({
    generatedAtMs: deps.control.clock.wallMs(),
    groups,
    timeline: audit.value.map((r) => timelineEntry(r, durations)),
    queue: counts?.kind === 'ok' ? counts.value : null,
    agents: agents.kind === 'ok' ? agents.value : [],
  });
}
