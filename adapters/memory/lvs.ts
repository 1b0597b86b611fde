/**
 * In-memory ports for the LVS use case (core/app/lvs-service.ts): a health driver on a TimerService (with
 * ManualTimers, checks run when a test moves the clock), the director's addresses as a set a test edits
 * (ha_suspend), and a script queue that records what would have run.
 */
import type {
  AddressPresence,
  HealthDriver,
  HealthDriverFactory,
  ProbeJob,
  ScriptQueue,
  TimerService,
} from '../../core/ports/index.ts';
import type { RunAs } from '../../core/model/index.ts';

/** A HealthDriverFactory that waits on `timers` (one timer, `health`) and runs every due job at once. */
export function timerHealthDriver(timers: TimerService): HealthDriverFactory {
  return (ticker, probe, hooks) => {
    let stopped = false;
    let completed = 0;
    let armedAt = Infinity;
    const launch = (job: ProbeJob): void => {
      probe.run(job.request).then(
        (result) => {
          if (stopped) return;
          completed += 1;
          for (const more of ticker.onResult(job, result, hooks.now())) launch(more);
          arm();
        },
        (err: unknown) => hooks.onError?.(err),
      );
    };
    const fire = (): void => {
      const dueAt = armedAt;
      armedAt = Infinity;
      if (stopped) return;
      const t = hooks.now();
      hooks.onLag?.(Math.max(0, t - dueAt));
      for (const job of ticker.takeDue(t)) launch(job);
      arm();
    };
    const arm = (): void => {
      if (stopped) return;
      const due = ticker.nextDueMs();
      if (due === null || due >= armedAt) return;
      armedAt = due;
      timers.arm('health', due, fire);
    };
    const driver: HealthDriver = {
      kick: arm,
      submit(jobs) {
        if (!stopped) for (const job of jobs) launch(job);
      },
      // Every job here reports each result (no repeating attempts): nothing to end.
      cancel: () => undefined,
      stop() {
        stopped = true;
        timers.cancel('health');
      },
      get completed() {
        return completed;
      },
    };
    return driver;
  };
}

/** The director's addresses as a set: `add` / `remove` tell the watchers, as RTM_NEWADDR / RTM_DELADDR do. */
export class MemoryAddresses implements AddressPresence {
  readonly #held = new Set<string>();
  readonly #listeners = new Set<(address: string, present: boolean) => void>();
  constructor(initial: Iterable<string> = []) {
    for (const a of initial) this.#held.add(a);
  }
  has(address: string): boolean {
    return this.#held.has(address);
  }
  watch(onChange: (address: string, present: boolean) => void): () => void {
    this.#listeners.add(onChange);
    return () => this.#listeners.delete(onChange);
  }
  add(address: string): void {
    if (this.#held.has(address)) return;
    this.#held.add(address);
    for (const l of this.#listeners) l(address, true);
  }
  remove(address: string): void {
    if (!this.#held.delete(address)) return;
    for (const l of this.#listeners) l(address, false);
  }
}

/** A ScriptQueue that runs nothing and keeps every request, in order. */
export class RecordingScripts implements ScriptQueue {
  readonly runs: Array<{ argv: readonly string[]; why: string; who: RunAs | undefined }> = [];
  run(argv: readonly string[], why: string, who: RunAs | undefined): void {
    this.runs.push({ argv, why, who });
  }
  async idle(): Promise<void> {}
}
