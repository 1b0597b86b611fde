/**
 * Keeps keepalived's routes, rules and static addresses in step with the VRRP states (reference
 * keepalived.md §1.2, §1.4, §1.5), through the RouteManager and AddressManager ports:
 *
 *   start         leftovers of every virtual and static entry removed (keepalived does so "just in
 *                 case"), then static_ipaddress, static_routes, static_rules added
 *   → MASTER      the instance's virtual_routes, then its virtual_rules, added (after its VIPs)
 *   MASTER →      its virtual_rules, then virtual_routes, removed (before its VIPs)
 *   reload        installed entries diffed against the new config: gone ones removed, new ones added
 *   stop          static rules, routes, addresses removed (keepalived clears them on exit)
 *
 * Every failure is logged with the entry and the kernel's reason; nothing is retried silently.
 */
import { describeRoute, describeRule } from '../model/ip-route.ts';
import type { AddressManager, InterfaceAddress, Logger, RouteManager, RouteOrRule } from '../ports/index.ts';
import type { RoutesPlan } from './vrrp-routes-plan.ts';

const empty: RoutesPlan = { virtual: {}, static: [], staticAddresses: [] };
const keyOf = (x: unknown) => JSON.stringify(x);

/** Entries of `a` not in `b`, by value. */
function minus<T>(a: readonly T[], b: readonly T[]): T[] {
  const keys = new Set(b.map(keyOf));
  return a.filter((x) => !keys.has(keyOf(x)));
}

export const describeEntry = (e: RouteOrRule): string =>
  e.kind === 'route' ? `route ${describeRoute(e.route)}` : `rule ${describeRule(e.rule)}`;

export class RouteKeeper {
  #routes: RouteManager | undefined;
  #addresses: AddressManager;
  #logger: Logger;
  #plan: RoutesPlan = empty;
  /** What each MASTER instance has installed. */
  #installed = new Map<string, RouteOrRule[]>();
  #static: RouteOrRule[] = [];
  #staticAddresses: InterfaceAddress[] = [];

  constructor(deps: { routes?: RouteManager | undefined; addresses: AddressManager; logger: Logger }) {
    this.#routes = deps.routes;
    this.#addresses = deps.addresses;
    this.#logger = deps.logger;
  }

  async start(plan: RoutesPlan | undefined): Promise<void> {
    this.#plan = plan ?? empty;
    this.#checkManager();
    for (const list of Object.values(this.#plan.virtual)) await this.#remove(list, 'quiet');
    await this.#remove(this.#plan.static, 'quiet');
    for (const a of this.#plan.staticAddresses) await this.#address('remove', a, 'quiet');
    for (const a of this.#plan.staticAddresses) await this.#address('add', a);
    this.#staticAddresses = [...this.#plan.staticAddresses];
    await this.#add(this.#plan.static);
    this.#static = [...this.#plan.static];
  }

  /** The instance became MASTER (its VIPs are in): add its routes and rules once. */
  async master(name: string): Promise<void> {
    if (this.#installed.has(name)) return;
    const list = this.#plan.virtual[name];
    if (!list) return;
    this.#installed.set(name, list);
    await this.#add(list);
  }

  /** The instance leaves MASTER (BACKUP, FAULT, stop, removed): its rules and routes go. */
  async leaveMaster(name: string): Promise<void> {
    const list = this.#installed.get(name);
    if (!list) return;
    this.#installed.delete(name);
    await this.#remove(list);
  }

  /** SIGHUP: instances still MASTER and the static entries move to the new config by difference. */
  async reload(plan: RoutesPlan | undefined, isMaster: (name: string) => boolean): Promise<void> {
    this.#plan = plan ?? empty;
    this.#checkManager();
    for (const name of Object.keys(this.#plan.virtual))
      if (!this.#installed.has(name) && isMaster(name)) this.#installed.set(name, []);
    for (const [name, list] of [...this.#installed]) {
      const next = this.#plan.virtual[name] ?? [];
      await this.#remove(minus(list, next));
      await this.#add(minus(next, list));
      if (next.length > 0) this.#installed.set(name, next);
      else this.#installed.delete(name);
    }
    await this.#remove(minus(this.#static, this.#plan.static));
    for (const a of minus(this.#staticAddresses, this.#plan.staticAddresses))
      await this.#address('remove', a);
    for (const a of minus(this.#plan.staticAddresses, this.#staticAddresses)) await this.#address('add', a);
    await this.#add(minus(this.#plan.static, this.#static));
    this.#static = [...this.#plan.static];
    this.#staticAddresses = [...this.#plan.staticAddresses];
  }

  /** After every instance has left MASTER: the static entries are cleared, as keepalived does on exit. */
  async stop(): Promise<void> {
    for (const name of [...this.#installed.keys()]) await this.leaveMaster(name);
    await this.#remove(this.#static);
    for (const a of this.#staticAddresses) await this.#address('remove', a);
    this.#static = [];
    this.#staticAddresses = [];
  }

  #checkManager(): void {
    const any = this.#plan.static.length > 0 || Object.keys(this.#plan.virtual).length > 0;
    if (any && !this.#routes)
      this.#logger.error('vrrp: routes and rules configured but no route manager given');
  }

  async #add(list: readonly RouteOrRule[]): Promise<void> {
    const routes = this.#routes;
    if (!routes) return;
    for (const e of list)
      await routes.add(e).then(
        () => this.#logger.info(`vrrp: added ${describeEntry(e)}`),
        (err: unknown) => this.#logger.error(`vrrp: ${(err as Error).message}`, { entry: describeEntry(e) }),
      );
  }

  /** Rules before routes: the reverse of the order they were added in. */
  async #remove(list: readonly RouteOrRule[], quiet?: 'quiet'): Promise<void> {
    const routes = this.#routes;
    if (!routes) return;
    for (const e of [...list].reverse())
      await routes.remove(e).then(
        () => (quiet ? undefined : this.#logger.info(`vrrp: removed ${describeEntry(e)}`)),
        (err: unknown) =>
          quiet
            ? undefined
            : this.#logger.error(`vrrp: ${(err as Error).message}`, { entry: describeEntry(e) }),
      );
  }

  async #address(op: 'add' | 'remove', a: InterfaceAddress, quiet?: 'quiet'): Promise<void> {
    try {
      await this.#addresses[op](a);
    } catch (e) {
      if (!quiet)
        this.#logger.error(
          `vrrp: cannot ${op} static address ${a.address}/${a.prefixLength} on ${a.interfaceName}`,
          {
            err: String(e),
          },
        );
    }
  }
}
