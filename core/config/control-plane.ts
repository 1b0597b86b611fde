import * as z from 'zod';
import type { ControlPlaneConfig } from './control-plane-types.ts';
import {
  groupProblems,
  membersSchema,
  policySchema,
  providersSchema,
  resourcesSchema,
  toMembers,
  toProviders,
} from './failover-group.ts';

export type * from './control-plane-types.ts';

/** One problem in a control-plane config, located by its path (`groups[0].members[1].priority`). */
export interface ControlPlaneConfigError {
  path: string;
  message: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/**
 * Where SNS signing certificates and subscribe URLs may be fetched from: AWS's own SNS endpoints, over
 * https, only. Tests point it at a loopback server; production configs should leave it alone.
 */
export const defaultSnsUrlPattern = '^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/';

// Building blocks: each carries the message the operator sees next to the field's path.
const nonEmpty = 'must be a non-empty string';
const str = (re?: RegExp) => {
  const s = z.string({ error: nonEmpty }).min(1, { error: nonEmpty });
  return re ? s.regex(re, { error: `must match ${re.source}` }) : s;
};
const int = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};
const mapping = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape, { error: 'must be a mapping' });
const list = <T extends z.ZodType>(item: T) => z.array(item, { error: 'must be a list' });
const nonEmptyList = <T extends z.ZodType>(item: T) => list(item).min(1, { error: 'must not be empty' });
const strMap = z.lazy(() =>
  z.record(z.string(), z.string({ error: 'must be a string' }), {
    error: 'must be a mapping of strings',
  }),
);

/** Cross-field checks run even when a field failed, so one pass reports every problem. */
const always = { when: () => true } as const;
type Ctx = z.RefinementCtx;
const rec = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function exactlyOne(v: unknown, ctx: Ctx, a: string, b: string): void {
  const o = rec(v);
  if ((o[a] === undefined) === (o[b] === undefined))
    ctx.addIssue({ code: 'custom', message: `needs exactly one of ${a}, ${b}`, path: [] });
}

function unique(items: unknown, ctx: Ctx, at: (string | number)[], key: string, what: string): void {
  const seen = new Set<string>();
  arr(items).forEach((item, i) => {
    const id = rec(item)[key];
    if (typeof id !== 'string') return;
    if (seen.has(id))
      ctx.addIssue({ code: 'custom', message: `duplicate ${what} '${id}'`, path: [...at, i, key] });
    seen.add(id);
  });
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-f:.]*:[0-9a-f:.]*$/i;
/** `10.0.0.1`, `10.0.0.0/8`, `fd00::/8` (the shape; the HTTP adapter builds the matcher). */
function isAddressOrCidr(s: string): boolean {
  const [addr = '', bits, extra] = s.split('/');
  if (extra !== undefined) return false;
  const v4 = IPV4.test(addr);
  if (!v4 && !IPV6.test(addr)) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (v4 ? 32 : 128);
}

const secretShape = () => ({ value: str().optional(), env: str(/^[A-Z_][A-Z0-9_]*$/).optional() });

const token = z.lazy(() =>
  mapping({
    name: str(ID),
    ...secretShape(),
    scopes: nonEmptyList(
      z.enum(['read', 'failover', 'report'], { error: "must be 'read', 'failover' or 'report'" }),
    ),
    /** With scope `report`: the agent names this token may report for (absent: any agent). */
    agents: nonEmptyList(str(ID)).optional(),
  }).superRefine((v, ctx) => exactlyOne(v, ctx, 'value', 'env'), always),
);

/** A group: the same members/resources shape as the agent's `cloud:` section (failover-group.ts). */
const group = z.lazy(() => mapping({ id: str(ID), members: membersSchema, resources: resourcesSchema }));

const alertMapping = z.lazy(() =>
  mapping({
    match: strMap.prefault({}),
    group: str().optional(),
    groupLabel: str().optional(),
    memberLabel: str().optional(),
    memberMap: strMap.optional(),
  }).superRefine((v, ctx) => exactlyOne(v, ctx, 'group', 'groupLabel'), always),
);

const ENV = /^[A-Z_][A-Z0-9_]*$/;
const hostPort = z.lazy(() => mapping({ host: str(), port: int(1, 65535) }));

