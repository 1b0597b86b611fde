/*
 * The one read -> write -> verify driver every provider adapter uses, so the safety rules live in one
 * place instead of four:
 *
 *   read ──► holder already right? ──yes──► ok, changed=false (reads only)
 *     │ no
 *     ▼
 *   held by another member and no takeover? ──yes──► conflict (nothing written)
 *     │ no
 *     ▼
 *   dry run? ──yes──► ok, calls = exactly the writes, state untouched
 *     │ no
 *     ▼
 *   fence still ours? ──no──► stop (nothing more written)           (checked before every stage)
 *     │ yes
 *   writes, stage by stage (parallel within a stage) ──conflict──► re-read and re-plan (bounded;
 *                                                                   stop if it changed hands meanwhile)
 *     │ ok
 *     ▼
 *   read back with backoff until no write is needed ──► ok, changed=true (or retry: not visible yet)
 *
 * Adapters describe a kind with a `KindDriver`: how to read it, who holds it, and which writes (as exact
 * API calls) would make a holder hold it or give it up. "Satisfied" is defined as "no writes needed".
 */
import type { Outcome } from '../model/index.ts';
import type { ApiCall, ChangeReport, MoveOptions, Observation, Random } from '../ports/index.ts';
import type { BackoffPolicy } from './policy.ts';
import { withRetries, type Sleep } from './retry.ts';

/** One API call to make: what it is (for dry runs and audit) and how to make it. */
export interface Write {
  call: ApiCall;
  /** Writes with a lower stage complete before a higher stage starts (make-before-break, detach-then-attach). */
  stage?: number;
  run(log: ApiCall[]): Promise<Outcome<unknown>>;
}

export interface KindDriver<S> {
  /** Reads the provider (appending the calls made to `log`). */
  read(log: ApiCall[]): Promise<Outcome<S>>;
  /** Who holds it, as a member id, plus the provider's view for audit. */
  observe(state: S): Observation;
  /** The writes that make the requested member hold it; [] when it already does. */
  acquireWrites(state: S): Outcome<Write[]>;
  /** The writes that make the requested member stop holding it; [] when it does not hold it. */
  releaseWrites(state: S): Outcome<Write[]>;
}

export interface MoveDeps {
  verify: BackoffPolicy;
  random: Random;
  sleep: Sleep;
  /** Re-read-and-re-plan rounds after a write answered conflict (stale ETag, lost race). */
  conflictRounds?: number;
}

async function runWrites(
  writes: Write[],
  log: ApiCall[],
  fence: MoveOptions['fence'],
): Promise<Outcome<unknown> | { kind: 'fenced'; outcome: Outcome<never> }> {
  const stages = [...new Set(writes.map((w) => w.stage ?? 0))].sort((a, b) => a - b);
  for (const stage of stages) {
    // The fence is re-checked before every stage: a decision that lost its lock makes no further write.
    if (fence) {
      const still = await fence();
      if (still.kind !== 'ok') return { kind: 'fenced', outcome: still };
    }
    const results = await Promise.all(writes.filter((w) => (w.stage ?? 0) === stage).map((w) => w.run(log)));
    const bad = results.find((r) => r.kind !== 'ok');
    if (bad) return bad;
  }
  return { kind: 'ok', value: undefined };
}

/** Moves one resource to (`acquire`) or away from (`release`) `holderId`. Never throws. */
export async function moveResource<S>(
  driver: KindDriver<S>,
  mode: 'acquire' | 'release',
  holderId: string,
  options: MoveOptions,
  deps: MoveDeps,
): Promise<Outcome<ChangeReport>> {
  const log: ApiCall[] = [];
  const planWrites = (s: S): Outcome<Write[]> =>
    mode === 'acquire' ? driver.acquireWrites(s) : driver.releaseWrites(s);
  let first: Observation | null = null;
  const rounds = deps.conflictRounds ?? 3;
  for (let round = 0; ; round++) {
    const read = await driver.read(log);
    if (read.kind !== 'ok') return read;
    const seen = driver.observe(read.value);
    first ??= seen;
    const before = first;
    // A write answered conflict and the re-read shows another holder than the one the decision was
    // planned against: someone else took it meanwhile. Hand it back to be re-planned, not overwritten.
    // (Nobody holding it now is no such sign: an earlier stage of this very move may have let it go.)
    const changedHands = seen.state === 'foreign' || (seen.holder !== null && seen.holder !== before.holder);
    if (round > 0 && changedHands && seen.holder !== holderId && before.state !== 'foreign')
      return {
        kind: 'conflict',
        reason: `${seen.resource} changed hands while moving (${before.holder ?? 'nobody'} -> ${seen.holder ?? 'nobody'})`,
      };
    const otherHolds = seen.holder !== null && seen.holder !== holderId;
    if (mode === 'acquire' && otherHolds && !options.takeover)
      return { kind: 'conflict', reason: `${seen.resource} is held by ${seen.holder}; not taking over` };
    const writes = planWrites(read.value);
    if (writes.kind !== 'ok') return writes;
    if (writes.value.length === 0)
      return {
        kind: 'ok',
        value: { resource: seen.resource, changed: false, before, after: seen, calls: log },
      };
    if (options.dryRun) {
      const after = { ...seen, holder: mode === 'acquire' ? holderId : null };
      return {
        kind: 'ok',
        value: {
          resource: seen.resource,
          changed: true,
          before,
          after,
          calls: writes.value.map((w) => w.call),
        },
      };
    }
    const wrote = await runWrites(writes.value, log, options.fence);
    if (wrote.kind === 'fenced') return wrote.outcome;
    if (wrote.kind === 'conflict' && round < rounds) continue;
    if (wrote.kind !== 'ok') return wrote;
    const verified = await withRetries(deps.verify, deps, async (): Promise<Outcome<Observation>> => {
      const again = await driver.read(log);
      if (again.kind !== 'ok') return again;
      const left = planWrites(again.value);
      if (left.kind !== 'ok') return left;
      return left.value.length === 0
        ? { kind: 'ok', value: driver.observe(again.value) }
        : { kind: 'retry', reason: `${seen.resource}: change not visible yet` };
    });
    if (verified.kind !== 'ok') return verified;
    return {
      kind: 'ok',
      value: { resource: seen.resource, changed: true, before, after: verified.value, calls: log },
    };
  }
}
