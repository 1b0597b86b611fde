/**
 * The one description of what floatip moves in a cloud, shared by the agent's `cloud:` section and the
 * control plane's groups: providers (connections), members (machines, each with its settings per
 * provider, so one group can span AWS, Azure, GCP and DNS) and resources (addresses, routes, records).
 *
 *   providers:                          # name -> connection; `type` defaults to the name
 *     aws: { region: eu-west-1 }
 *     r53: { type: dns }
 *   members:                            # id -> priority + one settings block per provider it can hold on
 *     lb-aws: { priority: 200, aws: { networkInterfaceId: eni-0a1 }, r53: { address: 203.0.113.10 } }
 *     lb-az:  { priority: 100, azure: { privateIp: 10.1.0.4 },       r53: { address: 198.51.100.7 } }
 *   resources:
 *     - { id: web-eip, provider: aws, kind: elastic-ip, spec: { allocationId: eipalloc-01 } }
 *     - { id: web-dns, provider: r53, kind: record, spec: { hostedZoneId: Z1, name: web.example.com, type: A } }
 *
 * A member can hold a resource only when it has settings for the resource's provider (the `memory`
 * provider needs none). Pure: structure and cross-references; each provider's own schema checks its
 * settings, member blocks and resource specs (functions/shared/providers.ts).
 */
import * as z from 'zod';

export const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const providerPattern = /^[a-z][a-z0-9-]{0,62}$/;

const id = z.lazy(() =>
  z.string({ error: 'must be a string' }).regex(idPattern, {
    error: 'letters, digits, _ . - (at most 63, starting with a letter or digit)',
  }),
);
const providerName = z.lazy(() =>
  z.string().regex(providerPattern, {
    error: 'provider names are lower-case words (a-z, 0-9, -)',
  }),
);
const mapping = z.lazy(() => z.record(z.string(), z.unknown(), { error: 'must be a mapping' }));

/** The provider `memory` is always there: a map in the process (demos, tests); it needs no settings. */
export const memoryProvider = 'memory';

/** One provider connection; `type` names the adapter (aws, azure, gcp, dns, memory), default: the key. */
export const providerEntrySchema = z.lazy(() =>
  z.looseObject({ type: providerName.optional() }, { error: 'must be a mapping' }),
);

/** A member: its priority and, under each provider name, how that provider knows it. */
export const memberEntrySchema = z.lazy(() =>
  z
    .object(
      {
        priority: z
          .number({ error: 'must be an integer from 1 to 254' })
          .int({ error: 'must be an integer from 1 to 254' })
          .min(1, { error: 'must be an integer from 1 to 254' })
          .max(254, { error: 'must be an integer from 1 to 254' })
          .default(100),
      },
      { error: 'must be a mapping' },
    )
    .catchall(mapping),
);

export const resourceSchema = z.lazy(() =>
  z.strictObject(
    {
      id,
      provider: providerName,
      kind: z.string().min(1, { error: 'must be a non-empty string' }),
      spec: mapping.prefault({}),
    },
    { error: 'must be a mapping' },
  ),
);

export const membersSchema = z.lazy(() =>
  z
    .record(id, memberEntrySchema, { error: 'must be a mapping of member id to settings' })
    .refine((m) => Object.keys(m).length > 0, { error: 'at least one member is needed' }),
);
export const resourcesSchema = z.lazy(() =>
  z.array(resourceSchema, { error: 'must be a list' }).min(1, {
    error: 'at least one resource is needed',
  }),
);
export const providersSchema = z.lazy(() =>
  z.record(providerName, providerEntrySchema, { error: 'must be a mapping' }),
);

const backoff = z.lazy(() =>
  z.strictObject({
    attempts: z.number().int().min(1).max(100).optional(),
    baseMs: z.number().min(0).max(600_000).optional(),
    capMs: z.number().min(0).max(3_600_000).optional(),
    factor: z.number().min(1).max(10).optional(),
    jitter: z.enum(['full', 'equal', 'none']).optional(),
  }),
);