/** Where the control plane's Redis is: exactly one of url, urlEnv, sentinels (+ name), cluster. */
const redis = z.lazy(() =>
  mapping({
    url: str(/^rediss?:\/\//).optional(),
    urlEnv: str(ENV).optional(),
    sentinels: nonEmptyList(hostPort).optional(),
    name: str().optional(),
    cluster: nonEmptyList(hostPort).optional(),
    username: str().optional(),
    passwordEnv: str(ENV).optional(),
    sentinelPasswordEnv: str(ENV).optional(),
    replicas: int(0, 16).optional(),
    tls: z
      .union([z.literal(true), mapping({ caFile: str().optional(), servername: str().optional() })], {
        error: 'must be true or a mapping with caFile / servername',
      })
      .optional(),
    prefix: str(/^[A-Za-z0-9_.-]+$/).default('floatip'),
  })
    .superRefine((v, ctx) => {
      const o = rec(v);
      const given = ['url', 'urlEnv', 'sentinels', 'cluster'].filter((k) => o[k] !== undefined);
      if (given.length > 1)
        ctx.addIssue({ code: 'custom', message: `needs at most one of ${given.join(', ')}`, path: [] });
      if (o.sentinels !== undefined && o.name === undefined)
        ctx.addIssue({ code: 'custom', message: 'the Sentinel master name is required', path: ['name'] });
      if (o.name !== undefined && o.sentinels === undefined)
        ctx.addIssue({ code: 'custom', message: 'only with sentinels', path: ['name'] });
      if (o.replicas !== undefined && o.cluster !== undefined)
        ctx.addIssue({ code: 'custom', message: 'not with cluster (WAIT is per node)', path: ['replicas'] });
      if (o.sentinelPasswordEnv !== undefined && o.sentinels === undefined)
        ctx.addIssue({ code: 'custom', message: 'only with sentinels', path: ['sentinelPasswordEnv'] });
    }, always)
    .transform((v) =>
      (v.url ?? v.urlEnv ?? v.sentinels ?? v.cluster) ? v : { ...v, url: 'redis://127.0.0.1:6379' },
    )
    .prefault({}),
);

const schema = z.lazy(() =>
  mapping({
    redis,
    http: mapping({
      host: str().default('127.0.0.1'),
      port: int(0, 65535).default(8080),
      bodyLimitBytes: int(256, 8 << 20).default(65536),
      ratePerMinute: int(1, 10_000_000).default(6000),
      /** Proxies whose X-Forwarded-For is believed (addresses or CIDR blocks); nobody else's is. */
      trustedProxies: list(
        str().refine(isAddressOrCidr, { error: 'must be an IP address or CIDR block' }),
      ).default([]),
    }).prefault({}),
    worker: mapping({
      concurrency: int(1, 1000).default(8),
      lockTtlMs: int(100, 3_600_000).default(30_000),
      attempts: int(1, 100).default(5),
      backoffMs: int(1, 600_000).default(500),
    }).prefault({}),
    sweep: mapping({ everyMs: int(100, 86_400_000).default(30_000) }).prefault({}),
    tokens: list(token).default([]),
    webhooks: mapping({
      hmac: mapping({ ...secretShape(), toleranceSec: int(1, 86_400).default(300) })
        .superRefine((v, ctx) => exactlyOne(v, ctx, 'value', 'env'), always)
        .optional(),
      sns: mapping({
        topicArns: nonEmptyList(str(/^arn:aws[a-z-]*:sns:/)),
        certUrlPattern: str()
          .refine((p) => p.startsWith('^'), { error: "must be anchored (start with '^')" })
          .default(defaultSnsUrlPattern),
        toleranceSec: int(1, 86_400 * 7).default(3600),
      }).optional(),
    }).prefault({}),
    alerts: list(alertMapping).default([]),
    groups: nonEmptyList(group),
    /**
     * Provider connections by name (`type` defaults to the name), shared by every group; each provider's
     * own schema checks its settings (functions/shared/providers.ts).
     */
    providers: providersSchema.default({}),
    /** Overrides of the failover policy (retries, read-back, parallelism, rate limit). */
    policy: policySchema.optional(),
  }).superRefine((v, ctx) => {
    const o = rec(v);
    unique(o.groups, ctx, ['groups'], 'id', 'group id');
    unique(o.tokens, ctx, ['tokens'], 'name', 'token name');
    const ids = new Set(arr(o.groups).map((g) => rec(g).id));
    arr(o.alerts).forEach((a, i) => {
      const g = rec(a).group;
      if (typeof g === 'string' && g !== '' && !ids.has(g))
        ctx.addIssue({ code: 'custom', message: `unknown group '${g}'`, path: ['alerts', i, 'group'] });
    });
  }, always),
);

/** `controlPlane.groups[0].members[1]` from a zod issue path. */
function joinPath(base: string, segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (p, s) => (typeof s === 'number' ? `${p}[${s}]` : `${p}.${String(s)}`),
    base,
  );
}

function toErrors(issues: readonly z.core.$ZodIssue[], base: string): ControlPlaneConfigError[] {
  return issues.flatMap((issue) => {
    const at = joinPath(base, issue.path);
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((k) => ({ path: `${at}.${k}`, message: 'unknown key' }));
    if (issue.code === 'invalid_key')
      return [{ path: at, message: issue.issues[0]?.message ?? issue.message }];
    return [{ path: at, message: issue.message }];
  });
}

/**
 * Validates the `controlPlane` section of a floatip config and fills in defaults. Pure: no host state is
 * read (token `env` names are resolved by the composition root). Every error names its path.
 *
 * @example
 *   const r = parseControlPlaneConfig(yaml.parse(text).controlPlane);
 *   if (!r.ok) for (const e of r.errors) console.error(`${e.path}: ${e.message}`);
 */
export function parseControlPlaneConfig(
  input: unknown,
  path = 'controlPlane',
): { ok: true; config: ControlPlaneConfig } | { ok: false; errors: ControlPlaneConfigError[] } {
  // Parsed once per process: without the JIT, zod does not compile a parser (new Function) per object
  // schema to run it once (test/core/app/control-plane-config-jitless.test.ts).
  const r = schema.safeParse(input, { jitless: true });
  if (!r.success) return { ok: false, errors: toErrors(r.error.issues, path) };
  const providers = toProviders(r.data.providers);
  const config: ControlPlaneConfig = {
    ...r.data,
    providers,
    groups: r.data.groups.map((g) => ({ id: g.id, members: toMembers(g.members), resources: g.resources })),
  };
  const problems = config.groups.flatMap((g, i) => groupProblems(g, providers, ['groups', i]));
  if (problems.length > 0)
    return {
      ok: false,
      errors: problems.map((p) => ({ path: joinPath(path, p.path), message: p.message })),
    };
  return { ok: true, config };
}
