/**
 * The `cloud:` section of the native config: which providers floatip talks to, which members (machines)
 * can hold resources and how each provider names them, and which resources (addresses, routes, records)
 * move together on failover. Pure: structure and cross-references only. Each provider adapter checks the
 * provider-specific `spec` objects with its own schema before any API call.
 *
 * @example
 *   cloud:
 *     group: web                     # failover group (lock + epoch key in the control plane)
 *     vrrpInstance: VI_1             # the agent moves these resources when this instance becomes MASTER
 *     providers:
 *       aws: { type: aws, region: eu-west-1 }
 *     members:
 *       lb-1: { aws: { networkInterfaceId: eni-0a1 } }
 *       lb-2: { aws: { networkInterfaceId: eni-0b2 } }
 *     resources:
 *       - { id: web-eip, provider: aws, kind: elastic-ip, spec: { allocationId: eipalloc-01 } }
 *       - { id: vip-route, provider: aws, kind: route, spec: { routeTableIds: [rtb-1], destination: 10.9.9.9/32 } }
 */
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, _ . - (max 63)');
const url = z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an http(s) URL');

const common = { endpoint: url.optional(), caFile: z.string().min(1).optional() };

/** One provider connection. Credentials come from the platform (instance role, managed identity, ADC) or env. */
export const cloudProviderSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('aws'), region: z.string().min(1), ...common }),
  z.strictObject({
    type: z.literal('azure'),
    subscriptionId: z.string().min(1),
    /** Environment variable holding a bearer token for ARM (e.g. from `az account get-access-token`). */
    tokenEnv: z.string().min(1).default('AZURE_ACCESS_TOKEN'),
    ...common,
  }),
  z.strictObject({
    type: z.literal('gcp'),
    project: z.string().min(1),
    /** Environment variable holding an OAuth access token; application default credentials when unset. */
    tokenEnv: z.string().min(1).optional(),
    ...common,
  }),
  z.strictObject({ type: z.literal('dns'), ...common }),
  z.strictObject({ type: z.literal('memory') }),
]);

const backoff = z.strictObject({
  attempts: z.number().int().min(1).max(100).optional(),
  baseMs: z.number().min(0).max(600_000).optional(),
  capMs: z.number().min(0).max(3_600_000).optional(),
  factor: z.number().min(1).max(10).optional(),
  jitter: z.enum(['full', 'equal', 'none']).optional(),
});

/** Overrides of the failover policy (retries, read-back, parallelism, client-side rate limit). */
export const cloudPolicySchema = z.strictObject({
  call: backoff.optional(),
  verify: backoff.optional(),
  action: backoff.optional(),
  concurrency: z.number().int().min(1).max(1024).optional(),
  rate: z.strictObject({ perSecond: z.number().positive(), burst: z.number().int().min(1) }).optional(),
});

export const cloudResourceSchema = z.strictObject({
  id: name,
  /** A key of `providers`. */
  provider: name,
  kind: z.string().min(1),
  spec: z.record(z.string(), z.unknown()),
});

export const cloudSectionSchema = z.strictObject({
  group: name.default('default'),
  /** VRRP instance whose MASTER state the agent turns into cloud moves. */
  vrrpInstance: z.string().min(1).optional(),
  /** Which member this machine is (the agent); may also come from FLOATIP_MEMBER. */
  self: name.optional(),
  /** While MASTER, the agent re-reads the providers and re-asserts ownership this often (ms). */
  reconcileMs: z.number().int().min(100).max(3_600_000).default(1000),
  providers: z.record(name, cloudProviderSchema),
  /** member id -> provider key -> that provider's view of the member (ENI, NIC, instance, address). */
  members: z.record(name, z.record(name, z.record(z.string(), z.unknown()))),
  resources: z.array(cloudResourceSchema).min(1),
  policy: cloudPolicySchema.optional(),
});

export type CloudProviderConfig = z.output<typeof cloudProviderSchema>;
export type CloudResourceConfig = z.output<typeof cloudResourceSchema>;
export type CloudSection = z.output<typeof cloudSectionSchema>;
export type CloudPolicyOverrides = z.output<typeof cloudPolicySchema>;

export interface CloudProblem {
  /** Path inside the `cloud:` section, e.g. ['resources', 2, 'provider']. */
  path: Array<string | number>;
  message: string;
}

export type CloudValidation = { ok: true; value: CloudSection } | { ok: false; problems: CloudProblem[] };

/**
 * Validates a `cloud:` section: the schema, then the cross-references: every resource names a configured
 * provider, resource ids are unique, every member has an entry for each provider its resources use, and
 * `self` is a member. Nothing is defaulted silently beyond the documented defaults.
 */
export function validateCloudSection(input: unknown): CloudValidation {
  const r = cloudSectionSchema.safeParse(input);
  if (!r.success)
    return {
      ok: false,
      problems: r.error.issues.map((i) => ({
        path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
        message: i.message,
      })),
    };
  const c = r.data;
  const problems: CloudProblem[] = [];
  const seen = new Set<string>();
  const used = new Set<string>();
  c.resources.forEach((res, i) => {
    if (seen.has(res.id))
      problems.push({ path: ['resources', i, 'id'], message: `duplicate resource id ${res.id}` });
    seen.add(res.id);
    if (!(res.provider in c.providers))
      problems.push({
        path: ['resources', i, 'provider'],
        message: `unknown provider ${res.provider} (configured: ${Object.keys(c.providers).join(', ') || 'none'})`,
      });
    else used.add(res.provider);
  });
  const memberIds = Object.keys(c.members);
  if (memberIds.length < 1) problems.push({ path: ['members'], message: 'at least one member is needed' });
  for (const m of memberIds)
    for (const p of used)
      if (c.providers[p]?.type !== 'memory' && !(p in (c.members[m] ?? {})))
        problems.push({
          path: ['members', m, p],
          message: `member ${m} has no ${p} entry, but resources use ${p}`,
        });
  if (c.self !== undefined && !memberIds.includes(c.self))
    problems.push({ path: ['self'], message: `self ${c.self} is not a member (${memberIds.join(', ')})` });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: c };
}
