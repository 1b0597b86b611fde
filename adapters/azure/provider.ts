import type { TokenCredential } from '@azure/core-auth';
import type { Holder, MoveOptions, VipResource } from '../../core/ports/index.ts';
import { DriverProvider, memberFor, parseMembers, type KindDriver } from '../../core/failover/index.ts';
import { providerDeps, type ProviderBaseOptions } from '../system/index.ts';
import { createNetworkClient } from './client.ts';
import { azureContext, type AzureContext, type AzureMember } from './context.ts';
import { publicIpDriver, secondaryIpDriver } from './nic-kinds.ts';
import { routeDriver } from './route.ts';
import { azureHolderSpec, parseSpec, publicIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';

export interface AzureProviderOptions extends ProviderBaseOptions {
  subscriptionId: string;
  credential: TokenCredential;
  endpoint?: string;
  /** Extra CA (PEM) to trust for `endpoint`. */
  ca?: string;
  members: readonly Holder[];
  /** Poll interval of long-running operations; 1000 ms when absent. */
  lroPollMs?: number;
}

/** The Azure VipProvider: UDR next hops, public IPs and secondary private IPs over Microsoft.Network. */
export class AzureVipProvider extends DriverProvider {
  readonly name: string;
  readonly #ctx: AzureContext;

  constructor(o: AzureProviderOptions) {
    const members: AzureMember[] = parseMembers(azureHolderSpec, o.members, 'azure');
    const deps = providerDeps(o, 'azure');
    super(deps.move);
    this.name = deps.name;
    const client = createNetworkClient({
      subscriptionId: o.subscriptionId,
      credential: o.credential,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
    });
    this.#ctx = azureContext(client, deps.call, members, o.lroPollMs ?? 1000);
  }

  protected driverFor(
    r: VipResource,
    holderId: string | null,
    _options: MoveOptions,
  ): KindDriver<unknown> | string {
    const target = memberFor(this.#ctx.members, holderId, 'azure');
    if (typeof target === 'string') return target;
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
