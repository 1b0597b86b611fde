import type { LeaseElection, LeaseElectionOptions } from '../../core/app/index.ts';
import { createLeaseElection } from '../../core/app/index.ts';
import { controlKeys, nodeTimers, redisLeaseTransport } from '../../adapters/redis/index.ts';
import type { ControlPlane } from './shared.ts';

/**
 * Starts a Redis lease election on the control plane's Redis and prefix (for agents that cannot reach
 * their peers by VRRP on the wire), with advert lateness fed to the `floatip_advert_lateness_seconds`
 * histogram. The caller supplies the election settings and what to do on MASTER/BACKUP.
 */
export async function startLeaseElection(
  cp: ControlPlane,
  o: Omit<LeaseElectionOptions, 'transport' | 'timers' | 'clock' | 'logger'>,
): Promise<LeaseElection> {
  const election = createLeaseElection({
    ...o,
    transport: redisLeaseTransport(cp.workerRedis, controlKeys(cp.config.redis.prefix), cp.worker.logger),
    timers: nodeTimers(cp.worker.clock),
    clock: cp.worker.clock,
    logger: cp.worker.logger,
    onAdvertLateness: (ms) => {
      cp.metrics.advertLateness.observe({ scope: o.scope }, ms / 1000);
      o.onAdvertLateness?.(ms);
    },
  });
  await election.start();
  return election;
}
