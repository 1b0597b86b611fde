import { ok, type Outcome } from '../../core/model/index.ts';
import type {
  AuditEntry,
  AuditRecord,
  AuditSink,
  GroupState,
  GroupStateStore,
  JobRecord,
  MemberHealth,
} from '../../core/ports/index.ts';

const fresh = (group: string): GroupState => ({
  group,
  holder: null,
  epoch: 0,
  seq: 0,
  health: {},
  updatedAtMs: 0,
  lastJob: null,
});

/**
 * GroupStateStore and AuditSink in memory, for one process that is the only authority over its group (the
 * agent's cloud mode, the CLI) and for tests. Same rules as the Redis store: settle at most once per job,
 * only under the newest epoch the fence reported (`newest`), holder kept by `superseded`.
 */
export class MemoryGroupStore implements GroupStateStore, AuditSink {
  readonly entries: AuditRecord[] = [];
  readonly #groups = new Map<string, GroupState>();
  readonly #jobs = new Map<string, JobRecord>();
  readonly #newest: (group: string) => number;
  readonly #max: number;
  #seq = 0;

  /** `newest`: the group's newest epoch as the fence knows it; `max`: audit entries kept. */
  constructor(o: { newest?: (group: string) => number; max?: number } = {}) {
    this.#newest = o.newest ?? (() => Number.POSITIVE_INFINITY);
    this.#max = o.max ?? 1000;
  }

  #state(group: string): GroupState | null {
    return this.#groups.get(group) ?? null;
  }

  get(group: string): Promise<Outcome<GroupState | null>> {
    return Promise.resolve(ok(this.#state(group)));
  }

  lookup(group: string, jobKey: string) {
    return Promise.resolve(
      ok({ state: this.#state(group), job: this.#jobs.get(`${group}\n${jobKey}`) ?? null }),
    );
  }

  settle(group: string, epoch: number, s: Parameters<GroupStateStore['settle']>[2], entry: AuditEntry) {
    const done = this.#jobs.get(`${group}\n${s.job}`);
    if (done) return Promise.resolve(ok({ auditId: done.auditId, duplicate: true }));
    const newest = this.#newest(group);
    if (Number.isFinite(newest) && newest !== epoch)
      return Promise.resolve<Outcome<never>>({
        kind: 'conflict',
        reason: `group '${group}': a newer epoch exists`,
      });
    const id = this.#append(entry);
    const cur = this.#state(group) ?? fresh(group);
    if (s.outcome !== 'superseded')
      this.#groups.set(group, {
        ...cur,
        holder: s.holder,
        epoch,
        seq: s.decides ? Math.max(cur.seq, s.seq) : cur.seq,
        updatedAtMs: entry.atMs,
        lastJob: s.job,
      });
    if (s.outcome !== 'partial')
      this.#jobs.set(`${group}\n${s.job}`, { outcome: s.outcome, epoch, auditId: id });
    return Promise.resolve(ok({ auditId: id, duplicate: false }));
  }

  setHealth(group: string, member: string, health: MemberHealth, nowMs: number): Promise<Outcome<undefined>> {
    const cur = this.#state(group) ?? fresh(group);
    this.#groups.set(group, { ...cur, health: { ...cur.health, [member]: health }, updatedAtMs: nowMs });
    return Promise.resolve(ok(undefined));
  }

  #append(entry: AuditEntry): string {
    const id = `${entry.atMs}-${++this.#seq}`;
    this.entries.unshift({ ...entry, id });
    if (this.entries.length > this.#max) this.entries.length = this.#max;
    return id;
  }

  append(entry: AuditEntry): Promise<Outcome<{ id: string }>> {
    return Promise.resolve(ok({ id: this.#append(entry) }));
  }

  list(query: { group?: string; limit: number }): Promise<Outcome<AuditRecord[]>> {
    const all = this.entries.filter((e) => query.group === undefined || e.group === query.group);
    return Promise.resolve(ok(all.slice(0, query.limit)));
  }
}
