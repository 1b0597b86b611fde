import type {
  AlertMapping,
  ControlPlaneConfig,
  GroupConfig,
  MemberConfig,
  ResourceConfig,
  Scope,
  TokenConfig,
} from './control-plane-types.ts';

export type * from './control-plane-types.ts';

/** One problem in a control-plane config, located by its path (`groups[0].members[1].priority`). */
export interface ControlPlaneConfigError {
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/**
 * Where SNS signing certificates and subscribe URLs may be fetched from: AWS's own SNS endpoints, over
 * https, only. Tests point it at a loopback server; production configs should leave it alone.
 */
export const defaultSnsUrlPattern = '^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/';

class Reader {
  readonly errors: ControlPlaneConfigError[] = [];
  fail(path: string, message: string): undefined {
    this.errors.push({ path, message });
    return undefined;
  }
  obj(v: unknown, path: string, keys: readonly string[]): Obj | undefined {
    if (!isObj(v)) return this.fail(path, 'must be a mapping');
    for (const k of Object.keys(v)) if (!keys.includes(k)) this.fail(`${path}.${k}`, 'unknown key');
    return v;
  }
  str(v: unknown, path: string, def?: string, re?: RegExp): string | undefined {
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== 'string' || v === '') return this.fail(path, 'must be a non-empty string');
    if (re && !re.test(v)) return this.fail(path, `must match ${re.source}`);
    return v;
  }
  int(v: unknown, path: string, def: number | undefined, min: number, max: number): number | undefined {
    if (v === undefined && def !== undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      return this.fail(path, `must be an integer from ${min} to ${max}`);
    return v;
  }
  arr(v: unknown, path: string, allowEmpty = true): unknown[] | undefined {
    if (v === undefined && allowEmpty) return [];
    if (!Array.isArray(v)) return this.fail(path, 'must be a list');
    if (!allowEmpty && v.length === 0) return this.fail(path, 'must not be empty');
    return v;
  }
  strMap(v: unknown, path: string): Record<string, string> | undefined {
    if (v === undefined) return {};
    if (!isObj(v)) return this.fail(path, 'must be a mapping of strings');
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') this.fail(`${path}.${k}`, 'must be a string');
      else out[k] = x;
    }
    return out;
  }
  unique(ids: (string | undefined)[], path: string, what: string): void {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (id === undefined) return;
      if (seen.has(id)) this.fail(`${path}[${i}].id`, `duplicate ${what} id '${id}'`);
      seen.add(id);
    });
  }
}

function secret(r: Reader, v: Obj, path: string): { value?: string; env?: string } {
  const value = v.value === undefined ? undefined : r.str(v.value, `${path}.value`);
  const env = v.env === undefined ? undefined : r.str(v.env, `${path}.env`, undefined, /^[A-Z_][A-Z0-9_]*$/);
  if ((v.value === undefined) === (v.env === undefined)) r.fail(path, 'needs exactly one of value, env');
  return { ...(value === undefined ? {} : { value }), ...(env === undefined ? {} : { env }) };
}

function token(r: Reader, v: unknown, path: string): TokenConfig | undefined {
  const o = r.obj(v, path, ['name', 'value', 'env', 'scopes']);
  if (!o) return undefined;
  const name = r.str(o.name, `${path}.name`, undefined, ID);
  const scopes: Scope[] = [];
  (r.arr(o.scopes, `${path}.scopes`, false) ?? []).forEach((s, i) => {
    if (s === 'read' || s === 'failover') scopes.push(s);
    else r.fail(`${path}.scopes[${i}]`, "must be 'read' or 'failover'");
  });
  return name === undefined ? undefined : { name, ...secret(r, o, path), scopes };
}

function member(r: Reader, v: unknown, path: string): MemberConfig | undefined {
  const o = r.obj(v, path, ['id', 'priority', 'spec']);
  if (!o) return undefined;
  const id = r.str(o.id, `${path}.id`, undefined, ID);
  const priority = r.int(o.priority, `${path}.priority`, 100, 1, 254);
  const spec =
    o.spec === undefined ? {} : isObj(o.spec) ? o.spec : r.fail(`${path}.spec`, 'must be a mapping');
  return id === undefined || priority === undefined || !spec ? undefined : { id, priority, spec };
}

