import { readyWithin } from '../../adapters/redis/index.ts';
import { lazyControlPlane } from './lazy.ts';
import type { ControlPlane } from './shared.ts';

/** How long an invocation waits for Redis before going on (FLOATIP_REDIS_READY_MS, default 5 s). */
export function readyBudgetMs(env: NodeJS.ProcessEnv): number {
  const v = Number(env.FLOATIP_REDIS_READY_MS ?? '5000');
  return Number.isFinite(v) && v >= 0 ? v : 5000;
}

/**
 * The control plane of a function invocation, its API connection made within this invocation. A
 * cold-started function (and a Lambda thawed after its connection dropped) connects here, bounded by
 * readyBudgetMs, instead of answering 503 "redis not connected" to its first request; only a Redis that
 * stays unreachable for the whole budget gets the 503. test/functions/aws-lambda/artifact.test.ts
 * checks that the first request after a cold start is served.
 */
export async function connectedControlPlane(env: NodeJS.ProcessEnv = process.env): Promise<ControlPlane> {
  const cp = await lazyControlPlane(env);
  await readyWithin(cp.apiRedis, readyBudgetMs(env));
  return cp;
}
