import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { ControlDeps, FailoverReport } from '../../core/app/index.ts';
import { findGroup, runFailover, runSweep } from '../../core/app/index.ts';
import type { ControlPlaneConfig } from '../../core/config/control-plane.ts';
import { mergePolicy, type Sleep } from '../../core/failover/index.ts';
import type { ErrorCause, Outcome } from '../../core/model/index.ts';
import type { Clock, ControlJob, FailoverJob, Logger, Random, VipProvider } from '../../core/ports/index.ts';
import { createLogger, realSleep, systemClock, systemRandom } from '../../adapters/system/index.ts';
import type { ControlMetrics, HttpDeps } from '../../adapters/http/index.ts';
import { allowListedCertFetcher, createControlMetrics } from '../../adapters/http/index.ts';
import type { JobHandler } from '../../adapters/redis/index.ts';
import {
  bullJobQueue,
  connectRedis,
  controlKeys,
  createControlQueue,
  redisAuditStream,
  redisFence,
  redisGroupStateStore,
  redisReplayGuard,
  replicatedQueue,
} from '../../adapters/redis/index.ts';
import { withMemory } from '../shared/provider-schemas.ts';
import { controlPlaneProblems } from './problems.ts';
import { buildProviders, codeLabel } from '../shared/providers.ts';
import { ControlConfigError, resolveSecret, resolveTokens } from './config.ts';

/** Everything a composition root may replace (tests, benchmarks, other runtimes). */
export interface ControlOverrides {
  clock?: Clock;
  logger?: Logger;
  random?: Random;
  sleep?: Sleep;
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
  /** The worker side (`worker`, `workerRedis`, `queue`) is made on first use (an HTTP handler never is). */
  worker: ControlDeps;
  http: HttpDeps;
  handle: JobHandler;
  apiRedis: Redis;
  workerRedis: Redis;
  /** The worker side's BullMQ queue, made (and BullMQ loaded) on the first call. */
  queue(): Promise<Queue>;
  metrics: ControlMetrics;
  providers: Record<string, VipProvider>;
  close(): Promise<void>;
}

function depsOn(
  redis: Redis,
  queue: () => Promise<Queue>,
  config: ControlPlaneConfig,
  base: Omit<ControlDeps, 'fence' | 'state' | 'audit' | 'queue'>,
  owner: string,
): ControlDeps {
  const keys = controlKeys(config.redis.prefix);
  return {
    ...base,
    fence: redisFence(redis, keys, {
      owner,
      ttlMs: config.worker.lockTtlMs,
      nowMs: () => base.clock.wallMs(),
      onLost: (group, epoch, why) => base.logger.warn('group lock lost', { group, epoch, why }),
    }),
    state: redisGroupStateStore(redis, keys),
    audit: redisAuditStream(redis, keys),
    queue: replicatedQueue(
      bullJobQueue(queue, redis, keys, config.worker),
      redis,
      config.redis.replicas ?? 0,
    ),
  };
}

