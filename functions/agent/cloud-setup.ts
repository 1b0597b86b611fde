/**
 * Reading and composing a `cloud:` section: from the native YAML/JSON config (its `cloud:` key) or, next
 * to a keepalived.conf, the overlay `floatip-cloud.yaml`; checked by the shared schema
 * (core/config/cloud.ts) and by each provider's own schema (functions/shared/provider-schemas.ts), then
 * built into providers by the one composition (functions/shared/providers.ts). Every problem names the
 * file, line and field; nothing is defaulted that the config did not say.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { validateCloudSection, type CloudSection } from '../../core/config/cloud.ts';
import type { GroupProblem } from '../../core/config/failover-group.ts';
import type { FailoverDeps } from '../../core/app/index.ts';
import { mergePolicy } from '../../core/failover/index.ts';
import type { Fence, VipProvider } from '../../core/ports/index.ts';
import { MemoryGroupStore } from '../../adapters/memory/index.ts';
import { createLogger, realSleep, systemClock, systemRandom } from '../../adapters/system/index.ts';
import { checkProviders, withMemory } from '../shared/provider-schemas.ts';
import { buildProviders, closeProviders, type BuildRuntime } from '../shared/providers.ts';

export interface LoadedCloud {
  file: string;
  section: CloudSection;
}

/** `file:line` of the deepest node of `path` under `cloud:` that exists. */
function locator(doc: Document, lines: LineCounter, source: string) {
  return (path: Array<string | number>): string => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(['cloud', ...path.slice(0, n)], true) as
        { range?: [number, number] } | undefined;
      if (node?.range) return `${source}:${lines.linePos(node.range[0]).line}`;
    }
    return source;
  };
}

/** Reads and validates the `cloud:` section; errors are lines like `file:line: cloud.resources.2.provider: ...`. */
export function loadCloudSection(
  file: string,
): { ok: true; value: LoadedCloud } | { ok: false; errors: string[] } {
  const isNative = /\.(ya?ml|json)$/i.test(file);
  const source = isNative ? file : join(dirname(file), 'floatip-cloud.yaml');
  if (!existsSync(source))
    return {
      ok: false,
      errors: [
        isNative ? `${file}: no such file` : `${source}: no such file (the cloud overlay next to ${file})`,
      ],
    };
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(source, 'utf8'), { lineCounter: lines });
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => `${source}: ${e.message}`) };
  const data = doc.toJS() as Record<string, unknown> | null;
  if (!data || typeof data !== 'object' || !('cloud' in data))
    return { ok: false, errors: [`${source}: no top-level 'cloud:' section`] };
  const where = locator(doc, lines, source);
  const say = (ps: GroupProblem[]): string[] =>
    ps.map((p) => `${where(p.path)}: ${['cloud', ...p.path].join('.')}: ${p.message}`);
  const v = validateCloudSection(data.cloud);
  if (!v.ok) return { ok: false, errors: say(v.problems) };
  const problems = checkProviders(v.value.providers, [{ group: v.value.group, at: [] }]);
  if (problems.length > 0) return { ok: false, errors: say(problems) };
  return { ok: true, value: { file: source, section: v.value } };
}

export interface CloudRuntime {
  section: CloudSection;
  providers: Map<string, VipProvider>;
  /** The failover use case's ports over these providers, with `fence` as the authority. */
  deps(fence: Fence, store?: MemoryGroupStore): FailoverDeps;
  close(): Promise<void>;
}

/** Builds the section's providers, or says precisely why it cannot. */
export function buildCloud(
  section: CloudSection,
  o: BuildRuntime = {},
): { ok: true; value: CloudRuntime } | { ok: false; errors: string[] } {
  const built = buildProviders(section.providers, [section.group], {
    ...o,
    ...(section.policy ? { policy: section.policy } : {}),
  });
  if (!built.ok) return { ok: false, errors: built.errors.map((e) => `cloud.${e}`) };
  const providers = built.value;
  const policy = mergePolicy(section.policy);
  return {
    ok: true,
    value: {
      section,
      providers,
      deps: (fence, store = new MemoryGroupStore()) => ({
        clock: o.clock ?? systemClock,
        logger: createLogger({ name: 'floatip-cloud', level: process.env['FLOATIP_LOG_LEVEL'] ?? 'warn' }),
        random: o.random ?? systemRandom,
        sleep: o.sleep ?? realSleep,
        policy,
        fence,
        state: store,
        audit: store,
        providers: (name) => providers.get(name),
        providerConfigs: withMemory(section.providers),
      }),
      close: () => closeProviders(providers.values()),
    },
  };
}
