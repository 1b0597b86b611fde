/** One instance's state as plain, immutable data. */
import { zeroStats, type VrrpStats } from '../codec/reject-reason.ts';
import type { TimerKind, GarpReason } from './effects.ts';
import { evaluatePriority, initialTrackerStatus, type TrackerStatus } from './priority.ts';
import type { VrrpInstanceSpec } from './spec.ts';

/** auth_type AH: keepalived's sequence counter (ah-sequence.ts). */
export interface AhCounter {
  readonly seq: number;
  readonly cycled: boolean;
}

/** Another address owner heard while we are master at 255 (duplicate-owner.ts). */
export interface RogueOwner {
  /** Our adverts still to send before the window opens (keepalived rogue_counter). */
  readonly counter: number;
  /** The rogue's advert interval, from its last advert. */
  readonly adverIntMs: number;
  /** While now < this, another rogue advert means the rogue does not back off. */
  readonly windowUntilMs?: number;
}

export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

export interface InstanceState {
  readonly spec: VrrpInstanceSpec;
  readonly state: VrrpStateName;
  readonly trackers: Readonly<Record<string, TrackerStatus>>;
  readonly effectivePriority: number;
  /** Trackers forcing FAULT (own faults). */
  readonly faults: readonly string[];
  /** FAULT imposed by a sync-group member. */
  readonly syncFault: boolean;
  readonly inSyncGroup: boolean;
  /** Sync-group member whose master-down expired, waiting for the others (keepalived wantstate MASTER). */
  readonly wantMaster: boolean;
  /** Master_Adver_Interval: ours while master; learned from the master's adverts in v3 (rfc5798 §6.1). */
  readonly masterAdverIntervalMs: number;
  /** The current master as last heard (or ourselves). */
  readonly master?: { readonly address: string; readonly priority: number; readonly lastAdvertMs: number };
  /** Armed timers and when they are due. */
  readonly timers: Readonly<Partial<Record<TimerKind, number>>>;
  /** What the armed garp-delayed timer will send. */
  readonly pendingGarp?: { readonly repeat: number; readonly reason: GarpReason };
  /** preempt_delay: lower-priority masters are accepted until this time. */
  readonly preemptAtMs?: number;
  /** Last time a competing master was heard while we were master (conflict episodes). */
  readonly lastConflictMs?: number;
  /** Report keys already emitted per sender, so each finding is reported once. */
  readonly reported: Readonly<Record<string, true>>;
  readonly stats: VrrpStats;
  readonly notifySeq: number;
  /** When the current state was entered. */
  readonly sinceMs?: number;
  /** An owner (255) at 254 because another owner would not back off (duplicate-owner.ts). */
  readonly ownerReduced?: boolean;
  /** Another owner heard while we are master at 255 (duplicate-owner.ts). */
  readonly rogue?: RogueOwner;
  /** When we last sent an advert (timer_expired_backup measures from it). */
  readonly lastAdvertSentMs?: number;
  /** auth_type AH: the one sequence counter keepalived keeps per instance for sending and receiving. */
  readonly ahCounter?: AhCounter;
}

/** A fresh instance in INIT with its trackers at their initial status. */
export function initialInstanceState(spec: VrrpInstanceSpec, inSyncGroup = false): InstanceState {
  const trackers: Record<string, TrackerStatus> = {};
  for (const t of spec.trackers) trackers[t.id] = initialTrackerStatus(t);
  const verdict = evaluatePriority(spec.priority, spec.trackers, trackers);
  return {
    spec,
    state: 'INIT',
    trackers,
    effectivePriority: verdict.effective,
    faults: verdict.faults,
    syncFault: false,
    inSyncGroup,
    wantMaster: false,
    masterAdverIntervalMs: spec.advertIntervalMs,
    timers: {},
    reported: {},
    stats: zeroStats(),
    notifySeq: 0,
  };
}
