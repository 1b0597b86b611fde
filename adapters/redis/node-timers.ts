import type { Clock, TimerService } from '../../core/ports/index.ts';

/** TimerService on the Node event loop, times on `clock`'s monotonic scale. */
export function nodeTimers(clock: Clock): TimerService {
  const armed = new Map<string, NodeJS.Timeout>();
  return {
    arm(id, atMs, fire) {
      const prev = armed.get(id);
      if (prev) clearTimeout(prev);
      armed.set(
        id,
        setTimeout(
          () => {
            armed.delete(id);
            fire();
          },
          Math.max(0, atMs - clock.monotonicMs()),
        ),
      );
    },
    cancel(id) {
      const t = armed.get(id);
      if (t) clearTimeout(t);
      armed.delete(id);
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    cancelAll() {
      for (const t of armed.values()) clearTimeout(t);
      armed.clear();
    },
  };
}
