/**
 * TimerService on Node timers, on the Clock's monotonic scale (timers are data in the core).
 *
 * Hot path: at 10 ms adverts an instance re-arms its timer 100 times a second. Each timer id keeps one slot
 * (its Node Timeout and callback are reused: a fired timer with the same delay is refresh()ed instead of
 * allocating a new one), and delays are whole milliseconds rounded up (libuv's resolution; never early),
 * so Node keeps one timer list per interval instead of one per fractional delay.
 */
import type { Clock, TimerService } from '../../core/ports/index.ts';

interface Slot {
  timeout: NodeJS.Timeout | undefined;
  delay: number;
  fire: () => void;
  run: () => void;
}

export function createTimerService(clock: Clock): TimerService {
  const slots = new Map<string, Slot>();
  return {
    arm(id, atMs, fire) {
      let slot = slots.get(id);
      if (slot === undefined) {
        const s: Slot = {
          timeout: undefined,
          delay: -1,
          fire,
          run: () => s.fire(),
        };
        slots.set(id, s);
        slot = s;
      }
      slot.fire = fire;
      const delay = Math.max(1, Math.ceil(atMs - clock.monotonicMs()));
      if (slot.timeout !== undefined && slot.delay === delay) {
        slot.timeout.refresh();
      } else {
        if (slot.timeout !== undefined) clearTimeout(slot.timeout);
        slot.timeout = setTimeout(slot.run, delay);
        slot.delay = delay;
      }
    },
    cancel(id) {
      const slot = slots.get(id);
      if (slot?.timeout === undefined) return;
      clearTimeout(slot.timeout);
      slot.timeout = undefined;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    cancelAll() {
      for (const slot of slots.values()) if (slot.timeout !== undefined) clearTimeout(slot.timeout);
      slots.clear();
    },
  };
}
