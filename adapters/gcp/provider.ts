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
  moveResource,
  tokenBucket,
  type FailoverPolicy,
  type KindDriver,
  type Sleep,
} from '../../core/failover/index.ts';
import { systemClock, systemRandom } from '../system/index.ts';
import { gcpClients, gcpContext, type GcpContext, type GcpMember } from './context.ts';
import { accessConfigDriver, aliasIpDriver } from './instance-kinds.ts';
import { routeDriver } from './route.ts';
import { accessConfigSpec, aliasIpSpec, gcpHolderSpec, parseSpec, routeSpec } from './specs.ts';

export interface GcpProviderOptions {
  project: string;
  /** `http://127.0.0.1:PORT` for an emulator. */
  endpoint?: string;
  /** A google-auth-library client; application default credentials when absent. */
  authClient?: unknown;
  members: readonly Holder[];
  policy?: FailoverPolicy;
  /** Pause between `wait` calls while an operation is still RUNNING; 500 ms when absent. */
  opPollMs?: number;
  random?: Random;
  clock?: Clock;
  sleep?: Sleep;
}

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The GCP VipProvider: alias IP ranges, external IP access configs and static routes over Compute Engine. */
export class GcpVipProvider implements VipProvider {
  readonly name = 'gcp';
  readonly #ctx: GcpContext;
  readonly #policy: FailoverPolicy;
  readonly #random: Random;
  readonly #sleep: Sleep;

  constructor(o: GcpProviderOptions) {
    const members: GcpMember[] = o.members.map((m) => {
      const spec = parseSpec(gcpHolderSpec, m.spec, `gcp member ${m.id}`);
      if (typeof spec === 'string') throw new Error(spec);
      return { id: m.id, spec };
    });
    this.#policy = o.policy ?? defaultFailoverPolicy;
    this.#random = o.random ?? systemRandom;
    this.#sleep = o.sleep ?? realSleep;
    const clients = gcpClients({
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(o.authClient ? { authClient: o.authClient } : {}),
    });
    const limiter = tokenBucket(this.#policy.rate, o.clock ?? systemClock, this.#sleep);
    this.#ctx = gcpContext(
      o.project,
      clients,
      { limiter, policy: this.#policy.call, random: this.#random, sleep: this.#sleep },
      members,
      o.opPollMs ?? 500,
    );
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

  #driver(r: VipResource, holderId: string | null): KindDriver<unknown> | string {
    const target = this.#ctx.members.find((m) => m.id === holderId) ?? this.#ctx.members[0];
    if (!target || (holderId !== null && target.id !== holderId))
      return `gcp: ${holderId} is not a gcp member`;
    const where = `gcp resource ${r.id}`;
    switch (r.kind) {
      case 'alias-ip': {
        const s = parseSpec(aliasIpSpec, r.spec, where);
        return typeof s === 'string' ? s : (aliasIpDriver(this.#ctx, r.id, s, target) as KindDriver<unknown>);
      }
      case 'access-config': {
        const s = parseSpec(accessConfigSpec, r.spec, where);
        return typeof s === 'string'
          ? s
          : (accessConfigDriver(this.#ctx, r.id, s, target) as KindDriver<unknown>);
      }
      case 'route': {
        const s = parseSpec(routeSpec, r.spec, where);
        return typeof s === 'string' ? s : (routeDriver(this.#ctx, r.id, s, target) as KindDriver<unknown>);
      }
      default:
        return `${where}: unknown kind ${r.kind} (alias-ip, access-config, route)`;
    }
  }

  async observe(resource: VipResource): Promise<Outcome<Observation>> {
    const d = this.#driver(resource, null);
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
    const d = this.#driver(r, h.id);
    if (typeof d === 'string') return Promise.resolve({ kind: 'give-up', reason: d });
    return moveResource(d, mode, h.id, options, {
      verify: this.#policy.verify,
      random: this.#random,
      sleep: this.#sleep,
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
