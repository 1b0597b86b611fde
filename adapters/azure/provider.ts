import type { TokenCredential } from '@azure/core-auth';
import type { Clock, Holder, MoveOptions, Random, VipResource } from '../../core/ports/index.ts';
import {
  DriverProvider,
  parseMembers,
  defaultFailoverPolicy,
  tokenBucket,
  type FailoverPolicy,
  type KindDriver,
  type Sleep,
} from '../../core/failover/index.ts';
import { realSleep, systemClock, systemRandom } from '../system/index.ts';
import { createNetworkClient } from './client.ts';
import { azureContext, type AzureContext, type AzureMember } from './context.ts';
import { publicIpDriver, secondaryIpDriver } from './nic-kinds.ts';
import { routeDriver } from './route.ts';
import { azureHolderSpec, parseSpec, publicIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';

export interface AzureProviderOptions {
  /** The provider's configured name (labels error causes); the type name when absent. */
  name?: string;
  subscriptionId: string;
  credential: TokenCredential;
  endpoint?: string;
  /** Extra CA (PEM) to trust for `endpoint`. */
  ca?: string;
  members: readonly Holder[];
  policy?: FailoverPolicy;
  /** Poll interval of long-running operations; 1000 ms when absent. */
  lroPollMs?: number;
  random?: Random;
  clock?: Clock;
  sleep?: Sleep;
}

/** The Azure VipProvider: UDR next hops, public IPs and secondary private IPs over Microsoft.Network. */
export class AzureVipProvider extends DriverProvider {
  readonly name: string;
  readonly #ctx: AzureContext;

  constructor(o: AzureProviderOptions) {
    const members: AzureMember[] = parseMembers(azureHolderSpec, o.members, 'azure');
    const policy = o.policy ?? defaultFailoverPolicy;
    const random = o.random ?? systemRandom;
    const sleep = o.sleep ?? realSleep;
    super({ verify: policy.verify, random, sleep });
    this.name = o.name ?? 'azure';
    const client = createNetworkClient({
      subscriptionId: o.subscriptionId,
      credential: o.credential,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
    });
    const limiter = tokenBucket(policy.rate, o.clock ?? systemClock, sleep);
    this.#ctx = azureContext(
      client,
      { provider: this.name, limiter, policy: policy.call, random, sleep },
      members,
      o.lroPollMs ?? 1000,
    );
  }

  protected driverFor(
    r: VipResource,
    holderId: string | null,
    _options: MoveOptions,
  ): KindDriver<unknown> | string {
    const target = this.#ctx.members.find((m) => m.id === holderId) ?? this.#ctx.members[0];
    if (!target || (holderId !== null && target.id !== holderId))
      return `azure: ${holderId} is not an azure member`;
    const where = `azure resource ${r.id}`;
    switch (r.kind) {
      case 'route': {
        const s = parseSpec(routeSpec, r.spec, where);
        return typeof s === 'string' ? s : (routeDriver(this.#ctx, r.id, s, target) as KindDriver<unknown>);
      }
      case 'public-ip': {
        const s = parseSpec(publicIpSpec, r.spec, where);
        return typeof s === 'string'
          ? s
          : (publicIpDriver(this.#ctx, r.id, s, target) as KindDriver<unknown>);
      }
      case 'secondary-ip': {
        const s = parseSpec(secondaryIpSpec, r.spec, where);
        return typeof s === 'string'
          ? s
          : (secondaryIpDriver(this.#ctx, r.id, s, target) as KindDriver<unknown>);
      }
      default:
        return `${where}: unknown kind ${r.kind} (route, public-ip, secondary-ip)`;
    }
  }
}
