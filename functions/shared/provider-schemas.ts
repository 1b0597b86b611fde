/**
 * The one registry of provider configurations: each cloud adapter folder declares its schemas
 * (adapters/<cloud>/config.ts) and this checks a section against them — the agent's `cloud:` section and
 * the control plane's groups alike. Loads no SDK, so `check-config` stays fast.
 */
import { awsConfig } from '../../adapters/aws/config.ts';
import { azureConfig } from '../../adapters/azure/config.ts';
import { dnsConfig } from '../../adapters/dns/config.ts';
import { gcpConfig } from '../../adapters/gcp/config.ts';
import { memoryModule } from '../../adapters/memory/module.ts';
import type { GroupConfig, GroupProblem, ProviderConfig } from '../../core/config/failover-group.ts';
import { memoryProvider } from '../../core/config/failover-group.ts';
import type { ProviderSchemas } from '../../core/failover/index.ts';
import type * as z from 'zod';

export const providerSchemas: Readonly<Record<string, ProviderSchemas>> = {
  aws: awsConfig,
  azure: azureConfig,
  gcp: gcpConfig,
  dns: dnsConfig,
  memory: memoryModule,
};

/** A group and where it sits in its section (`[]` for the agent, `['groups', 0]` for the control plane). */
export interface PlacedGroup {
  group: GroupConfig;
  at: Array<string | number>;
}

/** The configured providers plus the implicit `memory` one. */
export function withMemory(providers: Record<string, ProviderConfig>): Record<string, ProviderConfig> {
  return memoryProvider in providers
    ? providers
    : { ...providers, [memoryProvider]: { type: memoryProvider, settings: {} } };
}

function issues(r: z.ZodSafeParseResult<unknown>, at: Array<string | number>): GroupProblem[] {
  if (r.success) return [];
  return r.error.issues.map((i) => ({
    path: [...at, ...i.path.filter((p): p is string | number => typeof p !== 'symbol')],
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
}

function checkResources(g: PlacedGroup, all: Record<string, ProviderConfig>): GroupProblem[] {
  return g.group.resources.flatMap((r, i) => {
    const s = providerSchemas[all[r.provider]?.type ?? ''];
    if (!s || s.kinds === null) return [];
    const schema = s.kinds[r.kind];
    if (!schema)
      return [
        {
          path: [...g.at, 'resources', i, 'kind'],
          message: `unknown ${s.type} kind '${r.kind}' (${Object.keys(s.kinds).join(', ')})`,
        },
      ];
    return issues(schema.safeParse(r.spec), [...g.at, 'resources', i, 'spec']);
  });
}

/**
 * Checks every provider's settings, every member's block per provider and every resource's kind and
 * spec against the provider's own schemas. Paths are relative to the section.
 */
export function checkProviders(
  providers: Record<string, ProviderConfig>,
  groups: readonly PlacedGroup[],
): GroupProblem[] {
  const all = withMemory(providers);
  const problems: GroupProblem[] = [];
  for (const [name, p] of Object.entries(providers)) {
    const s = providerSchemas[p.type];
    if (!s) {
      problems.push({
        path: ['providers', name, 'type'],
        message: `unknown provider type '${p.type}' (${Object.keys(providerSchemas).join(', ')})`,
      });
      continue;
    }
    problems.push(...issues(s.settings.safeParse(p.settings), ['providers', name]));
  }
  const shared = new Map<string, { at: Array<string | number>; json: string }>();
  for (const g of groups) {
    for (const m of g.group.members)
      for (const [name, block] of Object.entries(m.settings)) {
        const s = providerSchemas[all[name]?.type ?? ''];
        if (s) problems.push(...issues(s.member.safeParse(block), [...g.at, 'members', m.id, name]));
        // One provider knows one member list: the same member id must mean the same machine everywhere.
        const key = `${name}\n${m.id}`;
        const json = JSON.stringify(block);
        const prev = shared.get(key);
        if (prev && prev.json !== json)
          problems.push({
            path: [...g.at, 'members', m.id, name],
            message: `member '${m.id}' has other '${name}' settings at ${prev.at.join('.')}; one id is one machine`,
          });
        if (!prev) shared.set(key, { at: [...g.at, 'members', m.id, name], json });
      }
    problems.push(...checkResources(g, all));
  }
  return problems;
}

/** The longest one write may take among the providers `group` uses (0 for memory only). */
export function slowestWriteMs(providers: Record<string, ProviderConfig>, group: GroupConfig): number {
  const all = withMemory(providers);
  return Math.max(
    0,
    ...group.resources.map((r) => providerSchemas[all[r.provider]?.type ?? '']?.expectedWriteMs ?? 0),
  );
}
