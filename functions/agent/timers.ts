/** TimerService on Node timers, on the Clock's monotonic scale (timers are data in the core). */
import type { Clock, TimerService } from '../../core/ports/index.ts';

export function createTimerService(clock: Clock): TimerService {
  const armed = new Map<string, NodeJS.Timeout>();
  return {
    arm(id, atMs, fire) {
      const prev = armed.get(id);
      if (prev) clearTimeout(prev);
      const delay = Math.max(0, atMs - clock.monotonicMs());
      armed.set(
        id,
        setTimeout(() => {
          armed.delete(id);
          fire();
        }, delay),
      );
    },
    cancel(id) {
      const t = armed.get(id);
      if (t) clearTimeout(t);
      armed.delete(id);
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    cancelAll() {
      for (const t of armed.values()) clearTimeout(t);
      armed.clear();
    },
  };
}
