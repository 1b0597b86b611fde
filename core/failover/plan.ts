/*
 * The failover planner: pure. Given what the provider shows now (one Observation per resource), the member
 * that should hold everything, the epoch of this decision and which other members are fenced, it returns
 * ordered, idempotent actions. Executing the same plan twice changes nothing the second time, because
 * every action is "make X hold R" and the provider re-reads before writing.
 *
 *   observation.holder        action
 *   ──────────────────        ──────────────────────────────────────────
 *   desired                   keep     (read back only; nothing to write)
 *   desired, but mixed        acquire  takeover=true  (repair the parts that point elsewhere)
 *   null (nobody)             acquire  takeover=false (a racing claimer loses with conflict)
 *   fenced member             acquire  takeover=true  (AllowReassociation / steal)
 *   live member, not fenced   blocked  (report; the election must fence it first)
 *   unknown (not a member)    blocked  unless `takeUnknown` (also `state: foreign`, holder null)
 *
 * A plan whose epoch is older than the newest epoch already applied is stale: no actions at all.
 */
import type { Epoch } from '../model/index.ts';
import { isNewerEpoch } from '../model/index.ts';
import type { Observation } from '../ports/index.ts';

export interface PlanInput {
  /** Observations of every resource of the group, read just before planning. */
  observed: readonly Observation[];
  /** The member that should hold every resource. */
  desired: string;
  epoch: Epoch;
  /** Members known not to hold any more (lost the election, epoch older than ours, declared dead). */
  fenced: readonly string[];
  /** All configured members; a holder outside this list is "unknown". */
  members: readonly string[];
  /** Newest epoch already applied to this group, if known; a plan with an older epoch is stale. */
  appliedEpoch?: Epoch;
  /** Also take resources that a non-member holds (operator `--force`). */
  takeUnknown?: boolean;
}

export type FailoverAction =
  | {
      kind: 'acquire';
      resource: string;
      holder: string;
      from: string | null;
      takeover: boolean;
      epoch: Epoch;
    }
  | { kind: 'keep'; resource: string; holder: string; epoch: Epoch }
  | { kind: 'release'; resource: string; holder: string; epoch: Epoch }
  | { kind: 'blocked'; resource: string; holder: string; reason: string };

export interface FailoverPlan {
  epoch: Epoch;
  desired: string;
  stale: boolean;
  actions: FailoverAction[];
}

const order: Record<FailoverAction['kind'], number> = { acquire: 0, release: 0, keep: 1, blocked: 2 };

export function planFailover(input: PlanInput): FailoverPlan {
  const { desired, epoch } = input;
  if (input.appliedEpoch !== undefined && isNewerEpoch(input.appliedEpoch, epoch))
    return { epoch, desired, stale: true, actions: [] };
  const fenced = new Set(input.fenced);
  const members = new Set(input.members);
  const actions = input.observed.map((o): FailoverAction => {
    const resource = o.resource;
    if (o.holder === desired && o.state !== 'mixed')
      return { kind: 'keep', resource, holder: desired, epoch };
    if (o.holder === desired)
      return { kind: 'acquire', resource, holder: desired, from: desired, takeover: true, epoch };
    if (o.state === 'foreign')
      return input.takeUnknown
        ? { kind: 'acquire', resource, holder: desired, from: null, takeover: true, epoch }
        : {
            kind: 'blocked',
            resource,
            holder: 'unknown',
            reason: `held by ${o.foreignHolder ?? 'something'}, which is not a member`,
          };
    if (o.holder === null)
      return { kind: 'acquire', resource, holder: desired, from: null, takeover: false, epoch };
    if (!members.has(o.holder) && !input.takeUnknown)
      return {
        kind: 'blocked',
        resource,
        holder: o.holder,
        reason: `held by ${o.holder}, which is not a member`,
      };
    if (members.has(o.holder) && !fenced.has(o.holder))
      return {
        kind: 'blocked',
        resource,
        holder: o.holder,
        reason: `held by live member ${o.holder}, not fenced`,
      };
    return { kind: 'acquire', resource, holder: desired, from: o.holder, takeover: true, epoch };
  });
  // Stable order: writes first (they take longest), then read-backs, then what is reported only.
  actions.sort(
    (a, b) =>
      order[a.kind] - order[b.kind] || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0),
  );
  return { epoch, desired, stale: false, actions };
}

/** Release everything `holder` has (graceful stop). Resources held by others are left alone. */
export function planRelease(
  observed: readonly Observation[],
  holder: string,
  epoch: Epoch,
): FailoverAction[] {
  return observed
    .filter((o) => o.holder === holder)
    .map((o) => ({ kind: 'release' as const, resource: o.resource, holder, epoch }))
    .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}
