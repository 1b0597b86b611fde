import type { GroupConfig, MemberConfig } from '../config/control-plane.ts';
import type { MemberHealth } from '../ports/index.ts';

/**
 * Picks the member a failover moves to: the named one when given, else the highest-priority member that
 * is not reported down (ties broken by id, so every worker picks the same one). Prefers keeping the
 * current holder when it is healthy and no member was named: a failover never moves away from health.
 */
export function chooseTarget(
  group: GroupConfig,
  input: {
    to?: string;
    down: readonly string[];
    health: Readonly<Record<string, MemberHealth>>;
    holder: string | null;
  },
): { member: MemberConfig } | { error: string } {
  if (input.to !== undefined) {
    const named = group.members.find((m) => m.id === input.to);
    return named ? { member: named } : { error: `group '${group.id}' has no member '${input.to}'` };
  }
  const isDown = (id: string): boolean => input.down.includes(id) || input.health[id] === 'down';
  if (input.holder !== null && !isDown(input.holder)) {
    const current = group.members.find((m) => m.id === input.holder);
    if (current) return { member: current };
  }
  const candidates = group.members
    .filter((m) => !isDown(m.id))
    .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const best = candidates[0];
  return best ? { member: best } : { error: `group '${group.id}' has no healthy member to fail over to` };
}
