/**
 * The health engine: many real servers, each a pure {@link stepRealServer} state, plus the timers they
 * armed (as data, in a heap). It does no I/O and reads no clock: a driver asks {@link nextDueMs},
 * calls {@link takeDue} at that time, runs the returned probes through the Probe port and hands each
 * result to {@link onResult}. Verdicts come out through `onChange`.
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
import { type CheckerSpec, probeRequest } from './spec.ts';
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

interface Entry {
  id: string;
  state: RealServerHealth;
  gens: Map<string, number>;
  removed: boolean;
}

interface Pending {
  entry: Entry;
  checker: string;
  seq: number;
}

export interface HealthEngineOptions {
  /** Source of the warmup and resume randomness (keepalived: rand() × warmup). */
  random: Random;
  onChange?: (change: HealthChange) => void;
}

export class HealthEngine implements HealthTicker {
  readonly #servers = new Map<string, Entry>();
  readonly #timers = new TimerHeap<{ entry: Entry; checker: string; gen: number }>();
  readonly #pending = new Map<string, Pending>();
  readonly #random: Random;
  readonly #onChange: (change: HealthChange) => void;
  #token = 0;
  #started = false;

  constructor(options: HealthEngineOptions) {
    this.#random = options.random;
    this.#onChange = options.onChange ?? (() => {});
  }

  /**
   * Add a real server, or reload its checkers (unchanged checkers keep their state). A server added
   * after {@link start} starts at once (1 s + warmup), as a new real server does on a keepalived reload.
   * Throws RangeError (changing nothing) when `checkerSpecErrors` finds problems.
   */
  upsert(rs: string, specs: readonly CheckerSpec[], nowMs: number): ProbeJob[] {
    const existing = this.#servers.get(rs);
    if (existing === undefined) {
      const entry: Entry = { id: rs, state: initialRealServer(specs), gens: new Map(), removed: false };
      this.#servers.set(rs, entry);
      if (!this.#started) return [];
      const fractions = specs.map(() => this.#random.float());
      return this.#step(entry, { kind: 'start', fractions }, nowMs);
    }
    const fractions = specs.map(() => this.#random.float());
    const r = reloadRealServer(existing.state, specs, nowMs, fractions);
    return this.#commit(existing, r.state, r.effects);
  }

  /** Forget a real server; its timers and probes in flight are dropped. */
  remove(rs: string): void {
    const entry = this.#servers.get(rs);
    if (entry === undefined) return;
    entry.removed = true;
    this.#servers.delete(rs);
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
    if (p.entry.removed) return [];
    return this.#step(p.entry, { kind: 'result', checker: p.checker, seq: p.seq, result }, nowMs);
  }

  #live(t: { entry: Entry; checker: string; gen: number }): boolean {
    return !t.entry.removed && t.entry.gens.get(t.checker) === t.gen;
  }

  #step(entry: Entry, event: RealServerEvent, nowMs: number): ProbeJob[] {
    const r = stepRealServer(entry.state, event, nowMs);
    return this.#commit(entry, r.state, r.effects);
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
          this.#pending.set(token, { entry, checker: e.checker, seq: e.seq });
          jobs.push({ token, request: cachedRequest(slot.spec, e.step) });
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
