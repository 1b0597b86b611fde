/**
 * keepalived.conf model -> the routes, rules and addresses the agent keeps beside the VIPs (reference
 * keepalived.md §1.2, §1.4): each instance's `virtual_routes` then `virtual_rules` (installed while MASTER),
 * and the global `static_ipaddress`, `static_routes`, `static_rules` (installed while the agent runs).
 * The lines were checked with file:line by the translator; a line that still does not parse (native
 * config) is an error naming its block.
 */
import { parseRouteWords, parseRuleWords, RULE_START_PRIORITY } from '../config/ip-route-words.ts';
import type { Config, IpRule, RouteEntry } from '../model/index.ts';
import type { InterfaceAddress, RouteOrRule } from '../ports/index.ts';

export interface RoutesPlan {
  /** Per instance: routes first, then rules (keepalived's order on MASTER; removal is the reverse). */
  virtual: Record<string, RouteOrRule[]>;
  staticAddresses: InterfaceAddress[];
  /** static_routes then static_rules. */
  static: RouteOrRule[];
}

export function planRoutes(
  config: Config,
  addressEntry: (e: Config['staticIpaddress'][number]) => InterfaceAddress,
): { plan: RoutesPlan; errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const next = { inet: RULE_START_PRIORITY, inet6: RULE_START_PRIORITY };
  const read = (
    where: string,
    routes: RouteEntry[],
    rules: RouteEntry[],
    isStatic: boolean,
  ): RouteOrRule[] => {
    const out: RouteOrRule[] = [];
    const options = (e: RouteEntry) => ({ noTrack: e.noTrack, allowTrackGroup: isStatic });
    for (const e of routes) {
      const r = parseRouteWords(e.words, options(e));
      if (!r.ok) errors.push(`${where}: route '${e.words.join(' ')}': ${r.error.message}`);
      else {
        out.push({ kind: 'route', route: r.value });
        if (r.value.trackGroup !== undefined)
          warnings.push(`${where}: route '${e.words.join(' ')}': track_group is not applied by floatip yet`);
      }
    }
    for (const e of rules) {
      const r = parseRuleWords(e.words, options(e));
      if (!r.ok) {
        errors.push(`${where}: rule '${e.words.join(' ')}': ${r.error.message}`);
        continue;
      }
      const rule: IpRule = { ...r.value, priority: r.value.priority ?? next[r.value.family]-- };
      out.push({ kind: 'rule', rule });
      if (rule.trackGroup !== undefined)
        warnings.push(`${where}: rule '${e.words.join(' ')}': track_group is not applied by floatip yet`);
    }
    return out;
  };
  const staticEntries = read('static_routes/static_rules', config.staticRoutes, config.staticRules, true);
  const virtual: Record<string, RouteOrRule[]> = {};
  for (const [name, i] of Object.entries(config.vrrpInstances)) {
    const list = read(`vrrp_instance ${name}`, i.virtualRoutes, i.virtualRules, false);
    if (list.length > 0) virtual[name] = list;
  }
  return {
    plan: { virtual, static: staticEntries, staticAddresses: config.staticIpaddress.map(addressEntry) },
    errors,
    warnings,
  };
}
