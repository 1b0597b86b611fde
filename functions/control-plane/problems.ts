import type { ControlPlaneConfig } from '../../core/config/control-plane.ts';
import { checkProviders, slowestWriteMs } from '../shared/provider-schemas.ts';

/**
 * Checks what the core schema cannot: every provider's own settings, member blocks and resource specs,
 * and that the group lock outlives one write of the slowest provider a group uses (with heartbeats the
 * lock only expires when the store is unreachable; a write started just before must end before then).
 */
export function controlPlaneProblems(config: ControlPlaneConfig): string[] {
  const problems = checkProviders(
    config.providers,
    config.groups.map((group, i) => ({ group, at: ['groups', i] })),
  ).map((p) => `controlPlane.${p.path.join('.')}: ${p.message}`);
  for (const g of config.groups) {
    const need = slowestWriteMs(config.providers, g);
    if (config.worker.lockTtlMs < need)
      problems.push(
        `controlPlane.worker.lockTtlMs: ${config.worker.lockTtlMs} ms is shorter than one write of group '${g.id}' may take (${need} ms); a lock that expires during a write could let two decisions overlap: set at least ${need}`,
      );
  }
  return problems;
}
