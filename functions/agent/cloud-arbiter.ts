/**
 * The split-brain arbiter of cloud mode: the group's lease in the control plane's Redis (see
 * adapters/redis/lease-fence.ts). Composition only: a Redis connection that waits out outages, the lease
 * transport, and the lease fence gated by the agent's VRRP mastership.
 */
import {
  connectRedis,
  controlKeys,
  leaseFence,
  redisLeaseTransport,
  type LeaseFence,
} from '../../adapters/redis/index.ts';
import type { Fence, Logger } from '../../core/ports/index.ts';
import type { CloudSection } from '../../core/config/cloud.ts';
import { memberAddress } from '../control-plane/lease-agent.ts';

export interface Arbiter {
  fence: LeaseFence;
  close(): Promise<void>;
}

export function openArbiter(
  a: NonNullable<CloudSection['arbiter']>,
  o: { gate: Fence; node: string; priority: number; logger: Logger },
): Arbiter {
  // Fail fast: an unreachable arbiter must not hold up a failover (the fence then falls back to VRRP).
  const redis = connectRedis(a.redis.url, 'api', undefined, `floatip-agent-${o.node}`);
  const transport = redisLeaseTransport(redis, controlKeys(a.redis.prefix), o.logger);
  const fence = leaseFence({
    transport,
    gate: o.gate,
    node: o.node,
    priority: o.priority,
    address: memberAddress(o.node),
    ttlMs: a.leaseTtlMs,
    onUnreachable: (group, why) =>
      o.logger.warn('cloud: arbiter unreachable; acting on VRRP mastership alone', { group, why }),
  });
  return {
    fence,
    async close() {
      await fence.stepDown().catch(() => undefined);
      redis.disconnect();
    },
  };
}