/** What a failover job returns to the queue (the job API shows it): the report without the bulk. */
export function jobResult(r: FailoverReport): Record<string, unknown> {
  return {
    outcome: r.outcome,
    group: r.group,
    from: r.from,
    to: r.to,
    epoch: r.epoch,
    changed: r.changed,
    action: r.action,
    writes: r.calls.filter((c) => !/^(get|describe|list)|\.get$|\.list$|\.wait$/i.test(c.operation)).length,
    ...(r.auditId ? { auditId: r.auditId } : {}),
    ...(r.failed.length > 0 ? { failed: r.failed } : {}),
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
  const random = o.random ?? systemRandom;
  const sleep = o.sleep ?? realSleep;
  const problems = controlPlaneProblems(config);
  if (problems.length > 0) throw new ControlConfigError(problems);
  let providers = o.providers;
  if (!providers) {
    const built = buildProviders(config.providers, config.groups, {
      env,
      clock,
      random,
      sleep,
      ...(config.policy ? { policy: config.policy } : {}),
      ...(o.azureCredential ? { overrides: { azureCredential: o.azureCredential } } : {}),
    });
    if (!built.ok) throw new ControlConfigError(built.errors.map((e) => `controlPlane.${e}`));
    providers = Object.fromEntries(built.value);
  }
  const known = providers;
  const metrics = o.metrics ?? createControlMetrics();
  const tokens = resolveTokens(config, env);
  const hmac = config.webhooks.hmac;
  const hmacSecret = hmac ? resolveSecret(hmac, 'controlPlane.webhooks.hmac', env) : undefined;
  const apiRedis = o.apiRedis ?? connectRedis(config.redis, 'api', undefined, undefined, env);
  // BullMQ queues are made on first use (a job is added without one; listing jobs needs one).
  const queueOn = (redis: Redis): { get: () => Promise<Queue>; made: () => Promise<Queue> | null } => {
    let queue: Promise<Queue> | null = null;
    return { get: () => (queue ??= createControlQueue(redis, config.redis.prefix)), made: () => queue };
  };
  const apiQueue = queueOn(apiRedis);
  // The worker side (its own connection, its queue, its deps) is made on first use: an HTTP function
  // never uses it, and its cold start should not connect to Redis twice or set up a second queue.
  type WorkerSide = { redis: Redis; queue: ReturnType<typeof queueOn>; deps: ControlDeps };
  let workerSide: WorkerSide | null = null;
  const workerOf = (): WorkerSide => {
    if (workerSide) return workerSide;
    const redis = o.workerRedis ?? connectRedis(config.redis, 'worker', undefined, undefined, env);
    const queue = queueOn(redis);
    workerSide = { redis, queue, deps: depsOn(redis, queue.get, config, base, owner) };
    return workerSide;
  };
  const base = {
    config,
    clock,
    logger,
    random,
    sleep,
    policy: mergePolicy(config.policy),
    providers: (name: string) => known[name],
    providerConfigs: withMemory(config.providers),
  };
  const owner = o.owner ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const api = depsOn(apiRedis, apiQueue.get, config, base, owner);
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
  const countCause = (c: ErrorCause | undefined): void => {
    if (!c) return;
    const type = base.providerConfigs[c.provider]?.type;
    metrics.providerErrors.inc({ provider: c.provider, class: c.class, code: codeLabel(type, c.code) });
  };
  const runFailoverJob = async (job: FailoverJob): Promise<Outcome<unknown>> => {
    const started = clock.monotonicMs();
    const group = findGroup(config, job.group);
    if (!group) return { kind: 'give-up', reason: `unknown group '${job.group}'` };
    const f = await runFailover(workerOf().deps, { group, job });
    const outcome = f.kind === 'ok' ? f.value.outcome : f.kind;
    metrics.failoverDuration.observe(
      { group: job.group, action: job.action, outcome },
      (clock.monotonicMs() - started) / 1000,
    );
    if (f.kind !== 'ok') {
      countCause(f.cause);
      return f;
    }
    for (const x of f.value.failed) countCause(x.cause);
    if (f.value.outcome !== 'superseded' && f.value.outcome !== 'duplicate')
      for (const m of group.members)
        metrics.holder.set({ group: job.group, member: m.id }, m.id === f.value.to ? 1 : 0);
    if (f.value.outcome === 'partial') {
      const why = f.value.failed.map((x) => `${x.resource}: ${x.reason}`).join('; ');
      // Moved what it could and recorded it; the rest is retried (or reported for good).
      return f.value.retryable
        ? { kind: 'retry', reason: `partial: ${why}` }
        : { kind: 'give-up', reason: `partial: ${why}` };
    }
    return { kind: 'ok', value: jobResult(f.value) };
  };
  const handle: JobHandler = async (job) => {
    const r =
      job.kind === 'failover' ? await runFailoverJob(job) : await runSweep(workerOf().deps, job.groups);
    metrics.jobs.inc({ kind: job.kind, result: r.kind });
    o.onJobDone?.(job, r);
    return r;
  };
  return {
    config,
    api,
    get worker() {
      return workerOf().deps;
    },
    http,
    handle,
    apiRedis,
    get workerRedis() {
      return workerOf().redis;
    },
    queue: () => workerOf().queue.get(),
    metrics,
    providers,
    async close() {
      // Bounded: with the store down a queue's close would wait for a connection that never comes.
      const bounded = (p: Promise<unknown>) =>
        Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
      const w = workerSide;
      const made = [apiQueue.made(), w?.queue.made() ?? null].filter((q) => q !== null);
      await Promise.all(made.map((q) => bounded(q.then((x) => x.close()))));
      if (!o.apiRedis) apiRedis.disconnect();
      if (w && !o.workerRedis) w.redis.disconnect();
    },
  };
}
