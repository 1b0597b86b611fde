import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis } from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import type { RedisConfig } from '../../core/config/control-plane.ts';

/** A Redis configuration problem (missing environment variable, unreadable CA file), naming the field. */
export class RedisConfigError extends Error {}

export type RedisRole = 'api' | 'worker';

/**
 * How a process talks to Redis:
 * - `api`: fail fast. No offline queue, one try per command, so a request answers 503 at once while
 *   Redis is down instead of hanging (the sender retries; nothing is lost). A Redis that is connected but
 *   does not answer gets 5 s: the timeout is a timer in this process, so an event loop stalled for longer
 *   (a worker in the same process loading a cloud SDK from a busy disk) ends it even when Redis answered
 *   in time; 2 s gave such false 503s on a loaded machine (test/e2e/multi-cloud.test.ts).
 * - `worker`: wait it out. Commands queue while Redis is away and run when it is back, so a failover that
 *   was mid-flight when Redis stopped completes once it returns (BullMQ requires this for workers).
 */
function roleOptions(role: RedisRole): RedisOptions {
  return role === 'api'
    ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 5000 }
    : { enableOfflineQueue: true, maxRetriesPerRequest: null };
}

const retry = (times: number): number => Math.min(50 * 2 ** times, 1000);

function secretFromEnv(name: string, field: string, env: NodeJS.ProcessEnv): string {
  const v = env[name];
  if (v === undefined || v === '')
    throw new RedisConfigError(`controlPlane.redis.${field}: environment variable ${name} is not set`);
  return v;
}

function tlsOptions(tls: RedisConfig['tls']): ConnectionOptions | undefined {
  if (tls === undefined) return undefined;
  if (tls === true) return {};
  let ca: string | undefined;
  if (tls.caFile !== undefined)
    try {
      ca = readFileSync(tls.caFile, 'utf8');
    } catch (err) {
      throw new RedisConfigError(
        `controlPlane.redis.tls.caFile: cannot read ${tls.caFile}: ${(err as Error).message}`,
      );
    }
  return { ...(ca ? { ca } : {}), ...(tls.servername ? { servername: tls.servername } : {}) };
}

/** Credentials and TLS shared by every mode (the password only ever from the environment). */
function authOptions(c: RedisConfig, env: NodeJS.ProcessEnv): RedisOptions {
  const tls = tlsOptions(c.tls);
  return {
    ...(c.username ? { username: c.username } : {}),
    ...(c.passwordEnv ? { password: secretFromEnv(c.passwordEnv, 'passwordEnv', env) } : {}),
    ...(tls ? { tls } : {}),
  };
}

function connectCluster(
  c: RedisConfig,
  nodes: { host: string; port: number }[],
  role: RedisRole,
  base: RedisOptions,
  env: NodeJS.ProcessEnv,
): Cluster {
  const options: ClusterOptions = {
    redisOptions: { ...base, ...roleOptions(role), ...authOptions(c, env) },
    enableOfflineQueue: role === 'worker',
    clusterRetryStrategy: retry,
    // TLS endpoints (ElastiCache, Azure Cache) are certified for the names the seed nodes use.
    ...(c.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  };
  return new Cluster(nodes, options);
}

/**
 * One connection to the configured Redis: a URL (single node, TLS with `rediss://`), Redis Sentinel
 * (ioredis asks the sentinels for the primary and follows `+switch-master`), or a Redis Cluster.
 *
 * A Cluster client is returned typed as `Redis`: ioredis' Cluster has the same command interface, and
 * every floatip key carries the `{prefix}` hash tag (adapters/redis/keys.ts), so multi-key scripts and
 * MULTI blocks stay inside one slot. Commands that walk the keyspace (SCAN) must go through
 * `eachPrimary` instead. Proven against real servers by test/e2e/redis-ha/*.test.ts.
 */
export function connectRedis(
  target: string | RedisConfig,
  role: RedisRole,
  onError?: (err: Error) => void,
  name = `floatip-${role}`,
  env: NodeJS.ProcessEnv = process.env,
): Redis {
  const c: RedisConfig = typeof target === 'string' ? { url: target, prefix: '' } : target;
  const base: RedisOptions = {
    connectionName: name,
    lazyConnect: false,
    connectTimeout: 2000,
    retryStrategy: retry,
  };
  let redis: Redis;
  if (c.cluster) {
    redis = connectCluster(c, c.cluster, role, base, env) as unknown as Redis;
  } else if (c.sentinels) {
    redis = new Redis({
      ...base,
      ...roleOptions(role),
      ...authOptions(c, env),
      sentinels: c.sentinels,
      name: c.name ?? 'mymaster',
      ...(c.sentinelPasswordEnv
        ? { sentinelPassword: secretFromEnv(c.sentinelPasswordEnv, 'sentinelPasswordEnv', env) }
        : {}),
      ...(c.tls ? { enableTLSForSentinelMode: true, sentinelTLS: tlsOptions(c.tls) ?? {} } : {}),
      // A dead primary: the connection fails and ioredis asks the sentinels again. A demoted one (planned
      // failover) answers READONLY: reconnect, which finds the new primary. (ioredis' failoverDetector
      // would also reconnect on +switch-master after the client had already moved: a second, needless gap,
      // seen in test/e2e/redis-ha/sentinel.test.ts.)
      reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
      sentinelRetryStrategy: retry,
    });
  } else {
    const url = c.url ?? (c.urlEnv ? secretFromEnv(c.urlEnv, 'urlEnv', env) : 'redis://127.0.0.1:6379');
    redis = new Redis(url, { ...base, ...roleOptions(role), ...authOptions(c, env) });
  }
  // Connection errors surface as `status` and as failed commands (→ 503 / retry); no unhandled events.
  redis.on('error', (err: Error) => onError?.(err));
  return redis;
}

/** The primaries to run a keyspace command on: each Cluster primary, or the one connection. */
export function eachPrimary(redis: Redis): Redis[] {
  return redis instanceof Cluster ? (redis as Cluster).nodes('master') : [redis];
}

/** Where a connection points, for messages (never credentials). */
export function describeRedis(c: RedisConfig): string {
  if (c.cluster) return `Redis Cluster ${c.cluster.map((n) => `${n.host}:${n.port}`).join(',')}`;
  if (c.sentinels)
    return `Redis Sentinel '${c.name ?? ''}' via ${c.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  if (c.urlEnv) return `the Redis URL in $${c.urlEnv}`;
  const u = new URL(c.url ?? 'redis://127.0.0.1:6379');
  u.username = '';
  u.password = '';
  return u.toString();
}

/**
 * Waits until the connection is ready or `timeoutMs` has passed, and says which. Function handlers call
 * it at the start of every invocation: a cold-started function connects within its first request
 * instead of answering 503 while the connection is still being made (a frozen Lambda has no "later").
 */
export async function readyWithin(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  if (redis.status === 'end') return false;
  return new Promise<boolean>((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(t);
      redis.off('ready', onReady);
      resolve(ready);
    };
    const onReady = (): void => done(true);
    const t = setTimeout(() => done(redis.status === 'ready'), timeoutMs);
    redis.on('ready', onReady);
  });
}

/** Resolves when the connection is ready, or rejects after `timeoutMs` with a clear message. */
export async function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (await readyWithin(redis, timeoutMs)) return;
  const where =
    redis instanceof Cluster ? 'the Redis Cluster' : `Redis at ${redis.options.host}:${redis.options.port}`;
  throw new Error(`${where} did not answer within ${timeoutMs} ms`);
}
