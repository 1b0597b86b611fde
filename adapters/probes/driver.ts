// Drives a HealthTicker (the pure health engine) with real time: one timer for the earliest due check,
// probes through the Probe port, results fed back as they come. Never blocks the event loop: due
// checks are taken in slices and the loop yields between slices. A job with `repeatMs` goes to the
// probe's `repeat` where it has one (TCP_CHECK in C): it stays in flight, reporting only a failure,
// until it fails or the engine drops it (`cancel`).
import type { HealthDriver, HealthTicker, Probe, ProbeJob, ProbeResult } from '../../core/ports/index.ts';

export type { HealthDriver } from '../../core/ports/index.ts';

export interface DriverOptions {
  /** Monotonic ms; the same clock the engine was started with. Default performance.now. */
  now?: () => number;
  /** Most jobs started per turn of the event loop before yielding to I/O. Default 64. */
  slice?: number;
  onError?: (err: unknown) => void;
  /**
   * Called each time the check timer fires, with how late it fired (ms past the earliest due check):
   * the checker's lag, which grows when the process is starved of CPU.
   */
  onLag?: (lateMs: number) => void;
}

export function driveHealth(ticker: HealthTicker, probe: Probe, options: DriverOptions = {}): HealthDriver {
  const now = options.now ?? (() => performance.now());
  const slice = options.slice ?? 64;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  let stopped = false;
  let completed = 0;
  /** Cancels of repeating attempts in flight, by job token. */
  const repeating = new Map<string, () => void>();
  // Repeating attempts start in the probe, not on this driver's timer: their lag is polled once a second
  // while there are any (the agent's "checks running late" warning and metric).
  let lagPoll: NodeJS.Timeout | null = null;
  const pollLag = (): void => {
    if (repeating.size === 0 && lagPoll) {
      clearInterval(lagPoll);
      lagPoll = null;
      return;
    }
    options.onLag?.(probe.repeatLag?.() ?? 0);
  };

  const finished = (job: ProbeJob, result: ProbeResult): void => {
    if (stopped) return;
    completed += 1;
    if (job.repeatMs !== undefined) repeating.delete(job.token);
    const more = ticker.onResult(job, result, now());
    for (const j of more) launch(j);
    arm();
  };
  // The callback form where the probe has one (no promise per attempt at thousands of checks a second).
  const launch = (job: ProbeJob): void => {
    if (job.repeatMs !== undefined && probe.repeat) {
      const cancel = probe.repeat(job.request, job.repeatMs, (result) => {
        try {
          finished(job, result);
        } catch (err) {
          options.onError?.(err);
        }
      });
      if (cancel !== null) {
        repeating.set(job.token, cancel);
        if (lagPoll === null && options.onLag && probe.repeatLag) {
          lagPoll = setInterval(pollLag, 1000);
          lagPoll.unref();
        }
        return;
      }
    }
    if (probe.start) {
      probe.start(job.request, (result) => {
        try {
          finished(job, result);
        } catch (err) {
          options.onError?.(err);
        }
      });
      return;
    }
    probe.run(job.request).then(
      (result) => finished(job, result),
      (err: unknown) => options.onError?.(err),
    );
  };

  const fire = (): void => {
    const dueAt = timerAt;
    timer = null;
    timerAt = Infinity;
    if (stopped) return;
    const t = now();
    options.onLag?.(Math.max(0, t - dueAt));
    const jobs = ticker.takeDue(t);
    const first = jobs.length > slice ? jobs.slice(0, slice) : jobs;
    for (const j of first) launch(j);
    if (jobs.length > slice) {
      const rest = jobs.slice(slice);
      setImmediate(() => driver.submit(rest));
    }
    arm();
  };

  const arm = (): void => {
    if (stopped) return;
    const due = ticker.nextDueMs();
    if (due === null || due >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = due;
    timer = setTimeout(fire, Math.max(0, Math.ceil(due - now())));
  };

  const driver: HealthDriver = {
    kick: arm,
    submit(jobs) {
      if (stopped) return;
      const first = jobs.slice(0, slice);
      for (const j of first) launch(j);
      if (jobs.length > slice) setImmediate(() => driver.submit(jobs.slice(slice)));
    },
    cancel(token) {
      const cancel = repeating.get(token);
      if (cancel === undefined) return;
      repeating.delete(token);
      cancel();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const cancel of repeating.values()) cancel();
      repeating.clear();
      if (lagPoll) clearInterval(lagPoll);
      lagPoll = null;
    },
    get completed() {
      return completed;
    },
  };
  return driver;
}
