/**
 * Randomness, injected so the simulator and tests are deterministic.
 *
 * @example
 *   const jitterMs = Math.floor(random.float() * 100);
 */
export interface Random {
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [0, n), n >= 1. */
  below(n: number): number;
  /** n random bytes. */
  bytes(n: number): Uint8Array;
}
