/**
 * RouteManager: the routes and policy rules floatip installs for keepalived's `virtual_routes` /
 * `virtual_rules` (while MASTER) and `static_routes` / `static_rules` (while running). Every call resolves
 * once the kernel has acknowledged it, or rejects with an error naming the route or rule and the errno.
 *
 * @example
 * await routes.add({ kind: 'route', route });   // already there: not an error
 * await routes.remove({ kind: 'rule', rule });  // not there: not an error
 */
import type { IpRoute, IpRule } from '../model/ip-route.ts';

export type RouteOrRule = { kind: 'route'; route: IpRoute } | { kind: 'rule'; rule: IpRule };

export interface RouteManager {
  add(entry: RouteOrRule): Promise<void>;
  remove(entry: RouteOrRule): Promise<void>;
  /**
   * Calls `onRemoved` for every route or rule with protocol keepalived (18) that the kernel reports
   * deleted (by anyone, floatip included), in the kernel's terms; the caller decides whether it matters.
   */
  watchRemovals?(onRemoved: (entry: RouteOrRule) => void): () => void;
  close(): void;
}
