/**
 * Cloud mode only when a `cloud:` section exists: the provider SDKs behind cloud-mode.ts cost about a
 * second of CPU to load, so the agent imports them only then (a plain keepalived.conf never pays for it).
 * The check mirrors openCloudMode's: `floatip-cloud.yaml` next to a keepalived.conf, or a top-level
 * `cloud:` key in a native YAML/JSON config. A native file that does not parse goes to openCloudMode,
 * which reports it as before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CloudMode, openCloudMode as OpenCloudMode } from './cloud-mode.ts';

/**
 * True when `configPath` would give the agent a cloud section (or cannot tell without the full loader).
 * The YAML parser is loaded only for a native file (a keepalived agent never loads it).
 */
export async function mayHaveCloud(configPath: string): Promise<boolean> {
  if (!/\.(ya?ml|json)$/i.test(configPath))
    return existsSync(join(dirname(configPath), 'floatip-cloud.yaml'));
  try {
    const { parse } = await import('yaml');
    const doc: unknown = parse(readFileSync(configPath, 'utf8'));
    return doc !== null && typeof doc === 'object' && 'cloud' in doc;
  } catch {
    return true;
  }
}

/** openCloudMode, loaded on demand; null without a cloud section. */
export async function openCloudModeLazily(
  configPath: string,
  o: Parameters<typeof OpenCloudMode>[1],
): Promise<CloudMode | null> {
  if (!(await mayHaveCloud(configPath))) return null;
  const { openCloudMode } = await import('./cloud-mode.ts');
  return openCloudMode(configPath, o);
}
