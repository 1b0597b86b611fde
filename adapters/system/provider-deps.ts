import type { Clock, Random } from '../../core/ports/index.ts';
import {
  defaultFailoverPolicy,
  tokenBucket,
  type CallDeps,
  type FailoverPolicy,
  type MoveDeps,
  type Sleep,
} from '../../core/failover/index.ts';
import { systemClock } from './clock.ts';
import { systemRandom } from './random.ts';
import { realSleep } from './sleep.ts';

/** The options every cloud provider takes beside its own: its name, its policy and the injectable ports. */
export interface ProviderBaseOptions {
  /** The provider's configured name (labels error causes); the type name when absent. */
  name?: string;
  policy?: FailoverPolicy;
  random?: Random;
  clock?: Clock;
  sleep?: Sleep;
}

/**
 * What a cloud provider's constructor builds from those options, with the default policy and the system
 * clock, randomness and sleep where none is given: its name, the DriverProvider's move deps, and the
 * deps of its API calls (one rate limiter per provider).
 */
export function providerDeps(
  o: ProviderBaseOptions,
  typeName: string,
): { name: string; move: MoveDeps; call: CallDeps } {
  const policy = o.policy ?? defaultFailoverPolicy;
  const random = o.random ?? systemRandom;
  const sleep = o.sleep ?? realSleep;
  const name = o.name ?? typeName;
  return {
    name,
    move: { verify: policy.verify, random, sleep },
    call: {
      provider: name,
      limiter: tokenBucket(policy.rate, o.clock ?? systemClock, sleep),
      policy: policy.call,
      random,
      sleep,
    },
  };
}
