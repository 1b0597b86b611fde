/**
 * The `cloud:` section of the native config: the agent's one failover group (providers, members,
 * resources — the same shape as a control-plane group, see failover-group.ts) plus what the agent needs
 * to drive it from VRRP. Pure: structure and cross-references only; each provider's schema checks its
 * own settings (functions/shared/providers.ts).
 *
 * @example
 *   cloud:
 *     group: web                     # failover group (lock + epoch key when an arbiter is configured)
 *     vrrpInstance: VI_1             # the agent moves these resources when this instance becomes MASTER
 *     providers:
 *       aws: { region: eu-west-1 }
 *     members:
 *       lb-1: { aws: { networkInterfaceId: eni-0a1 } }
 *       lb-2: { aws: { networkInterfaceId: eni-0b2 } }
 *     resources:
 *       - { id: web-eip, provider: aws, kind: elastic-ip, spec: { allocationId: eipalloc-01 } }
 *       - { id: vip-route, provider: aws, kind: route, spec: { routeTableIds: [rtb-1], destination: 10.9.9.9/32 } }
 */
import * as z from 'zod';
import {
  groupProblems,
  idPattern,
  membersSchema,
  policySchema,
  providersSchema,
  resourcesSchema,
  toMembers,
  toProviders,
  type GroupConfig,
  type GroupProblem,
  type PolicyOverrides,
  type ProviderConfig,
} from './failover-group.ts';

export type { GroupProblem as CloudProblem, PolicyOverrides as CloudPolicyOverrides };

const name = z.string().regex(idPattern, 'letters, digits, _ . - (max 63)');

/**
 * Where two agents that are both MASTER (a split brain) arbitrate: the control plane's Redis. The agent
 * claims the group's lease there (VRRP priority decides, as on the wire) and acts only while it holds it;
 * the lease's epoch is the group's fencing epoch.
 */
const arbiterSchema = z.strictObject({
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.{}-]+$/)
      .default('floatip'),
  }),
  /** The lease lives this long without renewal (renewed every third of it while MASTER). */
  leaseTtlMs: z.number().int().min(300).max(600_000).default(3000),
});

export const cloudSectionSchema = z.strictObject({
  group: name.default('default'),
  /** VRRP instance whose MASTER state the agent turns into cloud moves (any instance when absent). */
  vrrpInstance: z.string().min(1).optional(),
  /** Which member this machine is (the agent); may also come from FLOATIP_MEMBER. */
  self: name.optional(),
  /** While MASTER, the agent re-reads the providers and re-asserts ownership this often (ms). */
  reconcileMs: z.number().int().min(100).max(3_600_000).default(1000),
  /** After a reconcile took something back, it is not taken back again for this long (ms). */
  holdDownMs: z.number().int().min(0).max(3_600_000).default(30_000),
  /** Release what this member holds when the agent stops (default: leave it for the next MASTER). */
  releaseOnStop: z.boolean().default(false),
  providers: providersSchema,
  /** member id -> { priority?, <provider name>: that provider's view of the member }. */
  members: membersSchema,
  resources: resourcesSchema,
  policy: policySchema.optional(),
  arbiter: arbiterSchema.optional(),
});

export interface CloudSection {
  group: GroupConfig;
  providers: Record<string, ProviderConfig>;
  vrrpInstance?: string;
  self?: string;
  reconcileMs: number;
  holdDownMs: number;
  releaseOnStop: boolean;
  policy?: PolicyOverrides;
  arbiter?: z.output<typeof arbiterSchema>;
}

export type CloudValidation = { ok: true; value: CloudSection } | { ok: false; problems: GroupProblem[] };

/**
 * Validates a `cloud:` section: the schema, then the group's cross-references (failover-group.ts) and
 * that `self` is a member. Nothing is defaulted silently beyond the documented defaults.
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
  const section: CloudSection = {
    group: { id: c.group, members: toMembers(c.members), resources: c.resources },
    providers: toProviders(c.providers),
    reconcileMs: c.reconcileMs,
    holdDownMs: c.holdDownMs,
    releaseOnStop: c.releaseOnStop,
    ...(c.vrrpInstance === undefined ? {} : { vrrpInstance: c.vrrpInstance }),
    ...(c.self === undefined ? {} : { self: c.self }),
    ...(c.policy === undefined ? {} : { policy: c.policy }),
    ...(c.arbiter === undefined ? {} : { arbiter: c.arbiter }),
  };
  const problems = groupProblems(section.group, section.providers, []);
  const ids = section.group.members.map((m) => m.id);
  if (c.self !== undefined && !ids.includes(c.self))
    problems.push({ path: ['self'], message: `self ${c.self} is not a member (${ids.join(', ')})` });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: section };
}
