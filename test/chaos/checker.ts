/**
 * The history checker of the fault-injection run. Pure: it gets everything that was recorded (requests,
 * job outcomes, audit entries in stream order, every write the cloud applied, the final holders) and
 * returns the violations of floatip's promises:
 *
 *  1. every accepted request (202) is accounted for: its job completed (committed, no-op, superseded,
 *     duplicate) or failed for a reason other than a busy group — none is left queued;
 *  2. per group, audit epochs strictly increase and from -> to is an unbroken chain, except where the
 *     cloud's log shows the holder was written by a job fenced newer than every recorded decision that
 *     died or lost its fence before recording its own (the next decision records what it found);
 *  3. every resource ends on the target of the group's highest committed epoch;
 *  4. no write the cloud applied carries an epoch lower than one already committed when it landed;
 *  5. no job settles twice (a redelivered job that already committed or was superseded never acts again).
 */
import type { AppliedWrite } from './cloud.ts';

export interface RecordedRequest {
  atMs: number;
  what: string;
  group: string;
  status: number;
  /** The job id the API answered with (202). */
  jobs: string[];
}

export interface RecordedJob {
  id: string;
  state: string;
  outcome: string | null;
  failedReason: string | null;
}

export interface RecordedEntry {
  /** Redis stream id: `<ms>-<seq>`, Redis' own clock. */
  id: string;
  group: string;
  epoch: number;
  action: string;
  outcome: string;
  from: string | null;
  to: string | null;
  job: string;
}

export interface History {
  groups: Array<{ id: string; resources: string[] }>;
  requests: RecordedRequest[];
  jobs: RecordedJob[];
  audit: RecordedEntry[];
  writes: AppliedWrite[];
  final: Record<string, string | null>;
}

const settled = new Set(['ok', 'noop', 'partial', 'superseded']);
const finalOutcomes = new Set(['committed', 'noop', 'superseded', 'duplicate']);
const msOf = (streamId: string): number => Number(streamId.split('-')[0]);

function accounting(h: History): string[] {
  const out: string[] = [];
  const byId = new Map(h.jobs.map((j) => [j.id, j]));
  for (const r of h.requests.filter((x) => x.status === 202))
    for (const id of r.jobs) {
      const j = byId.get(id);
      if (!j) out.push(`accepted ${r.what} (job ${id}) has no job`);
      else if (j.state === 'completed' && !finalOutcomes.has(j.outcome ?? ''))
        out.push(`job ${id} completed with outcome ${j.outcome}`);
      else if (j.state === 'failed' && /busy|locked|lock lost/i.test(j.failedReason ?? ''))
        out.push(`job ${id} failed because the group was busy: ${j.failedReason}`);
      else if (j.state !== 'completed' && j.state !== 'failed') out.push(`job ${id} left ${j.state}`);
    }
  return out;
}

const decisions = new Set(['ok', 'noop', 'partial']);

/**
 * A break in the chain (an entry starts from a holder the previous one did not leave) that a write
 * explains: a job fenced by an epoch newer than every decision recorded before the entry wrote that holder
 * and never recorded a decision (it was killed, or lost its fence, between its write and its commit), or the
 * entry's own job did in an earlier attempt. The write is in the cloud's log and the next decision records
 * what it found. Any other break is a violation.
 */
function explainedBy(h: History, group: string, e: RecordedEntry): AppliedWrite | null {
  const resources = new Set(h.groups.find((g) => g.id === group)?.resources ?? []);
  const entries = h.audit.filter((x) => x.group === group);
  const before = entries.slice(0, entries.indexOf(e));
  const lastDecision = before.filter((x) => decisions.has(x.outcome)).at(-1)?.epoch ?? 0;
  // jobs whose decision was on record before this entry (a later one, after a retry, came too late)
  const decided = new Set(before.filter((x) => decisions.has(x.outcome)).map((x) => x.job));
  return (
    h.writes.find(
      (w) =>
        resources.has(w.resource) &&
        w.holder === e.from &&
        w.epoch > lastDecision &&
        w.epoch < e.epoch &&
        w.atMs <= msOf(e.id) &&
        // its job had recorded no decision yet, or it is this very job run again, finding its first write
        (!decided.has(w.job) || w.job === e.job),
    ) ?? null
  );
}

/** Chain breaks explained by an unrecorded write (see explainedBy), for the run's counts. */
export function explainedBreaks(h: History): number {
  let n = 0;
  for (const g of h.groups) {
    const entries = h.audit.filter((e) => e.group === g.id && settled.has(e.outcome));
    entries.forEach((e, i) => {
      const prev = entries[i - 1];
      if (prev && e.from !== prev.to && explainedBy(h, g.id, e)) n++;
    });
  }
  return n;
}

function chains(h: History): string[] {
  const out: string[] = [];
  for (const g of h.groups) {
    const entries = h.audit.filter((e) => e.group === g.id && settled.has(e.outcome));
    entries.forEach((e, i) => {
      const prev = entries[i - 1];
      if (!prev) return;
      if (e.epoch <= prev.epoch)
        out.push(`${g.id}: epoch ${e.epoch} (${e.job}) after ${prev.epoch} (${prev.job})`);
      if (e.from !== prev.to && !explainedBy(h, g.id, e))
        out.push(
          `${g.id}: chain broken: ${prev.job} left ${prev.to}, ${e.job} (epoch ${e.epoch}) started from ${e.from}`,
        );
    });
  }
  return out;
}

function finals(h: History): string[] {
  const out: string[] = [];
  for (const g of h.groups) {
    const last = h.audit.filter((e) => e.group === g.id && settled.has(e.outcome)).at(-1);
    if (!last) continue;
    for (const r of g.resources)
      if (h.final[r] !== last.to)
        out.push(
          `${g.id}: ${r} ends on ${h.final[r] ?? 'nobody'}, the highest committed epoch ${last.epoch} chose ${last.to}`,
        );
  }
  return out;
}

function staleWrites(h: History): string[] {
  const out: string[] = [];
  const groupOf = new Map(h.groups.flatMap((g) => g.resources.map((r) => [r, g.id] as const)));
  const commits = h.audit.filter((e) => e.outcome !== 'superseded' && settled.has(e.outcome));
  for (const w of h.writes) {
    const g = groupOf.get(w.resource);
    const newer = commits.find((c) => c.group === g && c.epoch > w.epoch && msOf(c.id) < w.atMs);
    if (newer)
      out.push(
        `${w.resource}: write to ${w.holder} under epoch ${w.epoch} (${w.job}) landed after epoch ${newer.epoch} committed (${newer.job})`,
      );
  }
  return out;
}

function once(h: History): string[] {
  const seen = new Map<string, RecordedEntry>();
  const out: string[] = [];
  for (const e of h.audit.filter((x) => settled.has(x.outcome) && x.outcome !== 'partial')) {
    const prev = seen.get(`${e.group}\n${e.job}`);
    if (prev)
      out.push(
        `${e.group}: job ${e.job} settled twice (epoch ${prev.epoch} ${prev.outcome}, epoch ${e.epoch} ${e.outcome})`,
      );
    seen.set(`${e.group}\n${e.job}`, e);
  }
  return out;
}

export function checkHistory(h: History): string[] {
  return [...accounting(h), ...chains(h), ...finals(h), ...staleWrites(h), ...once(h)];
}
