/**
 * The health engine: many real servers, each a pure {@link stepRealServer} state, plus the timers they
 * armed (as data, in a heap). It does no I/O and reads no clock: a driver asks {@link nextDueMs},
 * calls {@link takeDue} at that time, runs the returned probes through the Probe port and hands each
 * result to {@link onResult}. Verdicts come out through `onChange`.
 *
 * Quiet successes: a connect-style checker (TCP, DNS, SMTP, UDP, PING) that is up, has run and has no
 * retry counted gains nothing from a success: keepalived's tcp_epilog (verdict.ts connectEpilog) then
 * only re-arms after delay_loop. Its probe job carries `repeatMs` = delay_loop, and a driver whose probe
 * can repeat (adapters/onprem tcp-checker, in C) keeps connecting every `repeatMs` without reporting
 * successes; the first failure comes back as this job's result. The verdicts are the same as with one
 * result per attempt (test/core/health/repeat-equivalence.test.ts); only `seq` and timer bookkeeping
 * differ. A job the engine no longer waits for (suspend, stop, reload, remove) is reported to
 * `onDrop`, so the driver can end its chain.
 */
import type { HealthTicker, ProbeJob, ProbeRequest, ProbeResult, Random } from '../ports/index.ts';
import {
  type RealServerEffect,
  type RealServerEvent,
  type RealServerHealth,
  initialRealServer,
  reloadRealServer,
  stepRealServer,
} from './real-server.ts';
import { compareCheckers } from './migrate.ts';
import { type CheckerSpec, probeRequest, verdictStyle } from './spec.ts';
import type { CheckerSlot } from './real-server.ts';
import { SmallMap } from './small-map.ts';
import { TimerHeap } from './timer-heap.ts';

/** A verdict-level change of one real server, for core/lb rules, notifies and status. */
export type HealthChange =
  | { rs: string; kind: 'alive'; alive: boolean }
  | { rs: string; kind: 'weight'; setWeight: number | null; addWeight: number }
  | { rs: string; kind: 'checker-verdict'; checker: string; up: boolean; changed: boolean; detail: string };

/** Probe requests are plain data fixed by the spec: build each (spec, step) once. */
const requests = new WeakMap<CheckerSpec, ProbeRequest[]>();
function cachedRequest(spec: CheckerSpec, step: number): ProbeRequest {
  let list = requests.get(spec);
  if (list === undefined) {
    list = [];
    requests.set(spec, list);
  }
  return (list[step] ??= probeRequest(spec, step));
}

/** One per real server: small maps (most servers have one checker), see small-map.ts. */
interface Entry {
  id: string;
  state: RealServerHealth;
  /** checker → generation of its armed timer (a timer of another generation is stale). */
  gens: SmallMap<string, number>;
  removed: boolean;
  /** checker → token of its probe in flight. */
  inflight: SmallMap<string, string>;
}

/** A success would change nothing this checker knows (see the module comment): its job may repeat. */
function quietOnSuccess(slot: CheckerSlot): boolean {
  const s = slot.state;
  return s.up && s.hasRun && s.retryIt === 0 && verdictStyle(slot.spec.probe) === 'connect';
}

interface Pending {
  entry: Entry;
  checker: string;
  seq: number;
  /** The job's repeatMs, when it may repeat. */
  repeatMs: number | undefined;
}

export interface HealthEngineOptions {
  /** Source of the warmup and resume randomness (keepalived: rand() × warmup). */
  random: Random;
  onChange?: (change: HealthChange) => void;
  /** A probe job handed out earlier is no longer awaited (its result would be ignored): stop it. */
  onDrop?: (token: string) => void;
}

export class HealthEngine implements HealthTicker {
  readonly #servers = new Map<string, Entry>();
  readonly #timers = new TimerHeap<{ entry: Entry; checker: string; gen: number }>();
  readonly #pending = new Map<string, Pending>();
  readonly #random: Random;
  readonly #onChange: (change: HealthChange) => void;
  readonly #onDrop: ((token: string) => void) | undefined;
  #token = 0;
  #started = false;

  constructor(options: HealthEngineOptions) {
    this.#random = options.random;
    this.#onChange = options.onChange ?? (() => {});
    this.#onDrop = options.onDrop;
  }

