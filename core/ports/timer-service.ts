/**
 * TimerService: real timers for reducers whose timers are data (`arm-timer { id, atMs }`). Times are on the
 * Clock port's monotonic scale.
 *
 * @example
 * timers.arm('VI_1/advert', clock.monotonicMs() + 1000, () => feed({ kind: 'timer', timer: 'advert' }));
 */
export interface TimerService {
  /** (Re)arms timer `id` to call `fire` at monotonic time `atMs`, replacing an earlier timer with that id. */
  arm(id: string, atMs: number, fire: () => void): void;
  /** Drops timer `id` if armed. */
  cancel(id: string): void;
  /** Resolves after `ms` milliseconds (spacing of GARP bursts). */
  sleep(ms: number): Promise<void>;
  /** Drops every armed timer. */
  cancelAll(): void;
}
