import { Route53Client } from '@aws-sdk/client-route-53';
import type { Holder, MoveOptions, VipResource } from '../../core/ports/index.ts';
import { DriverProvider, memberFor, parseMembers, providerCall } from '../../core/failover/index.ts';
import { providerDeps, type ProviderBaseOptions } from '../system/index.ts';
import { classifyRoute53Error } from './errors.ts';
import { recordDriver, type DnsContext, type DnsMember } from './record.ts';
import { dnsHolderSpec, parseSpec, recordSpec } from './specs.ts';

export interface DnsProviderOptions extends ProviderBaseOptions {
  /** Route 53 is global; the SDK still wants a region for signing. */
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  members: readonly Holder[];
}

/** The DNS VipProvider: a Route 53 A/AAAA record pointed at the active member. */
export class DnsVipProvider extends DriverProvider {
  readonly name: string;
  readonly #ctx: DnsContext;

  constructor(o: DnsProviderOptions) {
    const members: DnsMember[] = parseMembers(dnsHolderSpec, o.members, 'dns');
    const deps = providerDeps(o, 'dns');
    super(deps.move);
    this.name = deps.name;
    const route53 = new Route53Client({
      region: o.region ?? 'us-east-1',
      maxAttempts: 1,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.credentials ? { credentials: o.credentials } : {}),
    });
    this.#ctx = {
      route53,
      members,
      ...deps.move,
      call: providerCall(deps.call, classifyRoute53Error, 'route53'),
    };
  }

  protected driverFor(r: VipResource, holderId: string | null, options: MoveOptions) {
    const takeover = options.takeover ?? false;
    const target = memberFor(this.#ctx.members, holderId, 'dns');
    if (typeof target === 'string') return target;
    if (r.kind !== 'record') return `dns resource ${r.id}: unknown kind ${r.kind} (record)`;
    const s = parseSpec(recordSpec, r.spec, `dns resource ${r.id}`);
    return typeof s === 'string' ? s : recordDriver(this.#ctx, r.id, s, target, takeover);
  }
}
