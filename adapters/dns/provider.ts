import { Route53Client } from '@aws-sdk/client-route-53';
import type { Epoch, Outcome } from '../../core/model/index.ts';
import type {
  ChangeReport,
  Clock,
  Holder,
  MoveOptions,
  Observation,
  Random,
  VipProvider,
  VipResource,
} from '../../core/ports/index.ts';
import {
  defaultFailoverPolicy,
  guardedCall,
  moveResource,
  tokenBucket,
  type FailoverPolicy,
  type Sleep,
} from '../../core/failover/index.ts';
import { systemClock, systemRandom } from '../system/index.ts';
import { classifyRoute53Error } from './errors.ts';
import { recordDriver, type DnsContext, type DnsMember } from './record.ts';
import { dnsHolderSpec, parseSpec, recordSpec } from './specs.ts';

export interface DnsProviderOptions {
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

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The DNS VipProvider: a Route 53 A/AAAA record pointed at the active member. */
export class DnsVipProvider implements VipProvider {
  readonly name = 'dns';
  readonly #ctx: DnsContext;
  readonly #policy: FailoverPolicy;

  constructor(o: DnsProviderOptions) {
    const members: DnsMember[] = o.members.map((m) => {
      const spec = parseSpec(dnsHolderSpec, m.spec, `dns member ${m.id}`);
      if (typeof spec === 'string') throw new Error(spec);
      return { id: m.id, spec };
    });
    this.#policy = o.policy ?? defaultFailoverPolicy;
    const random = o.random ?? systemRandom;
    const sleep = o.sleep ?? realSleep;
    const route53 = new Route53Client({
      region: o.region ?? 'us-east-1',
      maxAttempts: 1,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
    });
    const deps = {
      limiter: tokenBucket(this.#policy.rate, o.clock ?? systemClock, sleep),
      policy: this.#policy.call,
      random,
      sleep,
    };
    this.#ctx = {
      route53,
      members,
      verify: this.#policy.verify,
      random,
      sleep,
      call: (log, operation, params, send) =>
        guardedCall(deps, classifyRoute53Error, log, { service: 'route53', operation, params }, send),
    };
  }

  #driver(r: VipResource, holderId: string | null, takeover: boolean) {
    const target = this.#ctx.members.find((m) => m.id === holderId) ?? this.#ctx.members[0];
    if (!target || (holderId !== null && target.id !== holderId))
      return `dns: ${holderId} is not a dns member`;
    if (r.kind !== 'record') return `dns resource ${r.id}: unknown kind ${r.kind} (record)`;
    const s = parseSpec(recordSpec, r.spec, `dns resource ${r.id}`);
    return typeof s === 'string' ? s : recordDriver(this.#ctx, r.id, s, target, takeover);
  }

  async observe(resource: VipResource): Promise<Outcome<Observation>> {
    const d = this.#driver(resource, null, false);
    if (typeof d === 'string') return { kind: 'give-up', reason: d };
    const read = await d.read([]);
    return read.kind === 'ok' ? { kind: 'ok', value: d.observe(read.value) } : read;
  }

  #move(
    mode: 'acquire' | 'release',
    r: VipResource,
    h: Holder,
    options: MoveOptions,
  ): Promise<Outcome<ChangeReport>> {
    const d = this.#driver(r, h.id, options.takeover ?? false);
    if (typeof d === 'string') return Promise.resolve({ kind: 'give-up', reason: d });
    return moveResource(d, mode, h.id, options, {
      verify: this.#policy.verify,
      random: this.#ctx.random,
      sleep: this.#ctx.sleep,
    });
  }

  acquire(
    r: VipResource,
    h: Holder,
    _epoch: Epoch,
    options: MoveOptions = {},
  ): Promise<Outcome<ChangeReport>> {
    return this.#move('acquire', r, h, options);
  }

  release(
    r: VipResource,
    h: Holder,
    _epoch: Epoch,
    options: MoveOptions = {},
  ): Promise<Outcome<ChangeReport>> {
    return this.#move('release', r, h, options);
  }
}
