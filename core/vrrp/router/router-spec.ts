/** A router: every VRRP instance one node runs, and the sync groups that bind some of them together. */
import type { VrrpInstanceSpec } from '../fsm/spec.ts';

export interface SyncGroupSpec {
  readonly name: string;
  readonly members: readonly string[];
}

export interface RouterSpec {
  readonly instances: readonly VrrpInstanceSpec[];
  readonly syncGroups?: readonly SyncGroupSpec[];
}

/** Structural errors of a router spec, each naming the instance or group. */
export function routerSpecErrors(spec: RouterSpec): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  for (const i of spec.instances) {
    if (names.has(i.name)) errors.push(`instance ${i.name}: name used twice`);
    names.add(i.name);
  }
  const seen = new Map<string, string>();
  for (const i of spec.instances) {
    if (i.unicastPeers.length > 0) continue;
    const key = `${i.interface ?? ''}|${i.family}|${i.vrid}`;
    const other = seen.get(key);
    if (other !== undefined)
      errors.push(
        `instance ${i.name}: virtual_router_id ${i.vrid} already used by ${other} on the same interface and family`,
      );
    else seen.set(key, i.name);
  }
  const grouped = new Map<string, string>();
  for (const g of spec.syncGroups ?? []) {
    for (const m of g.members) {
      if (!names.has(m)) errors.push(`vrrp_sync_group ${g.name}: member ${m} is not an instance`);
      const other = grouped.get(m);
      if (other !== undefined)
        errors.push(`vrrp_sync_group ${g.name}: member ${m} is already in group ${other}`);
      grouped.set(m, g.name);
    }
  }
  return errors;
}
