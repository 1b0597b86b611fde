import type { TimerService } from '../../core/ports/index.ts';
import type { ManualClock } from './clock.ts';

/**
 * A TimerService on a ManualClock, for tests and the simulator: nothing fires until `advance` moves the
 * clock; due timers then fire in time order (ties in arming order), each at its own time.
 */
export class ManualTimers implements TimerService {
  readonly #clock: ManualClock;
  readonly #armed = new Map<string, { at: number; seq: number; fire: () => void }>();
  #seq = 0;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  arm(id: string, atMs: number, fire: () => void): void {
    this.#armed.set(id, { at: atMs, seq: this.#seq++, fire });
  }
  cancel(id: string): void {
    this.#armed.delete(id);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.arm(`sleep/${this.#seq}`, this.#clock.monotonicMs() + ms, resolve));
  }
  cancelAll(): void {
    this.#armed.clear();
  }
  /** Whether timer `id` is armed, and for when. */
  due(id: string): number | undefined {
    return this.#armed.get(id)?.at;
  }

  /**
   * Moves the clock `ms` forward, firing every timer that falls due on the way at its own time; `settle`
   * runs after each fire (a test passes one that lets promises the fire started complete).
   */
  async advance(ms: number, settle: () => Promise<void> = async () => undefined): Promise<void> {
    const end = this.#clock.monotonicMs() + ms;
    for (;;) {
      let next: [string, { at: number; seq: number; fire: () => void }] | undefined;
      for (const e of this.#armed) {
        if (e[1].at > end) continue;
        if (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq)) next = e;
      }
      if (!next) break;
      this.#armed.delete(next[0]);
      if (next[1].at > this.#clock.monotonicMs()) this.#clock.set(next[1].at);
      next[1].fire();
      await settle();
    }
    this.#clock.set(end);
    await settle();
  }
}
