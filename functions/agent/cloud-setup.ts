/**
 * Composition of cloud mode: turns a validated `cloud:` section into VipProviders (one per configured
 * provider, each over its real SDK), the resources and the members, ready for core/failover. Also reads
 * the section from a file: the native YAML/JSON config (its `cloud:` key) or, next to a keepalived.conf,
 * the overlay `floatip-cloud.yaml`. Every problem names the file, line and field; nothing is defaulted
 * that the config did not say.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { TokenCredential } from '@azure/core-auth';
import { OAuth2Client } from 'google-auth-library';
import { AwsVipProvider } from '../../adapters/aws/index.ts';
import { AzureVipProvider } from '../../adapters/azure/index.ts';
import { DnsVipProvider } from '../../adapters/dns/index.ts';
import { GcpVipProvider } from '../../adapters/gcp/index.ts';
import { MemoryVipProvider } from '../../adapters/memory/index.ts';
import { systemRandom } from '../../adapters/system/index.ts';
import { validateCloudSection, type CloudSection } from '../../core/config/cloud.ts';
import {
  defaultFailoverPolicy,
  type ExecuteDeps,
  type FailoverPolicy,
  type Sleep,
} from '../../core/failover/index.ts';
import type { Clock, Holder, Random, VipProvider, VipResource } from '../../core/ports/index.ts';

export interface LoadedCloud {
  file: string;
  section: CloudSection;
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
  const text = readFileSync(source, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map((e) => `${source}: ${e.message}`) };
  const data = doc.toJS() as Record<string, unknown> | null;
  if (!data || typeof data !== 'object' || !('cloud' in data))
    return { ok: false, errors: [`${source}: no top-level 'cloud:' section`] };
  const v = validateCloudSection(data.cloud);
  if (!v.ok) {
    const where = (path: Array<string | number>): string => {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(['cloud', ...path.slice(0, n)], true) as
          { range?: [number, number] } | undefined;
        if (node?.range) return `${source}:${lines.linePos(node.range[0]).line}`;
      }
      return source;
    };
    return {
      ok: false,
      errors: v.problems.map((p) => `${where(p.path)}: ${['cloud', ...p.path].join('.')}: ${p.message}`),
    };
  }
  return { ok: true, value: { file: source, section: v.value } };
}

function mergePolicy(section: CloudSection): FailoverPolicy {
  const o = section.policy ?? {};
  const d = defaultFailoverPolicy;
  return {
    call: { ...d.call, ...o.call },
    verify: { ...d.verify, ...o.verify },
    action: { ...d.action, ...o.action },
    concurrency: o.concurrency ?? d.concurrency,
    rate: o.rate ?? d.rate,
  };
}

export interface CloudRuntime {
  deps: ExecuteDeps;
  resources: VipResource[];
  members: string[];
  section: CloudSection;
}

export interface BuildOptions {
  env?: Record<string, string | undefined>;
  random?: Random;
  clock?: Clock;
  sleep?: Sleep;
  dryRun?: boolean;
}

/** Builds one provider per configured provider key, or says precisely why it cannot. */
export function buildCloud(
  section: CloudSection,
  o: BuildOptions = {},
): { ok: true; value: CloudRuntime } | { ok: false; errors: string[] } {
  const env = o.env ?? process.env;
  const policy = mergePolicy(section);
  const errors: string[] = [];
  const providers = new Map<string, VipProvider>();
  const memberIds = Object.keys(section.members);
  const runtime = {
    policy,
    ...(o.random ? { random: o.random } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
  };
  for (const [key, p] of Object.entries(section.providers)) {
    const members: Holder[] = memberIds.map((id) => ({ id, spec: section.members[id]?.[key] ?? {} }));
    try {
      if ('caFile' in p && p.caFile && p.type !== 'azure')
        throw new Error(`caFile is only supported for azure providers`);
      const endpoint = p.type !== 'memory' && p.endpoint ? { endpoint: p.endpoint } : {};
      if (p.type === 'aws')
        providers.set(key, new AwsVipProvider({ region: p.region, members, ...endpoint, ...runtime }));
      else if (p.type === 'dns') providers.set(key, new DnsVipProvider({ members, ...endpoint, ...runtime }));
      else if (p.type === 'azure') {
        const name = p.tokenEnv;
        const credential: TokenCredential = {
          getToken: async () => {
            const token = env[name];
            if (!token) throw new Error(`environment variable ${name} is not set`);
            return { token, expiresOnTimestamp: Date.now() + 5 * 60_000 };
          },
        };
        if (!env[name]) throw new Error(`environment variable ${name} (tokenEnv) is not set`);
        const ca = p.caFile ? { ca: readFileSync(p.caFile, 'utf8') } : {};
        providers.set(
          key,
          new AzureVipProvider({
            subscriptionId: p.subscriptionId,
            credential,
            members,
            ...endpoint,
            ...ca,
            ...runtime,
          }),
        );
      } else if (p.type === 'gcp') {
        let authClient: OAuth2Client | undefined;
        if (p.tokenEnv) {
          const token = env[p.tokenEnv];
          if (!token) throw new Error(`environment variable ${p.tokenEnv} (tokenEnv) is not set`);
          authClient = new OAuth2Client();
          authClient.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
        }
        providers.set(
          key,
          new GcpVipProvider({
            project: p.project,
            members,
            ...endpoint,
            ...(authClient ? { authClient } : {}),
            ...runtime,
          }),
        );
      } else providers.set(key, new MemoryVipProvider(key));
    } catch (err) {
      errors.push(`cloud.providers.${key}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const resources: VipResource[] = section.resources.map((r) => ({
    id: r.id,
    provider: r.provider,
    kind: r.kind,
    spec: r.spec,
  }));
  const deps: ExecuteDeps = {
    providers,
    resources: new Map(resources.map((r) => [r.id, r])),
    holders: new Map(memberIds.map((id) => [id, { id, spec: {} }])),
    policy,
    random: o.random ?? systemRandom,
    sleep: o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    dryRun: o.dryRun ?? false,
  };
  return { ok: true, value: { deps, resources, members: memberIds, section } };
}

/** Closes what holds sockets (GCP clients). */
export async function closeCloud(rt: CloudRuntime): Promise<void> {
  for (const p of rt.deps.providers.values()) if (p instanceof GcpVipProvider) await p.close();
}
