import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import { z } from 'zod';
import type { ControlPlaneConfig } from '../../core/config/control-plane.ts';
import type { Holder, VipProvider } from '../../core/ports/index.ts';
import { AwsVipProvider } from '../../adapters/aws/index.ts';
import { AzureVipProvider } from '../../adapters/azure/index.ts';
import { DnsVipProvider } from '../../adapters/dns/index.ts';
import { GcpVipProvider } from '../../adapters/gcp/index.ts';
import { MemoryVipProvider } from '../../adapters/memory/index.ts';
import { azureCredential } from './azure-credential.ts';
import { ControlConfigError } from './config.ts';

const awsSettings = z.strictObject({
  region: z.string().min(1),
  /** An emulator or a VPC endpoint; the SDK's own endpoint otherwise. */
  endpoint: z.url().optional(),
});
const dnsSettings = z.strictObject({ region: z.string().min(1).optional(), endpoint: z.url().optional() });
const gcpSettings = z.strictObject({ project: z.string().min(1), endpoint: z.url().optional() });
const azureSettings = z.strictObject({
  subscriptionId: z.string().min(1),
  /** ARM endpoint (an emulator, a sovereign cloud); https://management.azure.com otherwise. */
  endpoint: z.url().optional(),
  /** A PEM file of an extra CA to trust for `endpoint`. */
  caFile: z.string().min(1).optional(),
  /** Poll interval of long-running operations (ms). */
  lroPollMs: z.number().int().positive().optional(),
  /** A service principal; DefaultAzureCredential when absent. */
  clientSecret: z
    .strictObject({ tenantId: z.string().min(1), clientId: z.string().min(1), secretEnv: z.string().min(1) })
    .optional(),
});

/** What a factory may need beyond its settings. */
export interface ProviderContext {
  env: NodeJS.ProcessEnv;
  /** Replaces the Azure credential chain (tests: a static token against the ARM emulator). */
  azureCredential?: TokenCredential;
}

/** How each provider is made from its settings (credentials: the SDK's own chain). */
const factories: Record<
  string,
  {
    schema: z.ZodType<Record<string, unknown>>;
    make: (s: never, members: Holder[], ctx: ProviderContext) => VipProvider;
  }
> = {
  aws: {
    schema: awsSettings,
    make: (s: z.infer<typeof awsSettings>, members) =>
      new AwsVipProvider({ region: s.region, ...(s.endpoint ? { endpoint: s.endpoint } : {}), members }),
  },
  dns: {
    schema: dnsSettings,
    make: (s: z.infer<typeof dnsSettings>, members) =>
      new DnsVipProvider({
        ...(s.region ? { region: s.region } : {}),
        ...(s.endpoint ? { endpoint: s.endpoint } : {}),
        members,
      }),
  },
  gcp: {
    schema: gcpSettings,
    make: (s: z.infer<typeof gcpSettings>, members) =>
      new GcpVipProvider({ project: s.project, ...(s.endpoint ? { endpoint: s.endpoint } : {}), members }),
  },
  azure: {
    schema: azureSettings,
    make: (s: z.infer<typeof azureSettings>, members, ctx) => {
      let ca: string | undefined;
      if (s.caFile !== undefined) {
        try {
          ca = readFileSync(s.caFile, 'utf8');
        } catch (err) {
          throw new ControlConfigError([
            `controlPlane.providers.azure.caFile: cannot read ${s.caFile}: ${(err as Error).message}`,
          ]);
        }
      }
      return new AzureVipProvider({
        subscriptionId: s.subscriptionId,
        credential:
          ctx.azureCredential ??
          azureCredential(s.clientSecret, ctx.env, 'controlPlane.providers.azure.clientSecret.secretEnv'),
        ...(s.endpoint ? { endpoint: s.endpoint } : {}),
        ...(ca === undefined ? {} : { ca }),
        ...(s.lroPollMs === undefined ? {} : { lroPollMs: s.lroPollMs }),
        members,
      });
    },
  },
};

/** Every member of every group that has a resource on `provider`; one id must mean one member. */
function membersOn(config: ControlPlaneConfig, provider: string): Holder[] {
  const seen = new Map<string, { group: string; spec: string }>();
  const out: Holder[] = [];
  for (const g of config.groups) {
    if (!g.resources.some((r) => r.provider === provider)) continue;
    for (const m of g.members) {
      const spec = JSON.stringify(m.spec);
      const prev = seen.get(m.id);
      if (prev && prev.spec !== spec)
        throw new ControlConfigError([
          `controlPlane.groups (${g.id}): member '${m.id}' has a different spec than in group '${prev.group}'; ${provider} members are shared by id`,
        ]);
      if (!prev) {
        seen.set(m.id, { group: g.id, spec });
        out.push({ id: m.id, spec: m.spec });
      }
    }
  }
  return out;
}

/**
 * The providers the config's resources name, built once. `memory` needs no settings (demos, tests); a
 * cloud provider without its `controlPlane.providers.<name>` settings is a start-up error, not a default.
 */
export function buildProviders(
  config: ControlPlaneConfig,
  ctx: ProviderContext = { env: process.env },
): Record<string, VipProvider> {
  const names = new Set(config.groups.flatMap((g) => g.resources.map((r) => r.provider)));
  const out: Record<string, VipProvider> = {};
  for (const name of names) {
    if (name === 'memory') {
      out.memory = new MemoryVipProvider('memory');
      continue;
    }
    const factory = factories[name];
    if (!factory)
      throw new ControlConfigError([
        `controlPlane.groups: provider '${name}' is not available in the control plane (supported: memory, ${Object.keys(factories).join(', ')})`,
      ]);
    const settings = config.providers[name];
    if (settings === undefined) throw new ControlConfigError([`controlPlane.providers.${name}: missing`]);
    const s = factory.schema.safeParse(settings);
    if (!s.success) {
      const issue = s.error.issues[0];
      throw new ControlConfigError([
        `controlPlane.providers.${name}.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      ]);
    }
    try {
      out[name] = factory.make(s.data as never, membersOn(config, name), ctx);
    } catch (err) {
      if (err instanceof ControlConfigError) throw err;
      throw new ControlConfigError([`controlPlane.groups: ${(err as Error).message}`]);
    }
  }
  return out;
}