/** Overrides of the failover policy (retries, read-back, parallelism, client-side rate limit). */
export const policySchema = z.lazy(() =>
  z.strictObject({
    call: backoff.optional(),
    verify: backoff.optional(),
    action: backoff.optional(),
    concurrency: z.number().int().min(1).max(1024).optional(),
    rate: z.strictObject({ perSecond: z.number().positive(), burst: z.number().int().min(1) }).optional(),
  }),
);

export type PolicyOverrides = z.output<typeof policySchema>;

/** One provider connection after validation: its adapter type and its own settings. */
export interface ProviderConfig {
  type: string;
  settings: Record<string, unknown>;
}

export interface MemberConfig {
  id: string;
  /** Higher wins when a target is picked (as VRRP priority, 1..254). */
  priority: number;
  /** Provider name -> that provider's view of this member (ENI, NIC, instance, address). */
  settings: Record<string, Record<string, unknown>>;
}

export interface ResourceConfig {
  id: string;
  /** A provider name (a key of `providers`, or `memory`). */
  provider: string;
  kind: string;
  spec: Record<string, unknown>;
}

export interface GroupConfig {
  id: string;
  members: MemberConfig[];
  resources: ResourceConfig[];
}

/** A problem located by its path below the section (`['members', 'lb-1', 'aws']`). */
export interface GroupProblem {
  path: Array<string | number>;
  message: string;
}

export function toProviders(raw: z.output<typeof providersSchema>): Record<string, ProviderConfig> {
  const out: Record<string, ProviderConfig> = {};
  for (const [name, entry] of Object.entries(raw)) {
    const { type, ...settings } = entry;
    out[name] = { type: typeof type === 'string' ? type : name, settings };
  }
  return out;
}

export function toMembers(raw: z.output<typeof membersSchema>): MemberConfig[] {
  return Object.entries(raw).map(([memberId, entry]) => {
    const { priority, ...settings } = entry;
    return { id: memberId, priority, settings: settings as Record<string, Record<string, unknown>> };
  });
}

/** The providers a resource may name: the configured ones, plus `memory`. */
export const providerNames = (providers: Record<string, ProviderConfig>): string[] => [
  ...Object.keys(providers),
  ...(memoryProvider in providers ? [] : [memoryProvider]),
];

/** True when `member` can hold resources of `provider` (it has settings for it, or needs none). */
export function canHold(
  member: MemberConfig,
  provider: string,
  providers: Record<string, ProviderConfig>,
): boolean {
  const type = providers[provider]?.type ?? (provider === memoryProvider ? memoryProvider : undefined);
  return type === memoryProvider || provider in member.settings;
}

/**
 * Cross-references of one group: resource ids unique, every resource names a configured provider,
 * every member's settings name configured providers, and every resource can be held by some member.
 * `at` is the path of the group below the section (`[]` for the agent, `['groups', 0]` for the control plane).
 */
export function groupProblems(
  group: GroupConfig,
  providers: Record<string, ProviderConfig>,
  at: Array<string | number>,
): GroupProblem[] {
  const problems: GroupProblem[] = [];
  const names = providerNames(providers);
  const seen = new Set<string>();
  group.resources.forEach((r, i) => {
    if (seen.has(r.id))
      problems.push({ path: [...at, 'resources', i, 'id'], message: `duplicate resource id '${r.id}'` });
    seen.add(r.id);
    if (!names.includes(r.provider))
      problems.push({
        path: [...at, 'resources', i, 'provider'],
        message: `unknown provider '${r.provider}' (configured: ${names.join(', ')})`,
      });
    else if (!group.members.some((m) => canHold(m, r.provider, providers)))
      problems.push({
        path: [...at, 'resources', i, 'provider'],
        message: `no member can hold '${r.id}': none has '${r.provider}' settings`,
      });
  });
  for (const m of group.members)
    for (const p of Object.keys(m.settings))
      if (!(p in providers))
        problems.push({
          path: [...at, 'members', m.id, p],
          message: `unknown provider '${p}' (configured: ${Object.keys(providers).join(', ') || 'none'}; 'priority' is the only other key)`,
        });
  return problems;
}
