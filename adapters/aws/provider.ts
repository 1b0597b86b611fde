import { EC2Client } from '@aws-sdk/client-ec2';
import type { Holder, MoveOptions, VipResource } from '../../core/ports/index.ts';
import { DriverProvider, memberFor, parseMembers, type KindDriver } from '../../core/failover/index.ts';
import { providerDeps, type ProviderBaseOptions } from '../system/index.ts';
import { awsContext, type AwsContext, type AwsMember } from './context.ts';
import { elasticIpDriver } from './elastic-ip.ts';
import { routeDriver } from './route.ts';
import { secondaryIpDriver } from './secondary-ip.ts';
import { awsHolderSpec, elasticIpSpec, parseSpec, routeSpec, secondaryIpSpec } from './specs.ts';

export interface AwsProviderOptions extends ProviderBaseOptions {
  region: string;
  /** API endpoint override (an emulator, a VPC endpoint); the SDK's default chain otherwise. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  members: readonly Holder[];
  /** Describes asked for within this window share one call (default 5 ms). */
  coalesceMs?: number;
}

/** The AWS VipProvider: elastic IPs, secondary private IPs and route-table next hops over EC2. */
export class AwsVipProvider extends DriverProvider {
  readonly name: string;
  readonly #ctx: AwsContext;

  constructor(o: AwsProviderOptions) {
    const members: AwsMember[] = parseMembers(awsHolderSpec, o.members, 'aws');
    const deps = providerDeps(o, 'aws');
    super(deps.move);
    this.name = deps.name;
    const ec2 = new EC2Client({
      region: o.region,
      maxAttempts: 1, // retries are ours: classified, jittered, rate limited
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
    });
    this.#ctx = awsContext(ec2, deps.call, members, o.coalesceMs);
  }

  protected driverFor(
    r: VipResource,
    holderId: string | null,
    options: MoveOptions,
  ): KindDriver<unknown> | string {
    const takeover = options.takeover ?? false;
    const target = memberFor(this.#ctx.members, holderId, 'aws', {
      id: '',
      spec: { networkInterfaceId: 'eni-none' },
    });
    if (typeof target === 'string') return target;
    const where = `aws resource ${r.id}`;
    switch (r.kind) {
      case 'elastic-ip': {
        const s = parseSpec(elasticIpSpec, r.spec, where);
        return typeof s === 'string'
          ? s
          : (elasticIpDriver(this.#ctx, r.id, s, target, takeover) as KindDriver<unknown>);
      }
      case 'secondary-ip': {
        const s = parseSpec(secondaryIpSpec, r.spec, where);
        return typeof s === 'string'
          ? s
          : (secondaryIpDriver(this.#ctx, r.id, s, target, takeover) as KindDriver<unknown>);
      }
      case 'route': {
        const s = parseSpec(routeSpec, r.spec, where);
        return typeof s === 'string'
          ? s
          : (routeDriver(this.#ctx, r.id, s, target, takeover) as KindDriver<unknown>);
      }
      default:
        return `${where}: unknown kind ${r.kind} (elastic-ip, secondary-ip, route)`;
    }
  }
}
