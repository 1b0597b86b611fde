import type { Clock } from '../../core/ports/index.ts';

/** A clock that moves only when told to; for tests and the simulator. */
export class ManualClock implements Clock {
  #mono: number;
  #wallOffset: number;
  constructor(startMonotonicMs = 0, startWallMs = Date.UTC(2026, 0, 1)) {
    this.#mono = startMonotonicMs;
    this.#wallOffset = startWallMs - startMonotonicMs;
  }
  monotonicMs(): number {
    return this.#mono;
  }
  wallMs(): number {
    return this.#mono + this.#wallOffset;
  }
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('ManualClock cannot go backwards');
    this.#mono += ms;
  }
  set(monotonicMs: number): void {
    if (monotonicMs < this.#mono) throw new RangeError('ManualClock cannot go backwards');
    this.#mono = monotonicMs;
  }
}
