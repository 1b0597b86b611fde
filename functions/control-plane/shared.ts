import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { ControlDeps } from '../../core/app/index.ts';
import { runFailover, runSweep } from '../../core/app/index.ts';
import type { ControlPlaneConfig } from '../../core/config/control-plane.ts';
import type { Outcome } from '../../core/model/index.ts';
import type { Clock, ControlJob, Logger, VipProvider } from '../../core/ports/index.ts';
import { createLogger, systemClock } from '../../adapters/system/index.ts';
import type { ControlMetrics, HttpDeps } from '../../adapters/http/index.ts';
import { allowListedCertFetcher, createControlMetrics } from '../../adapters/http/index.ts';
import type { JobHandler } from '../../adapters/redis/index.ts';
import {
  bullJobQueue,
  connectRedis,
  controlKeys,
  createControlQueue,
  redisAuditStream,
  redisGroupFence,
  redisGroupStateStore,
  redisReplayGuard,
  replicatedQueue,
} from '../../adapters/redis/index.ts';
import { resolveSecret, resolveTokens } from './config.ts';
import { providerErrorLabels, providerOfService } from './error-labels.ts';
import { buildProviders } from './providers.ts';

/** Everything a composition root may replace (tests, benchmarks, other runtimes). */
export interface ControlOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Providers by name; default: built from the config (memory, aws, azure, dns, gcp). */
  providers?: Record<string, VipProvider>;
  /** The credential of a config-built Azure provider; default: from the config and environment. */
  azureCredential?: TokenCredential;
  /** Redis for the API (fail fast) and for the worker (waits out outages). */
  apiRedis?: Redis;
  workerRedis?: Redis;
  owner?: string;
  env?: NodeJS.ProcessEnv;
  metrics?: ControlMetrics;
  /** Called after every job (the demo prints failovers with it). */
  onJobDone?: (job: ControlJob, outcome: Outcome<unknown>) => void;
}

/** One control plane: ports over Redis, the HTTP deps and the job handler, sharing one config. */
export interface ControlPlane {
  config: ControlPlaneConfig;
  api: ControlDeps;
  worker: ControlDeps;
  http: HttpDeps;
  handle: JobHandler;
  apiRedis: Redis;
  workerRedis: Redis;
  queue: Queue;
  metrics: ControlMetrics;
  providers: Record<string, VipProvider>;
  close(): Promise<void>;
}

function depsOn(
  redis: Redis,
  queue: Queue,
  config: ControlPlaneConfig,
  base: Omit<ControlDeps, 'fence' | 'state' | 'audit' | 'queue'>,
): ControlDeps {
  const keys = controlKeys(config.redis.prefix);
  return {
    ...base,
    fence: redisGroupFence(redis, keys),
    state: redisGroupStateStore(redis, keys),
    audit: redisAuditStream(redis, keys),
    queue: replicatedQueue(
      bullJobQueue(queue, redis, keys, config.worker),
      redis,
      config.redis.replicas ?? 0,
    ),
  };
}

/**
 * Builds the control plane's ports from config, each overridable (`overrides.x ?? default`). Missing
 * secrets fail here, loudly, not at the first request.
 */
export function buildControlPlane(config: ControlPlaneConfig, o: ControlOverrides = {}): ControlPlane {
  const env = o.env ?? process.env;
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? createLogger({ name: 'floatip-control' });
  const providers =
    o.providers ??
    buildProviders(config, { env, ...(o.azureCredential ? { azureCredential: o.azureCredential } : {}) });
  const metrics = o.metrics ?? createControlMetrics();
  const tokens = resolveTokens(config, env);
  const hmac = config.webhooks.hmac;
  const hmacSecret = hmac ? resolveSecret(hmac, 'controlPlane.webhooks.hmac', env) : undefined;
  const apiRedis = o.apiRedis ?? connectRedis(config.redis, 'api', undefined, undefined, env);
  const workerRedis = o.workerRedis ?? connectRedis(config.redis, 'worker', undefined, undefined, env);
  const apiQueue = createControlQueue(apiRedis, config.redis.prefix);
  const workerQueue = createControlQueue(workerRedis, config.redis.prefix);
  const base = {
    config,
    clock,
    logger,
    providers: (name: string) => providers[name],
    owner: o.owner ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
  };
  const api = depsOn(apiRedis, apiQueue, config, base);
  const worker = depsOn(workerRedis, workerQueue, config, base);
  const keys = controlKeys(config.redis.prefix);
  const sns = config.webhooks.sns;
  const snsAllowed = sns ? new RegExp(sns.certUrlPattern) : null;
  const http: HttpDeps = {
    control: api,
    tokens,
    metrics,
    storeReady: () => apiRedis.status === 'ready',
    replay: redisReplayGuard(apiRedis, keys),
    ...(hmacSecret === undefined ? {} : { hmacSecret }),
    ...(snsAllowed ? { snsCertFetcher: allowListedCertFetcher(snsAllowed) } : {}),
    ...(snsAllowed
      ? {
          snsConfirm: async (url: string) => {
            if (!snsAllowed.test(url)) throw new Error(`SubscribeURL ${url} is not an allowed SNS location`);
            const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
          },
        }
      : {}),
    newId: () => randomUUID(),
  };
  const handle: JobHandler = async (job) => {
    const started = clock.monotonicMs();
    let r: Outcome<unknown>;
    if (job.kind === 'failover') {
      const f = await runFailover(worker, job);
      r = f;
      metrics.failoverDuration.observe(
        { group: job.group, action: job.action, outcome: f.kind },
        (clock.monotonicMs() - started) / 1000,
      );
      if (f.kind === 'ok') {
        const g = config.groups.find((x) => x.id === job.group);
        for (const m of g?.members ?? [])
          metrics.holder.set({ group: job.group, member: m.id }, m.id === f.value.to ? 1 : 0);
      } else {
        const labels = providerErrorLabels(f);
        if (labels) {
          const used = [
            ...new Set(config.groups.find((x) => x.id === job.group)?.resources.map((x) => x.provider)),
          ];
          const mapped = providerOfService[labels.service];
          const provider =
            used.length === 1 ? (used[0] ?? 'unknown') : mapped && used.includes(mapped) ? mapped : 'unknown';
          metrics.providerErrors.inc({ provider, class: labels.class, code: labels.code });
        }
      }
    } else {
      r = await runSweep(worker, job.groups);
    }
    metrics.jobs.inc({ kind: job.kind, result: r.kind });
    o.onJobDone?.(job, r);
    return r;
  };
  return {
    config,
    api,
    worker,
    http,
    handle,
    apiRedis,
    workerRedis,
    queue: workerQueue,
    metrics,
    providers,
    async close() {
      await apiQueue.close().catch(() => undefined);
      await workerQueue.close().catch(() => undefined);
      if (!o.apiRedis) apiRedis.disconnect();
      if (!o.workerRedis) workerRedis.disconnect();
    },
  };
}
