import type { Holder, MoveOptions, VipResource } from '../../core/ports/index.ts';
import { DriverProvider, memberFor, parseMembers, type KindDriver } from '../../core/failover/index.ts';
import { providerDeps, type ProviderBaseOptions } from '../system/index.ts';
import { gcpClients, gcpContext, type GcpContext, type GcpMember } from './context.ts';
import { accessConfigDriver, aliasIpDriver } from './instance-kinds.ts';
import { routeDriver } from './route.ts';
import { accessConfigSpec, aliasIpSpec, gcpHolderSpec, parseSpec, routeSpec } from './specs.ts';

export interface GcpProviderOptions extends ProviderBaseOptions {
  project: string;
  /** `http://127.0.0.1:PORT` for an emulator. */
  endpoint?: string;
  /** A google-auth-library client; application default credentials when absent. */
  authClient?: unknown;
  members: readonly Holder[];
  /** Pause between `wait` calls while an operation is still RUNNING; 500 ms when absent. */
  opPollMs?: number;
}

/** The GCP VipProvider: alias IP ranges, external IP access configs and static routes over Compute Engine. */
export class GcpVipProvider extends DriverProvider {
  readonly name: string;
  readonly #ctx: GcpContext;

  constructor(o: GcpProviderOptions) {
    const members: GcpMember[] = parseMembers(gcpHolderSpec, o.members, 'gcp');
    const deps = providerDeps(o, 'gcp');
    super(deps.move);
    this.name = deps.name;
    const clients = gcpClients({
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.authClient ? { authClient: o.authClient } : {}),
    });
    this.#ctx = gcpContext(o.project, clients, deps.call, members, o.opPollMs ?? 500);
  }

  /** Closes the underlying clients (sockets). */
  async close(): Promise<void> {
    const c = this.#ctx.clients;
    await Promise.all([
      c.instances.close(),
      c.routes.close(),
      c.zoneOperations.close(),
      c.globalOperations.close(),
    ]);
  }

  protected driverFor(
    r: VipResource,
    holderId: string | null,
    options: MoveOptions,
  ): KindDriver<unknown> | string {
    const ctx: GcpContext = options.requestKey ? { ...this.#ctx, requestKey: options.requestKey } : this.#ctx;
    const target = memberFor(this.#ctx.members, holderId, 'gcp');
    if (typeof target === 'string') return target;
    const where = `gcp resource ${r.id}`;
    switch (r.kind) {
      case 'alias-ip': {
        const s = parseSpec(aliasIpSpec, r.spec, where);
        return typeof s === 'string' ? s : (aliasIpDriver(ctx, r.id, s, target) as KindDriver<unknown>);
      }
      case 'access-config': {
        const s = parseSpec(accessConfigSpec, r.spec, where);
        return typeof s === 'string' ? s : (accessConfigDriver(ctx, r.id, s, target) as KindDriver<unknown>);
      }
      case 'route': {
        const s = parseSpec(routeSpec, r.spec, where);
        return typeof s === 'string' ? s : (routeDriver(ctx, r.id, s, target) as KindDriver<unknown>);
      }
      default:
        return `${where}: unknown kind ${r.kind} (alias-ip, access-config, route)`;
    }
  }
}
