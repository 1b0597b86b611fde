/**
 * What the LVS use case (core/app/lvs-service.ts) needs from the machine besides the data plane and the
 * probes: who drives the health engine in real time, which addresses the director holds (ha_suspend), and
 * who runs keepalived's LVS scripts. The on-prem agent passes adapters (adapters/probes driveHealth, the
 * rtnetlink address watcher, adapters/system's script queue); tests pass in-memory ones
 * (adapters/memory/lvs.ts).
 */
import type { HealthTicker, Probe, ProbeJob } from './probe.ts';
import type { RunAs } from '../model/index.ts';

/** Runs a health engine's due probes on time and feeds results back. */
export interface HealthDriver {
  /** Re-read the ticker's next due time (call after adding servers or starting the engine). */
  kick(): void;
  /** Run these jobs now (as returned by engine.start / upsert / resume). */
  submit(jobs: readonly ProbeJob[]): void;
  /** The engine no longer waits for this job (HealthEngine onDrop): end its repeating attempt, if any. */
  cancel(token: string): void;
  stop(): void;
  readonly completed: number;
}

export interface HealthDriverHooks {
  /** Monotonic ms, the same scale as the engine's. */
  now: () => number;
  onError?: (err: unknown) => void;
  /** Called each time the check timer fires, with how late it fired (ms past the earliest due check). */
  onLag?: (lateMs: number) => void;
}

/** Starts driving `ticker` through `probe`. */
export type HealthDriverFactory = (
  ticker: HealthTicker,
  probe: Probe,
  hooks: HealthDriverHooks,
) => HealthDriver;

/** Which addresses are configured on this director (what ha_suspend needs to know). */
export interface AddressPresence {
  has(address: string): boolean;
  /** Calls `onChange` when an address appears or its last copy goes; returns the unsubscribe. */
  watch(onChange: (address: string, present: boolean) => void): () => void;
}

/**
 * Runs keepalived's LVS scripts (quorum_up/down, notify_up/down) one after another, never blocking the
 * caller; each as `who` (else the agent's user), killed after the runner's timeout.
 */
export interface ScriptQueue {
  /** Queues one run; `why` names it in logs (`quorum_up`, `notify_down`). */
  run(argv: readonly string[], why: string, who: RunAs | undefined): void;
  /** Resolves when every queued script has finished. */
  idle(): Promise<void>;
}
