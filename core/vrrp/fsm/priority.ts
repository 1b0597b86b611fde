/**
 * Effective priority and FAULT from tracked objects (keepalived vrrp_track.c vrrp_set_effective_priority):
 * effective = clamp(base + sum of applicable weights, 1, 254); an owner (255) never changes; an unweighted
 * tracker that is down (or, for scripts, not yet run) puts the instance in FAULT.
 */
import type { TrackerSpec } from './spec.ts';

/** What the shell reports for a tracked object. */
export type TrackerStatus =
  | { readonly kind: 'state'; readonly state: 'init' | 'up' | 'down' }
  | { readonly kind: 'value'; readonly value: number };

export interface PriorityVerdict {
  readonly effective: number;
  /** Ids of the trackers that force FAULT; empty = no fault. */
  readonly faults: readonly string[];
}

/** Status a tracker has before the shell reports anything. */
export function initialTrackerStatus(t: TrackerSpec): TrackerStatus {
  if (t.kind === 'file') return { kind: 'value', value: 0 };
  if (t.kind === 'interface') return { kind: 'state', state: 'up' };
  return { kind: 'state', state: t.initFail ? 'down' : 'init' };
}

/** A file contribution below this forces FAULT (keepalived: "A result < -253 -> FAULT"). */
const FILE_FAULT_BELOW = -253;

export function evaluatePriority(
  base: number,
  trackers: readonly TrackerSpec[],
  statuses: Readonly<Record<string, TrackerStatus>>,
): PriorityVerdict {
  let sum = 0;
  const faults: string[] = [];
  for (const t of trackers) {
    const status = statuses[t.id] ?? initialTrackerStatus(t);
    if (status.kind === 'value') {
      if (t.weight === 0) {
        if (status.value !== 0) faults.push(t.id);
        continue;
      }
      const contribution = status.value * t.weight * (t.reverse ? -1 : 1);
      if (contribution < FILE_FAULT_BELOW) faults.push(t.id);
      else sum += contribution;
      continue;
    }
    if (status.state === 'init') {
      // Unweighted: not ready yet keeps the instance out of BACKUP/MASTER; weighted: no change yet.
      if (t.weight === 0) faults.push(t.id);
      continue;
    }
    const up = (status.state === 'up') !== (t.reverse === true);
    if (t.weight === 0) {
      if (!up) faults.push(t.id);
    } else if (t.weight > 0 && up) sum += t.weight;
    else if (t.weight < 0 && !up) sum += t.weight;
  }
  const effective = base === 255 ? 255 : Math.min(254, Math.max(1, base + sum));
  return { effective, faults };
}