  /**
   * Add a real server, or reload its checkers (unchanged checkers keep their state). A server added
   * after {@link start} starts at once (1 s + warmup), as a new real server does on a keepalived reload.
   * Throws RangeError (changing nothing) when `checkerSpecErrors` finds problems.
   */
  upsert(rs: string, specs: readonly CheckerSpec[], nowMs: number): ProbeJob[] {
    const existing = this.#servers.get(rs);
    if (existing === undefined) {
      const entry: Entry = {
        id: rs,
        state: initialRealServer(specs),
        gens: new SmallMap(),
        removed: false,
        inflight: new SmallMap(),
      };
      this.#servers.set(rs, entry);
      if (!this.#started) return [];
      const fractions = specs.map(() => this.#random.float());
      return this.#step(entry, { kind: 'start', fractions }, nowMs);
    }
    const fractions = specs.map(() => this.#random.float());
    const before = existing.state.checkers;
    const r = reloadRealServer(existing.state, specs, nowMs, fractions);
    this.#rekey(existing, before, specs);
    const jobs = this.#commit(existing, r.state, r.effects);
    this.#dropStale(existing);
    jobs.push(...this.#restartRepeats(existing, nowMs));
    return jobs;
  }

  /**
   * A reload may rename a kept checker (its id follows its place in the config): its probe in flight,
   * repeating or not, then answers to the new id. Matches as reloadRealServer does (compareCheckers, in
   * order, each old checker once). Without this the result found no checker and the checker stayed
   * `running`, never checked again: rare with one-shot probes, likely with repeating ones.
   */
  #rekey(entry: Entry, before: readonly CheckerSlot[], specs: readonly CheckerSpec[]): void {
    if (entry.inflight.size === 0) return;
    const used = new Set<number>();
    const moved = new Map<string, string>();
    for (const spec of specs) {
      const j = before.findIndex((old, k) => !used.has(k) && compareCheckers(old.spec, spec));
      const old = before[j];
      if (old === undefined) continue;
      used.add(j);
      const token = old.spec.id === spec.id ? undefined : entry.inflight.get(old.spec.id);
      if (token === undefined) continue;
      entry.inflight.delete(old.spec.id);
      moved.set(spec.id, token);
      const p = this.#pending.get(token);
      if (p !== undefined) p.checker = spec.id;
    }
    for (const [id, token] of moved) entry.inflight.set(id, token);
  }

  /**
   * A kept checker whose delay_loop changed while its job repeats: the repeat runs at the old interval,
   * so it ends here and the checker takes a success now (nothing else: it is up, has run and counts no
   * retry, so a success changes nothing but the timer), then runs at the new delay_loop from a random
   * point of it (as keepalived's reload restarts checkers after a random warmup): restarted together,
   * 10,000 checks would otherwise all connect at the same instant of every loop
   * (test/core/health/repeat-equivalence.test.ts, "a reload that changes delay_loop").
   */
  #restartRepeats(entry: Entry, nowMs: number): ProbeJob[] {
    const jobs: ProbeJob[] = [];
    for (const [checker, token] of entry.inflight) {
      const p = this.#pending.get(token);
      const slot = entry.state.checkers.find((c) => c.spec.id === checker);
      if (p?.repeatMs === undefined || slot === undefined) continue;
      if (slot.spec.timing.delayLoopMs === p.repeatMs || !quietOnSuccess(slot)) continue;
      entry.inflight.delete(checker);
      this.#drop(token);
      const result = { ok: true, detail: 'delay_loop changed by a reload', durationMs: 0 };
      jobs.push(...this.#step(entry, { kind: 'result', checker, seq: p.seq, result }, nowMs));
      const fraction = this.#random.float();
      jobs.push(...this.#step(entry, { kind: 'rephase', checker, fraction }, nowMs));
    }
    return jobs;
  }

  /** Forget a real server; its timers and probes in flight are dropped. */
  remove(rs: string): void {
    const entry = this.#servers.get(rs);
    if (entry === undefined) return;
    entry.removed = true;
    this.#servers.delete(rs);
    for (const token of entry.inflight.values()) this.#drop(token);
    entry.inflight.clear();
  }

  /** Start every real server not yet running (keepalived start-up: 1 s + random warmup). */
  start(nowMs: number): ProbeJob[] {
    this.#started = true;
    const jobs: ProbeJob[] = [];
    for (const entry of this.#servers.values()) {
      if (entry.state.running) continue;
      const fractions = entry.state.checkers.map(() => this.#random.float());
      jobs.push(...this.#step(entry, { kind: 'start', fractions }, nowMs));
    }
    return jobs;
  }

  /** ha_suspend: stop checking these servers while the virtual address is not on this director. */
  suspend(rs: readonly string[], nowMs: number): void {
    for (const id of rs) {
      const entry = this.#servers.get(id);
      if (entry) this.#step(entry, { kind: 'suspend' }, nowMs);
    }
  }

  resume(rs: readonly string[], nowMs: number): ProbeJob[] {
    const jobs: ProbeJob[] = [];
    for (const id of rs) {
      const entry = this.#servers.get(id);
      if (!entry) continue;
      const fractions = entry.state.checkers.map(() => this.#random.float());
      jobs.push(...this.#step(entry, { kind: 'resume', fractions }, nowMs));
    }
    return jobs;
  }

  stop(nowMs: number): void {
    this.#started = false;
    for (const entry of this.#servers.values()) this.#step(entry, { kind: 'stop' }, nowMs);
  }

  view(rs: string): RealServerHealth | undefined {
    return this.#servers.get(rs)?.state;
  }

  get size(): number {
    return this.#servers.size;
  }

  nextDueMs(): number | null {
    for (;;) {
      const top = this.#timers.peek();
      if (top === undefined) return null;
      if (this.#live(top.value)) return top.atMs;
      this.#timers.pop();
    }
  }

  takeDue(nowMs: number): ProbeJob[] {
    const jobs: ProbeJob[] = [];
    for (;;) {
      const top = this.#timers.peek();
      if (top === undefined || top.atMs > nowMs) break;
      this.#timers.pop();
      const t = top.value;
      if (!this.#live(t)) continue;
      t.entry.gens.set(t.checker, t.gen + 1);
      jobs.push(...this.#step(t.entry, { kind: 'timer', checker: t.checker }, nowMs));
    }
    return jobs;
  }

  onResult(job: ProbeJob, result: ProbeResult, nowMs: number): ProbeJob[] {
    const p = this.#pending.get(job.token);
    if (p === undefined) return [];
    this.#pending.delete(job.token);
    if (p.entry.inflight.get(p.checker) === job.token) p.entry.inflight.delete(p.checker);
    if (p.entry.removed) return [];
    return this.#step(p.entry, { kind: 'result', checker: p.checker, seq: p.seq, result }, nowMs);
  }

  #live(t: { entry: Entry; checker: string; gen: number }): boolean {
    return !t.entry.removed && t.entry.gens.get(t.checker) === t.gen;
  }

  #step(entry: Entry, event: RealServerEvent, nowMs: number): ProbeJob[] {
    const r = stepRealServer(entry.state, event, nowMs);
    const jobs = this.#commit(entry, r.state, r.effects);
    // Timers and results leave other checkers' probes alone; suspend, stop and the rest may end them.
    if (event.kind !== 'timer' && event.kind !== 'result') this.#dropStale(entry);
    return jobs;
  }

  #drop(token: string): void {
    this.#pending.delete(token);
    this.#onDrop?.(token);
  }

  /** Probes in flight whose checker no longer waits for that attempt (not running it, or gone). */
  #dropStale(entry: Entry): void {
    if (entry.inflight.size === 0) return;
    for (const [checker, token] of entry.inflight) {
      const slot = entry.state.checkers.find((c) => c.spec.id === checker);
      const p = this.#pending.get(token);
      if (slot?.state.phase === 'running' && p !== undefined && slot.state.seq === p.seq) continue;
      entry.inflight.delete(checker);
      this.#drop(token);
    }
  }

  #commit(entry: Entry, state: RealServerHealth, effects: readonly RealServerEffect[]): ProbeJob[] {
    entry.state = state;
    const jobs: ProbeJob[] = [];
    for (const e of effects) {
      switch (e.kind) {
        case 'arm-timer': {
          const gen = (entry.gens.get(e.checker) ?? 0) + 1;
          entry.gens.set(e.checker, gen);
          this.#timers.push(e.atMs, { entry, checker: e.checker, gen });
          break;
        }
        case 'cancel-timer':
          entry.gens.set(e.checker, (entry.gens.get(e.checker) ?? 0) + 1);
          break;
        case 'run-probe': {
          const slot = state.checkers.find((c) => c.spec.id === e.checker);
          if (slot === undefined) break;
          const token = String(++this.#token);
          const repeatMs = quietOnSuccess(slot) ? slot.spec.timing.delayLoopMs : undefined;
          this.#pending.set(token, { entry, checker: e.checker, seq: e.seq, repeatMs });
          entry.inflight.set(e.checker, token);
          const request = cachedRequest(slot.spec, e.step);
          jobs.push(repeatMs === undefined ? { token, request } : { token, request, repeatMs });
          break;
        }
        case 'checker-verdict':
          this.#onChange({
            rs: entry.id,
            kind: 'checker-verdict',
            checker: e.checker,
            up: e.up,
            changed: e.changed,
            detail: e.detail,
          });
          break;
        case 'alive':
          this.#onChange({ rs: entry.id, kind: 'alive', alive: e.alive });
          break;
        case 'weight':
          this.#onChange({ rs: entry.id, kind: 'weight', setWeight: e.setWeight, addWeight: e.addWeight });
          break;
      }
    }
    return jobs;
  }
}
