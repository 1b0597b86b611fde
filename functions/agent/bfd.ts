/**
 * The agent's BFD side (keepalived's BFD process): one session per bfd_instance of the config, over UDP
 * sockets in this namespace. track_bfd trackers and BFD_CHECK checkers follow the sessions; the `vrrp` /
 * `checker` keyword of a bfd_instance limits which side hears about it, as in keepalived.
 */
import { BfdService, type BfdListener, type BfdSessionStatus } from '../../core/app/bfd-service.ts';
import { bfdSessionPlan, type BfdRejectCounts } from '../../core/bfd/index.ts';
import type { Config } from '../../core/model/index.ts';
import type { Clock, Logger, Random } from '../../core/ports/index.ts';
import { openBfdTransport } from '../../adapters/onprem/bfd-socket.ts';
import { systemClock } from '../../adapters/system/clock.ts';
import { systemRandom } from '../../adapters/system/random.ts';
import { createTimerService } from '../../adapters/system/timers.ts';

export interface RunningBfd {
  /** Calls `listener` for sessions whose events go to `side`, now and on every Up / not-Up change. */
  onChange(side: 'vrrp' | 'checker', listener: BfdListener): void;
  /** Whether session `name` is Up (undefined: no such session, or its events do not go to `side`). */
  isUp(name: string, side?: 'vrrp' | 'checker'): boolean | undefined;
  status(): BfdSessionStatus[];
  /** Received datagrams dropped, by reason. */
  rejects(): BfdRejectCounts;
  stop(): void;
}

/** Starts every bfd_instance of `config`; null when there is none. Throws when a socket cannot be opened. */
export function startBfd(
  config: Config,
  logger: Logger,
  deps: { clock?: Clock; random?: Random } = {},
): RunningBfd | null {
  const entries = Object.entries(config.bfdInstances);
  if (entries.length === 0) return null;
  const plans = entries.map(([name, b]) => bfdSessionPlan(name, b));
  const transport = openBfdTransport(
    plans.map((p) => ({
      name: p.name,
      neighbor: p.neighbor,
      ...(p.source !== undefined ? { source: p.source } : {}),
      multihop: p.multihop,
      ttl: p.ttl,
    })),
  );
  const clock = deps.clock ?? systemClock;
  const service = new BfdService({
    clock,
    random: deps.random ?? systemRandom,
    timers: createTimerService(clock),
    transport,
    logger,
  });
  service.start(plans);
  const notifies = (name: string, side: 'vrrp' | 'checker') => {
    const n = config.bfdInstances[name]?.notify ?? 'both';
    return n === 'both' || n === side;
  };
  logger.info(
    `bfd: ${plans.length} session(s): ${plans.map((p) => `${p.name} -> ${p.neighbor}`).join(', ')}`,
  );
  return {
    onChange: (side, listener) =>
      service.onChange((name, up, state) => {
        if (notifies(name, side)) listener(name, up, state);
      }),
    isUp: (name, side) => (side === undefined || notifies(name, side) ? service.isUp(name) : undefined),
    status: () => service.status(),
    rejects: () => service.rejects(),
    stop: () => service.stop(),
  };
}