function resource(r: Reader, v: unknown, path: string): ResourceConfig | undefined {
  const o = r.obj(v, path, ['id', 'provider', 'kind', 'spec']);
  if (!o) return undefined;
  const id = r.str(o.id, `${path}.id`, undefined, ID);
  const provider = r.str(o.provider, `${path}.provider`, undefined, /^[a-z][a-z0-9-]*$/);
  const kind = r.str(o.kind, `${path}.kind`);
  const spec =
    o.spec === undefined ? {} : isObj(o.spec) ? o.spec : r.fail(`${path}.spec`, 'must be a mapping');
  if (id === undefined || provider === undefined || kind === undefined || !spec) return undefined;
  return { id, provider, kind, spec };
}

function group(r: Reader, v: unknown, path: string): GroupConfig | undefined {
  const o = r.obj(v, path, ['id', 'members', 'resources']);
  if (!o) return undefined;
  const id = r.str(o.id, `${path}.id`, undefined, ID);
  const members = (r.arr(o.members, `${path}.members`, false) ?? []).map((m, i) =>
    member(r, m, `${path}.members[${i}]`),
  );
  const resources = (r.arr(o.resources, `${path}.resources`, false) ?? []).map((x, i) =>
    resource(r, x, `${path}.resources[${i}]`),
  );
  r.unique(
    members.map((m) => m?.id),
    `${path}.members`,
    'member',
  );
  r.unique(
    resources.map((x) => x?.id),
    `${path}.resources`,
    'resource',
  );
  if (id === undefined || members.some((m) => !m) || resources.some((x) => !x)) return undefined;
  return { id, members: members as MemberConfig[], resources: resources as ResourceConfig[] };
}

