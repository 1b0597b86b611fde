/**
 * Pre-flight of a group (`floatip cloud preflight`): asks each resource's provider to prove, without a
 * write, that a move to any member would be allowed and would land, and sums the findings up into one
 * verdict. The proof itself is the adapters' (DryRun, testIamPermissions, the permissions API, reads);
 * this use case only decides which members may hold what and how findings rank.
 */
import type { GroupConfig, ResourceConfig } from '../config/failover-group.ts';
import type * as z from 'zod';
import { mapLimited, parseMembers } from '../failover/index.ts';
import type { Holder, PreflightFinding, PreflightOptions, VipProvider } from '../ports/index.ts';

export interface PreflightDeps {
  providers: (name: string) => VipProvider | undefined;
  /** Resources checked at once (each provider keeps its own rate limit). */
  concurrency?: number;
}

/**
 * The verdict, worst first: an API that did not answer leaves the rest unknown (`unreachable`); a
 * missing or mismatched resource fails whatever the permissions say (`resource`); then `permission`.
 * Warnings and unproven items do not fail a pre-flight (they are printed).
 */
export type PreflightVerdict = 'ok' | 'permission' | 'resource' | 'unreachable';

export interface PreflightReport {
  group: string;
  verdict: PreflightVerdict;
  findings: PreflightFinding[];
}

const problem = (f: PreflightFinding): PreflightVerdict =>
  f.status === 'unreachable'
    ? 'unreachable'
    : f.status === 'missing-resource' || f.status === 'mismatch'
      ? 'resource'
      : f.status === 'missing-permission'
        ? 'permission'
        : 'ok';

const rank: Record<PreflightVerdict, number> = { ok: 0, permission: 1, resource: 2, unreachable: 3 };

/** A pre-flight call's answer: its value, or the finding status and one line of why. */
export type PreflightAnswer<T> =
  { ok: true; value: T } | { ok: false; status: PreflightFinding['status']; detail: string };

/**
 * Runs one pre-flight call, again after 100, 200, 400 ms while `classify` says the failure is worth a
 * retry (throttled, unavailable); then answers what it found.
 */
export async function answerOf<T>(
  run: () => Promise<T>,
  classify: (err: unknown) => { status: PreflightFinding['status']; detail: string; retry: boolean },
  sleep: (ms: number) => Promise<void>,
): Promise<PreflightAnswer<T>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { ok: true, value: await run() };
    } catch (err) {
      const s = classify(err);
      if (s.retry && attempt < 3) {
        await sleep(100 * 2 ** attempt);
        continue;
      }
      return { ok: false, status: s.status, detail: s.detail };
    }
  }
}

/**
 * The findings of one resource's pre-flight and the one way adapters add to them:
 * `say(check, status, subject, detail, foreign?)`.
 */
export function findingsOf(resource: string): {
  out: PreflightFinding[];
  say: (
    check: PreflightFinding['check'],
    status: PreflightFinding['status'],
    subject: string,
    detail: string,
    foreign?: boolean,
  ) => void;
} {
  const out: PreflightFinding[] = [];
  return {
    out,
    say: (check, status, subject, detail, foreign = false) =>
      void out.push({ resource, check, status, subject, detail, ...(foreign ? { foreign: true } : {}) }),
  };
}

/**
 * The provider's members checked with its holder schema, as pre-flight takes them: a bad member is not
 * thrown but said (`topology`, `mismatch`, subject `members`), and the answer is then undefined.
 */
export function membersOf<T>(
  schema: z.ZodType<T, unknown>,
  holders: readonly Holder[],
  provider: string,
  say: ReturnType<typeof findingsOf>['say'],
): { id: string; spec: T }[] | undefined {
  try {
    return parseMembers(schema, holders, provider);
  } catch (err) {
    say('topology', 'mismatch', 'members', (err as Error).message);
    return undefined;
  }
}

/** The worst verdict among `findings`. */
export function verdictOf(findings: readonly PreflightFinding[]): PreflightVerdict {
  let worst: PreflightVerdict = 'ok';
  for (const f of findings) {
    const v = problem(f);
    if (rank[v] > rank[worst]) worst = v;
  }
  return worst;
}

/** The members that may hold `r`: those with settings for its provider. */
export function holdersOf(group: GroupConfig, r: ResourceConfig): Holder[] {
  return group.members.flatMap((m) => {
    const spec = m.settings[r.provider];
    return spec === undefined ? [] : [{ id: m.id, spec }];
  });
}

/** The findings about one resource; a provider that throws is reported, never rethrown. */
export async function preflightResource(
  deps: PreflightDeps,
  group: GroupConfig,
  r: ResourceConfig,
  options: PreflightOptions,
): Promise<PreflightFinding[]> {
  const provider = deps.providers(r.provider);
  const at = (status: PreflightFinding['status'], subject: string, detail: string): PreflightFinding[] => [
    { resource: r.id, check: 'topology', status, subject, detail },
  ];
  if (!provider) return at('mismatch', `provider ${r.provider}`, 'not configured');
  if (!provider.preflight)
    return at('unproven', `provider ${r.provider}`, 'this provider has no pre-flight checks');
  const members = holdersOf(group, r);
  if (members.length === 0)
    return at(
      'mismatch',
      `provider ${r.provider}`,
      `no member of group ${group.id} has ${r.provider} settings`,
    );
  try {
    return await provider.preflight(r, members, options);
  } catch (err) {
    return [
      {
        resource: r.id,
        check: 'reach',
        status: 'unreachable',
        subject: `provider ${r.provider}`,
        detail: err instanceof Error ? err.message : String(err),
      },
    ];
  }
}

/** Pre-flight of every resource of `group`; changes nothing (the adapters only read and dry-run). */
export async function runPreflight(
  deps: PreflightDeps,
  group: GroupConfig,
  options: PreflightOptions = { permissions: true },
): Promise<PreflightReport> {
  const per = await mapLimited(group.resources, deps.concurrency ?? 4, (r) =>
    preflightResource(deps, group, r, options),
  );
  const findings = per.flat();
  return { group: group.id, verdict: verdictOf(findings), findings };
}
