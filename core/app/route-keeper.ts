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
 *   deleted by someone else (tracked: not no_track; a route only with a dev, as keepalived 2.2.7):
 *                 a MASTER's virtual entry -> the instance goes BACKUP (and soon re-takes MASTER);
 *                 a static entry -> added again
 *
 * Every failure is logged with the entry and the kernel's reason; nothing is retried silently.
 */
import { describeRoute, describeRule, type IpRoute, type IpRule } from '../model/ip-route.ts';
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

/** The kernel's metric when none is given: 0 for IPv4, 1024 for IPv6. */
const metricOf = (r: IpRoute) => r.metric ?? (r.family === 'inet6' ? 1024 : 0);
const samePrefix = (a?: { address: string; length: number }, b?: { address: string; length: number }) =>
  a?.address === b?.address && a?.length === b?.length;

/** Whether a route the kernel reports deleted is `ours` (keepalived compare_route: table, dst, metric, tos, dev). */
function sameRoute(ours: IpRoute, seen: IpRoute): boolean {
  return (
    ours.family === seen.family &&
    ours.table === seen.table &&
    samePrefix(ours.dst, seen.dst) &&
    metricOf(ours) === metricOf(seen) &&
    ours.tos === seen.tos &&
    ours.dev === seen.dev
  );
}

/** keepalived compare_rule, on the selectors floatip sets. */
function sameRule(ours: IpRule, seen: IpRule): boolean {
  return (
    ours.family === seen.family &&
    ours.priority === seen.priority &&
    ours.action === seen.action &&
    (ours.action !== 'table' || ours.table === seen.table) &&
    ours.gotoTarget === seen.gotoTarget &&
    ours.not === seen.not &&
    samePrefix(ours.from, seen.from) &&
    samePrefix(ours.to, seen.to) &&
    ours.tos === seen.tos &&
    ours.fwmark === seen.fwmark &&
    ours.iif === seen.iif &&
    ours.oif === seen.oif
  );
}

/** A tracked entry (keepalived 2.2.7 tracks a route only when it names its device). */
const tracked = (e: RouteOrRule) =>
  e.kind === 'route' ? !e.route.noTrack && e.route.dev !== undefined : !e.rule.noTrack;

function matches(ours: RouteOrRule, seen: RouteOrRule): boolean {
  if (ours.kind === 'route' && seen.kind === 'route') return sameRoute(ours.route, seen.route);
  if (ours.kind === 'rule' && seen.kind === 'rule') return sameRule(ours.rule, seen.rule);
  return false;
}

export type Removal =
  { kind: 'virtual'; instance: string; entry: RouteOrRule } | { kind: 'static'; entry: RouteOrRule };

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

  /**
   * Someone deleted a route or rule with protocol keepalived: which tracked entry of ours it was, if any.
   * Entries floatip removes itself are no longer installed by the time their notification arrives.
   */
  removedExternally(seen: RouteOrRule): Removal | undefined {
    for (const [instance, list] of this.#installed)
      for (const e of list)
        if (tracked(e) && matches(e, seen)) return { kind: 'virtual', instance, entry: e };
    for (const e of this.#static) if (tracked(e) && matches(e, seen)) return { kind: 'static', entry: e };
    return undefined;
  }

  /** keepalived reinstate_static_route / _rule. */
  async reinstate(entry: RouteOrRule): Promise<void> {
    this.#logger.warn(`vrrp: static ${describeEntry(entry)} was deleted; adding it again`);
    await this.#add([entry]);
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