function mapping(r: Reader, v: unknown, path: string, groups: GroupConfig[]): AlertMapping | undefined {
  const o = r.obj(v, path, ['match', 'group', 'groupLabel', 'memberLabel', 'memberMap']);
  if (!o) return undefined;
  const match = r.strMap(o.match, `${path}.match`);
  const out: AlertMapping = { match: match ?? {} };
  if (o.group !== undefined) {
    const g = r.str(o.group, `${path}.group`);
    if (g !== undefined && !groups.some((x) => x.id === g)) r.fail(`${path}.group`, `unknown group '${g}'`);
    if (g !== undefined) out.group = g;
  }
  if (o.groupLabel !== undefined) {
    const l = r.str(o.groupLabel, `${path}.groupLabel`);
    if (l !== undefined) out.groupLabel = l;
  }
  if ((out.group === undefined) === (out.groupLabel === undefined))
    r.fail(path, 'needs exactly one of group, groupLabel');
  if (o.memberLabel !== undefined) {
    const l = r.str(o.memberLabel, `${path}.memberLabel`);
    if (l !== undefined) out.memberLabel = l;
  }
  if (o.memberMap !== undefined) {
    const m = r.strMap(o.memberMap, `${path}.memberMap`);
    if (m) out.memberMap = m;
  }
  return out;
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
  const r = new Reader();
  const keys = ['redis', 'http', 'worker', 'sweep', 'tokens', 'webhooks', 'alerts', 'groups', 'providers'];
  const o = r.obj(input, path, keys);
  if (!o) return { ok: false, errors: r.errors };
  const redis = r.obj(o.redis ?? {}, `${path}.redis`, ['url', 'prefix']) ?? {};
  const http = r.obj(o.http ?? {}, `${path}.http`, ['host', 'port', 'bodyLimitBytes', 'ratePerMinute']) ?? {};
  const worker =
    r.obj(o.worker ?? {}, `${path}.worker`, ['concurrency', 'lockTtlMs', 'attempts', 'backoffMs']) ?? {};
  const sweep = r.obj(o.sweep ?? {}, `${path}.sweep`, ['everyMs']) ?? {};
  const webhooks = r.obj(o.webhooks ?? {}, `${path}.webhooks`, ['hmac', 'sns']) ?? {};
  const groups = (r.arr(o.groups, `${path}.groups`, false) ?? []).map((g, i) =>
    group(r, g, `${path}.groups[${i}]`),
  );
  r.unique(
    groups.map((g) => g?.id),
    `${path}.groups`,
    'group',
  );
  const okGroups = groups.filter((g): g is GroupConfig => g !== undefined);
  const tokens = (r.arr(o.tokens, `${path}.tokens`) ?? []).map((t, i) => token(r, t, `${path}.tokens[${i}]`));
  const alerts = (r.arr(o.alerts, `${path}.alerts`) ?? []).map((a, i) =>
    mapping(r, a, `${path}.alerts[${i}]`, okGroups),
  );
  const config: ControlPlaneConfig = {
    redis: {
      url: r.str(redis.url, `${path}.redis.url`, 'redis://127.0.0.1:6379', /^rediss?:\/\//) ?? '',
      prefix: r.str(redis.prefix, `${path}.redis.prefix`, 'floatip', /^[A-Za-z0-9_.-]+$/) ?? '',
    },
    http: {
      host: r.str(http.host, `${path}.http.host`, '127.0.0.1') ?? '',
      port: r.int(http.port, `${path}.http.port`, 8080, 0, 65535) ?? 0,
      bodyLimitBytes: r.int(http.bodyLimitBytes, `${path}.http.bodyLimitBytes`, 65536, 256, 8 << 20) ?? 0,
      ratePerMinute: r.int(http.ratePerMinute, `${path}.http.ratePerMinute`, 6000, 1, 10_000_000) ?? 0,
    },
    worker: {
      concurrency: r.int(worker.concurrency, `${path}.worker.concurrency`, 8, 1, 1000) ?? 0,
      lockTtlMs: r.int(worker.lockTtlMs, `${path}.worker.lockTtlMs`, 30_000, 100, 3_600_000) ?? 0,
      attempts: r.int(worker.attempts, `${path}.worker.attempts`, 5, 1, 100) ?? 0,
      backoffMs: r.int(worker.backoffMs, `${path}.worker.backoffMs`, 500, 1, 600_000) ?? 0,
    },
    sweep: { everyMs: r.int(sweep.everyMs, `${path}.sweep.everyMs`, 30_000, 100, 86_400_000) ?? 0 },
    tokens: tokens.filter((t): t is TokenConfig => t !== undefined),
    webhooks: {},
    alerts: alerts.filter((a): a is AlertMapping => a !== undefined),
    groups: okGroups,
    providers: {},
  };
  const providers =
    o.providers === undefined
      ? {}
      : isObj(o.providers)
        ? o.providers
        : r.fail(`${path}.providers`, 'must be a mapping');
  for (const [name, settings] of Object.entries(providers ?? {})) {
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      r.fail(`${path}.providers.${name}`, 'provider names are lower-case words');
    else if (!isObj(settings)) r.fail(`${path}.providers.${name}`, 'must be a mapping');
    else config.providers[name] = settings;
  }
  r.unique(
    config.tokens.map((t) => t.name),
    `${path}.tokens`,
    'token',
  );
  if (webhooks.hmac !== undefined) {
    const h = r.obj(webhooks.hmac, `${path}.webhooks.hmac`, ['value', 'env', 'toleranceSec']);
    if (h)
      config.webhooks.hmac = {
        ...secret(r, h, `${path}.webhooks.hmac`),
        toleranceSec: r.int(h.toleranceSec, `${path}.webhooks.hmac.toleranceSec`, 300, 1, 86_400) ?? 0,
      };
  }
  if (webhooks.sns !== undefined) {
    const s = r.obj(webhooks.sns, `${path}.webhooks.sns`, ['topicArns', 'certUrlPattern', 'toleranceSec']);
    if (s) {
      const arns = (r.arr(s.topicArns, `${path}.webhooks.sns.topicArns`, false) ?? []).map((a, i) =>
        r.str(a, `${path}.webhooks.sns.topicArns[${i}]`, undefined, /^arn:aws[a-z-]*:sns:/),
      );
      const pattern = r.str(s.certUrlPattern, `${path}.webhooks.sns.certUrlPattern`, defaultSnsUrlPattern);
      if (pattern !== undefined && !pattern.startsWith('^'))
        r.fail(`${path}.webhooks.sns.certUrlPattern`, "must be anchored (start with '^')");
      config.webhooks.sns = {
        topicArns: arns.filter((a): a is string => a !== undefined),
        certUrlPattern: pattern ?? defaultSnsUrlPattern,
        toleranceSec: r.int(s.toleranceSec, `${path}.webhooks.sns.toleranceSec`, 3600, 1, 86_400 * 7) ?? 0,
      };
    }
  }
  return r.errors.length === 0 ? { ok: true, config } : { ok: false, errors: r.errors };
}
