/**
 * The one provider composition: every entry point (the agent's cloud mode, the CLI, the control plane,
 * the lease agent, the cloud functions) builds its VipProviders here, from the configuration checked by
 * provider-schemas.ts. A cloud is one adapter folder plus one line in `entries`.
 *
 * Providers are built lazily: what the settings point at outside the config (credential variables, CA
 * files) is checked at once, but an adapter and its cloud SDK load on the provider's first call. Loading
 * an SDK costs hundreds of ms of CPU; a webhook function's requests never call a provider, and a cold
 * start must not pay for it (bench:functions).
 */
import { knownAwsCodes } from '../../adapters/aws/errors.ts';
import { knownAzureCodes } from '../../adapters/azure/errors.ts';
import { knownRoute53Codes } from '../../adapters/dns/errors.ts';
import { knownGcpCodes } from '../../adapters/gcp/errors.ts';
import { memoryModule } from '../../adapters/memory/module.ts';
import { realSleep, systemClock, systemRandom } from '../../adapters/system/index.ts';
import type { GroupConfig, PolicyOverrides, ProviderConfig } from '../../core/config/failover-group.ts';
import { mergePolicy, type ProviderModule, type ProviderRuntime } from '../../core/failover/index.ts';
import type { Outcome } from '../../core/model/index.ts';
import type { Holder, VipProvider } from '../../core/ports/index.ts';
import { providerSchemas, withMemory } from './provider-schemas.ts';

/**
 * Set by the cloud-function build (scripts/functions/build.ts, esbuild `define`): the artifact's name and
 * the providers it carries. Absent everywhere else (every provider is there).
 */
declare const FLOATIP_ARTIFACT: { name: string; providers: string[] } | undefined;
const artifact = typeof FLOATIP_ARTIFACT === 'undefined' ? undefined : FLOATIP_ARTIFACT;

interface Entry {
  knownCodes: ReadonlySet<string>;
  load(): Promise<ProviderModule>;
}

const entries: Readonly<Record<string, Entry>> = {
  aws: {
    knownCodes: knownAwsCodes,
    load: async () => (await import('../../adapters/aws/module.ts')).awsModule,
  },
  azure: {
    knownCodes: knownAzureCodes,
    load: async () => (await import('../../adapters/azure/module.ts')).azureModule,
  },
  gcp: {
    knownCodes: knownGcpCodes,
    load: async () => (await import('../../adapters/gcp/module.ts')).gcpModule,
  },
  dns: {
    knownCodes: knownRoute53Codes,
    load: async () => (await import('../../adapters/dns/module.ts')).dnsModule,
  },
  memory: { knownCodes: memoryModule.knownCodes, load: () => Promise.resolve(memoryModule) },
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

/** A provider whose adapter (and cloud SDK) loads on its first call; a failure to build is a give-up. */
class LazyProvider implements VipProvider {
  readonly name: string;
  #made: Promise<VipProvider> | undefined;
  readonly #make: () => Promise<VipProvider>;
  constructor(name: string, make: () => Promise<VipProvider>) {
    this.name = name;
    this.#make = make;
  }
  async #call<T>(run: (p: VipProvider) => Promise<Outcome<T>>): Promise<Outcome<T>> {
    let p: VipProvider;
    try {
      p = await (this.#made ??= this.#make());
    } catch (err) {
      this.#made = undefined;
      return {
        kind: 'give-up',
        reason: `providers.${this.name}: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    return run(p);
  }
  observe: VipProvider['observe'] = (r) => this.#call((p) => p.observe(r));
  acquire: VipProvider['acquire'] = (r, h, e, o) => this.#call((p) => p.acquire(r, h, e, o));
  release: VipProvider['release'] = (r, h, e, o) => this.#call((p) => p.release(r, h, e, o));
  /** The real provider's pre-flight (core/app/preflight.ts); a provider that cannot be built is unreachable. */
  preflight: NonNullable<VipProvider['preflight']> = async (r, members, o) => {
    const say = (status: 'unreachable' | 'unproven', detail: string) => [
      { resource: r.id, check: 'reach' as const, status, subject: `provider ${this.name}`, detail },
    ];
    let p: VipProvider;
    try {
      p = await (this.#made ??= this.#make());
    } catch (err) {
      this.#made = undefined;
      return say('unreachable', err instanceof Error ? err.message : String(err));
    }
    return p.preflight
      ? p.preflight(r, members, o)
      : say('unproven', 'this provider has no pre-flight checks');
  };
  /** Makes the real provider now (loads its adapter and SDK); a failure is kept for the first call. */
  async warm(): Promise<void> {
    await (this.#made ??= this.#make()).catch(() => {
      this.#made = undefined;
    });
  }
  /** Closes what the real provider holds open (the GCP clients), if it was ever made. */
  async close(): Promise<void> {
    const p = await this.#made?.catch(() => null);
    const c = p as { close?: () => Promise<void> } | null | undefined;
    await c?.close?.();
  }
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
  const env = o.env ?? process.env;
  for (const name of used) {
    const p = all[name];
    const entry = p ? entries[p.type] : undefined;
    if (!p || !entry) {
      errors.push(`providers.${name}: not configured`);
      continue;
    }
    if (artifact && !artifact.providers.includes(p.type)) {
      errors.push(
        `providers.${name}: the '${p.type}' provider is not in the ${artifact.name} artifact (it carries: ${artifact.providers.join(', ')}); use the artifact of that cloud or the floatip worker`,
      );
      continue;
    }
    const problems = providerSchemas[p.type]?.check?.(p.settings, env) ?? [];
    if (problems.length > 0) {
      errors.push(...problems.map((x) => `providers.${name}: ${x}`));
      continue;
    }
    const rt: ProviderRuntime = {
      name,
      policy: mergePolicy(o.policy),
      clock: o.clock ?? systemClock,
      random: o.random ?? systemRandom,
      sleep: o.sleep ?? realSleep,
      env,
      ...(o.overrides ? { overrides: o.overrides } : {}),
    };
    const members = membersOf(name, p.type, groups);
    out.set(
      name,
      new LazyProvider(name, async () => {
        const module = await entry.load();
        const provider = module.make(p.settings, members, rt);
        // `floatip cloud preflight` (core/app/preflight.ts), when the adapter offers one.
        return module.preflight
          ? Object.assign(provider, { preflight: module.preflight(p.settings, rt) })
          : provider;
      }),
    );
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

/**
 * Loads every provider's adapter now. Long-running processes (the worker, the agent, the lease agent)
 * call it at start: loading an SDK blocks the event loop for a second or so, which must not happen in the
 * middle of a lease renewal or an advert interval. Cold-starting functions do not: they load on demand.
 */
export async function warmProviders(providers: Iterable<VipProvider>): Promise<void> {
  await Promise.all([...providers].map((p) => (p as { warm?: () => Promise<void> }).warm?.()));
}

/** Closes what holds sockets (the GCP clients). */
export async function closeProviders(providers: Iterable<VipProvider>): Promise<void> {
  for (const p of providers) await (p as { close?: () => Promise<void> }).close?.();
}

/** The label a provider error code gets in metrics: itself when the provider lists it, else `other`. */
export function codeLabel(type: string | undefined, code: string): string {
  return type !== undefined && entries[type]?.knownCodes.has(code) ? code : 'other';
}
