import { randomBytes, randomInt } from 'node:crypto';
import type { Random } from '../../core/ports/index.ts';

/** Cryptographically strong randomness from node:crypto. */
export const systemRandom: Random = {
  float: () => randomInt(0, 2 ** 48 - 1) / 2 ** 48,
  below: (n) => randomInt(0, n),
  bytes: (n) => new Uint8Array(randomBytes(n)),
};
