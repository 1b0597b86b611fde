/** Shared set-up for control-plane tests: a unique Redis prefix, config, memory provider, cleanup. */
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { parseControlPlaneConfig } from '../../../core/config/control-plane.ts';
import type { ControlPlaneConfig } from '../../../core/config/control-plane.ts';
import type { VipProvider } from '../../../core/ports/index.ts';
import { MemoryVipProvider } from '../../../adapters/memory/index.ts';
import { createLogger } from '../../../adapters/system/index.ts';
import { connectRedis, eachPrimary, hashTagged, waitReady } from '../../../adapters/redis/index.ts';
import type { ControlOverrides, ControlPlane } from '../../../functions/control-plane/index.ts';
import { buildControlPlane } from '../../../functions/control-plane/index.ts';

export const redisUrl = process.env.FLOATIP_TEST_REDIS ?? 'redis://127.0.0.1:6379';
/**
 * `host:port,host:port`: run on a Redis Cluster with these seed nodes instead of `redisUrl` (set by
 * test/e2e/redis-ha/cluster.test.ts, which starts one and runs this suite on it).
 */
const clusterNodes = process.env.FLOATIP_TEST_REDIS_CLUSTER?.split(',').map((hp) => {
  const [host = '', port = ''] = hp.split(':');
  return { host, port: Number(port) };
});
/** The control plane's `redis:` section for `prefix`: the cluster when one is given, else `redisUrl`. */
export function redisSection(prefix: string): Record<string, unknown> {
  return clusterNodes ? { cluster: clusterNodes, prefix } : { url: redisUrl, prefix };
}
export const opsToken = 'ops-secret-token';
export const viewerToken = 'viewer-secret-token';
export const hookSecret = 'hook-secret';
export const quietLogger = createLogger({ level: process.env.FLOATIP_TEST_LOG ?? 'silent' });

/** The test config: group `web` (members a > b > c by priority), one memory resource, alert mappings. */
export function testConfigInput(
  prefix: string,
  url = redisUrl,
  patch: Record<string, unknown> = {},
): unknown {
  return {
    redis: clusterNodes && url === redisUrl ? { cluster: clusterNodes, prefix } : { url, prefix },
    http: { bodyLimitBytes: 4096, ratePerMinute: 1_000_000 },
    worker: { concurrency: 4, lockTtlMs: 10_000, attempts: 3, backoffMs: 50 },
    sweep: { everyMs: 3_600_000 },
    tokens: [
      { name: 'ops', value: opsToken, scopes: ['read', 'failover'] },
      { name: 'viewer', value: viewerToken, scopes: ['read'] },
    ],
    webhooks: { hmac: { value: hookSecret } },
    alerts: [
      { match: { alertname: 'NodeDown' }, groupLabel: 'floatip_group', memberLabel: 'instance' },
      {
        match: { alertname: 'WebDown' },
        group: 'web',
        memberLabel: 'host',
        memberMap: { 'host-a': 'a', 'host-b': 'b' },
      },
    ],
    groups: [
      {
        id: 'web',
        members: { a: { priority: 200 }, b: { priority: 150 }, c: { priority: 100 } },
        resources: [{ id: 'web-vip', provider: 'memory', kind: 'address', spec: {} }],
      },
      {
        id: 'db',
        members: { p: { priority: 200 }, q: { priority: 100 } },
        resources: [{ id: 'db-vip', provider: 'memory', kind: 'address', spec: {} }],
      },
    ],
    ...patch,
  };
}

export function testConfig(
  prefix: string,
  url = redisUrl,
  patch: Record<string, unknown> = {},
): ControlPlaneConfig {
  const r = parseControlPlaneConfig(testConfigInput(prefix, url, patch));
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.config;
}

/** Deletes every key under the (hash-tagged) prefix (SCAN + UNLINK on each primary); safe on the shared Redis. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const target = clusterNodes && url === redisUrl ? { cluster: clusterNodes, prefix } : url;
  const r = connectRedis(target, 'api', undefined, 'floatip-test-cleanup');
  try {
    await waitReady(r);
    for (const node of eachPrimary(r)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${hashTagged(prefix)}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await node.unlink(...keys);
      } while (cursor !== '0');
    }
  } finally {
    r.disconnect();
  }
}

export interface Fixture {
  prefix: string;
  config: ControlPlaneConfig;
  provider: MemoryVipProvider;
  cp: ControlPlane;
  /** Registers a clean-up that runs before the control plane closes (last registered runs first). */
  defer(fn: () => Promise<unknown> | unknown): void;
}

/** A control plane on a fresh prefix; closed and its keys removed after the test, pass or fail. */
export async function controlFixture(
  t: TestContext,
  o: {
    url?: string;
    patch?: Record<string, unknown>;
    /** Providers to use; `'from-config'` builds them from the config as production does. */
    providers?: Record<string, VipProvider> | 'from-config';
    overrides?: ControlOverrides;
  } = {},
): Promise<Fixture> {
  const prefix = `t-cp-${randomUUID().slice(0, 8)}`;
  const url = o.url ?? redisUrl;
  const config = testConfig(prefix, url, o.patch);
  const provider = new MemoryVipProvider('memory');
  provider.set('web-vip', 'a');
  provider.set('db-vip', 'p');
  const cp = buildControlPlane(config, {
    logger: quietLogger,
    ...(o.providers === 'from-config' ? {} : { providers: o.providers ?? { memory: provider } }),
    ...o.overrides,
  });
  const deferred: (() => Promise<unknown> | unknown)[] = [];
  t.after(async () => {
    // Each step is bounded so a failed test with Redis down still cleans up instead of hanging.
    const bounded = (p: Promise<unknown> | unknown) =>
      Promise.race([
        Promise.resolve(p).catch(() => undefined),
        new Promise((r) => setTimeout(r, 5000).unref()),
      ]);
    for (const fn of deferred.reverse()) await bounded(fn());
    await bounded(cp.close());
    await dropPrefix(url, prefix).catch(() => undefined);
  });
  await Promise.all([waitReady(cp.apiRedis), waitReady(cp.workerRedis)]);
  return { prefix, config, provider, cp, defer: (fn) => deferred.push(fn) };
}

/** Resolves when `check` returns a value other than undefined (polling; no timing is asserted). */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  limitMs = 15_000,
): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
