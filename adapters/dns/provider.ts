import { Route53Client } from '@aws-sdk/client-route-53';
import type { Clock, Holder, MoveOptions, Random, VipResource } from '../../core/ports/index.ts';
import {
  DriverProvider,
  parseMembers,
  defaultFailoverPolicy,
  guardedCall,
  tokenBucket,
  type FailoverPolicy,
  type Sleep,
} from '../../core/failover/index.ts';
import { realSleep, systemClock, systemRandom } from '../system/index.ts';
import { classifyRoute53Error } from './errors.ts';
import { recordDriver, type DnsContext, type DnsMember } from './record.ts';
import { dnsHolderSpec, parseSpec, recordSpec } from './specs.ts';

export interface DnsProviderOptions {
  /** The provider's configured name (labels error causes); the type name when absent. */
  name?: string;
  /** Route 53 is global; the SDK still wants a region for signing. */
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  members: readonly Holder[];
  policy?: FailoverPolicy;
  random?: Random;
  clock?: Clock;
  sleep?: Sleep;
}

/** The DNS VipProvider: a Route 53 A/AAAA record pointed at the active member. */
export class DnsVipProvider extends DriverProvider {
  readonly name: string;
  readonly #ctx: DnsContext;

  constructor(o: DnsProviderOptions) {
    const members: DnsMember[] = parseMembers(dnsHolderSpec, o.members, 'dns');
    const policy = o.policy ?? defaultFailoverPolicy;
    const random = o.random ?? systemRandom;
    const sleep = o.sleep ?? realSleep;
    super({ verify: policy.verify, random, sleep });
    this.name = o.name ?? 'dns';
    const route53 = new Route53Client({
      region: o.region ?? 'us-east-1',
      maxAttempts: 1,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
    });
    const deps = {
      provider: this.name,
      limiter: tokenBucket(policy.rate, o.clock ?? systemClock, sleep),
      policy: policy.call,
      random,
      sleep,
    };
    this.#ctx = {
      route53,
      members,
      verify: policy.verify,
      random,
      sleep,
      call: (log, operation, params, send) =>
        guardedCall(deps, classifyRoute53Error, log, { service: 'route53', operation, params }, send),
    };
  }

  protected driverFor(r: VipResource, holderId: string | null, options: MoveOptions) {
    const takeover = options.takeover ?? false;
    const target = this.#ctx.members.find((m) => m.id === holderId) ?? this.#ctx.members[0];
    if (!target || (holderId !== null && target.id !== holderId))
      return `dns: ${holderId} is not a dns member`;
    if (r.kind !== 'record') return `dns resource ${r.id}: unknown kind ${r.kind} (record)`;
    const s = parseSpec(recordSpec, r.spec, `dns resource ${r.id}`);
    return typeof s === 'string' ? s : recordDriver(this.#ctx, r.id, s, target, takeover);
  }
}
