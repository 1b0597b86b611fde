// The simulated L2 segment: every frame from one node reaches the others after `delayMs` (+ seeded jitter),
// unless a partition separates them or seeded loss drops it.
import type { Random } from '../../core/ports/index.ts';

export interface NetworkOptions {
  /** One-way delay in ms. */
  readonly delayMs: number;
  /** Extra delay drawn uniformly from [0, jitterMs), in whole ms. */
  readonly jitterMs?: number;
  /** Probability a frame is lost, 0..1. */
  readonly lossRate?: number;
}

export class SimNetwork {
  readonly #random: Random;
  #options: NetworkOptions;
  /** node -> partition side; nodes on different sides cannot talk. Empty = no partition. */
  #side = new Map<string, number>();

  constructor(options: NetworkOptions, random: Random) {
    this.#options = options;
    this.#random = random;
  }

  configure(options: Partial<NetworkOptions>): void {
    this.#options = { ...this.#options, ...options };
  }

  get maxDelayMs(): number {
    return this.#options.delayMs + Math.max(0, (this.#options.jitterMs ?? 0) - 1);
  }

  /** Split the segment: each array is one side. Nodes not named keep talking to everyone not named. */
  partition(sides: readonly (readonly string[])[]): void {
    this.#side = new Map(sides.flatMap((nodes, i) => nodes.map((n) => [n, i + 1] as const)));
  }

  heal(): void {
    this.#side.clear();
  }

  connected(a: string, b: string): boolean {
    return (this.#side.get(a) ?? 0) === (this.#side.get(b) ?? 0);
  }

  /** Delay for one frame from `from` to `to`, or undefined if it does not arrive. */
  transit(from: string, to: string): number | undefined {
    if (!this.connected(from, to)) return undefined;
    const loss = this.#options.lossRate ?? 0;
    if (loss > 0 && this.#random.float() < loss) return undefined;
    const jitter = this.#options.jitterMs ?? 0;
    return this.#options.delayMs + (jitter > 0 ? this.#random.below(jitter) : 0);
  }
}
