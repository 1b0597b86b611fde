/**
 * The LVS use case (core/app/lvs-service.ts) on this machine's ports: the system clock, Node timers, the
 * real-time probe driver (adapters/probes) and child-process scripts (adapters/system). Composition only.
 */
import { createLvsService, type LvsOptions, type LvsRunner } from '../../core/app/lvs-service.ts';
import { driveHealth } from '../../adapters/probes/index.ts';
import { createScriptQueue, createTimerService, systemClock } from '../../adapters/system/index.ts';

export { LAG_WARN_MS, type LvsObserver, type LvsRunner } from '../../core/app/lvs-service.ts';

/** The options of the use case; the machine's ports where a caller gives none. */
export type LvsMachineOptions = Omit<LvsOptions, 'clock' | 'timers' | 'driveHealth'> &
  Partial<Pick<LvsOptions, 'clock' | 'timers' | 'driveHealth'>>;

export function createLvs(options: LvsMachineOptions): LvsRunner {
  const clock = options.clock ?? systemClock;
  return createLvsService({
    ...options,
    clock,
    timers: options.timers ?? createTimerService(clock),
    driveHealth: options.driveHealth ?? driveHealth,
    scripts: options.scripts ?? createScriptQueue(options.log),
  });
}
