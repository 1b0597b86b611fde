/**
 * The one provider composition: every entry point (the agent's cloud mode, the CLI, the control plane,
 * the lease agent, the cloud functions) builds its VipProviders here, from the configuration checked by
 * provider-schemas.ts. A cloud is one adapter folder plus one line in `modules`.
 */
import { awsModule } from '../../adapters/aws/module.ts';
import { azureModule } from '../../adapters/azure/module.ts';
import { dnsModule } from '../../adapters/dns/module.ts';
import { gcpModule } from '../../adapters/gcp/module.ts';
import { memoryModule } from '../../adapters/memory/module.ts';
import { GcpVipProvider } from '../../adapters/gcp/provider.ts';
import { realSleep, systemClock, systemRandom } from '../../adapters/system/index.ts';
import type { GroupConfig, ProviderConfig } from '../../core/config/failover-group.ts';
import { mergePolicy, type ProviderModule, type ProviderRuntime } from '../../core/failover/index.ts';
import type { PolicyOverrides } from '../../core/config/failover-group.ts';
import type { Holder, VipProvider } from '../../core/ports/index.ts';
import { withMemory } from './provider-schemas.ts';

const modules: Readonly<Record<string, ProviderModule>> = {
  aws: awsModule,
  azure: azureModule,
  gcp: gcpModule,
  dns: dnsModule,
  memory: memoryModule,
};

export type BuildRuntime = Partial<Omit<ProviderRuntime, 'name' | 'policy'>> & { policy?: PolicyOverrides };

/** Every member of the given groups that has settings for `provider` (memory: every member). */
function membersOf(name: string, type: string, groups: readonly GroupConfig[]): Holder[] {
  const out = new Map<string, Holder>();
  for (const g of groups)
    for (const m of g.members) {
      const spec = m.settings[name];
      if (spec !== undefined) out.set(m.id, { id: m.id, spec });
      else if (type === 'memory') out.set(m.id, { id: m.id, spec: {} });
    }
  return [...out.values()];
}

/**
 * Builds the providers the groups' resources name (and only those), or says precisely why one cannot be
 * built (`providers.<name>: ...`, e.g. a missing credential variable). Validate with checkProviders first.
 */
export function buildProviders(
  providers: Record<string, ProviderConfig>,
  groups: readonly GroupConfig[],
  o: BuildRuntime = {},
): { ok: true; value: Map<string, VipProvider> } | { ok: false; errors: string[] } {
  const all = withMemory(providers);
  const used = new Set(groups.flatMap((g) => g.resources.map((r) => r.provider)));
  const errors: string[] = [];
  const out = new Map<string, VipProvider>();
  for (const name of used) {
    const p = all[name];
    const module = p ? modules[p.type] : undefined;
    if (!p || !module) {
      errors.push(`providers.${name}: not configured`);
      continue;
    }
    const rt: ProviderRuntime = {
      name,
      policy: mergePolicy(o.policy),
      clock: o.clock ?? systemClock,
      random: o.random ?? systemRandom,
      sleep: o.sleep ?? realSleep,
      env: o.env ?? process.env,
      ...(o.overrides ? { overrides: o.overrides } : {}),
    };
    try {
      out.set(name, module.make(p.settings, membersOf(name, p.type, groups), rt));
    } catch (err) {
      errors.push(`providers.${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

/** Closes what holds sockets (the GCP clients). */
export async function closeProviders(providers: Iterable<VipProvider>): Promise<void> {
  for (const p of providers) if (p instanceof GcpVipProvider) await p.close();
}

/** The label a provider error code gets in metrics: itself when the provider lists it, else `other`. */
export function codeLabel(type: string | undefined, code: string): string {
  return type !== undefined && modules[type]?.knownCodes.has(code) ? code : 'other';
}
