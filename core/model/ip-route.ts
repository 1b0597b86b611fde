/**
 * Routes and policy rules as keepalived installs them (`virtual_routes`, `virtual_rules`, `static_routes`,
 * `static_rules`): the `ip route` / `ip rule` line of the config, parsed into the fields the kernel gets
 * (rtmsg / fib_rule_hdr plus attributes). Numbers are the kernel's (linux/rtnetlink.h, fib_rules.h).
 */

export type RouteFamily = 'inet' | 'inet6';

/** An address with its prefix length, host bits clear (`10.1.0.0/16`, `default` = `0.0.0.0/0`). */
export interface Prefix {
  address: string;
  length: number;
}

/** linux/rtnetlink.h RTN_*: route types keepalived accepts in front of the destination. */
export const routeTypes = {
  unicast: 1,
  local: 2,
  broadcast: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
  throw: 9,
} as const;
export type RouteType = keyof typeof routeTypes;

/** RTPROT_KEEPALIVED: keepalived's (and floatip's) routes and rules carry it, so they can be told apart. */
export const RTPROT_KEEPALIVED = 18;
/** RT_TABLE_MAIN. */
export const RT_TABLE_MAIN = 254;

export interface IpRoute {
  family: RouteFamily;
  type: RouteType;
  dst: Prefix;
  /** `from` (IPv6 source-specific routing only). */
  src?: Prefix;
  /** `src`: preferred source address. */
  prefsrc?: string;
  /** `via` / `gw`. */
  via?: string;
  /** `dev` / `oif`. */
  dev?: string;
  table: number;
  /** rtm_protocol; RTPROT_KEEPALIVED unless `proto` is given with `no_track`. */
  protocol: number;
  /** rtm_scope; undefined = universe (keepalived never guesses `link`, unlike `ip route`). */
  scope?: number;
  /** `metric` / `priority` / `preference` (RTA_PRIORITY). */
  metric?: number;
  tos: number;
  onlink: boolean;
  /** `add` = NLM_F_EXCL, `append` = NLM_F_APPEND, default `prepend` (keepalived's and the kernel's). */
  mode: 'prepend' | 'add' | 'append';
  noTrack: boolean;
  trackGroup?: string;
}

/** linux/fib_rules.h FR_ACT_*. */
export const ruleActions = {
  table: 1,
  goto: 2,
  nop: 3,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
} as const;
export type RuleAction = keyof typeof ruleActions;

export interface IpRule {
  family: RouteFamily;
  /** Always set: keepalived assigns 16384, 16383, … per family when the config gives none. */
  priority: number;
  action: RuleAction;
  /** For action `table`. */
  table?: number;
  /** For action `goto`. */
  gotoTarget?: number;
  from?: Prefix;
  to?: Prefix;
  not: boolean;
  tos: number;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  suppressPrefixLength?: number;
  protocol: number;
  noTrack: boolean;
  trackGroup?: string;
}

/** A route as one line of text in `ip route` order, for logs and errors. */
export function describeRoute(r: IpRoute): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(r.dst.length === 0 ? 'default' : `${r.dst.address}/${r.dst.length}`);
  if (r.src) parts.push('from', `${r.src.address}/${r.src.length}`);
  if (r.via) parts.push('via', r.via);
  if (r.dev) parts.push('dev', r.dev);
  if (r.table !== RT_TABLE_MAIN) parts.push('table', String(r.table));
  if (r.prefsrc) parts.push('src', r.prefsrc);
  if (r.metric !== undefined) parts.push('metric', String(r.metric));
  if (r.family === 'inet6' && r.dst.length === 0) parts.unshift('-6');
  return parts.join(' ');
}

/** A rule as one line of text in `ip rule` order, for logs and errors. */
export function describeRule(r: IpRule): string {
  const parts: string[] = [`${r.priority}:`];
  if (r.not) parts.push('not');
  parts.push('from', r.from ? `${r.from.address}/${r.from.length}` : 'all');
  if (r.to) parts.push('to', `${r.to.address}/${r.to.length}`);
  if (r.fwmark !== undefined)
    parts.push('fwmark', r.fwmask !== undefined ? `${r.fwmark}/${r.fwmask}` : String(r.fwmark));
  if (r.iif) parts.push('iif', r.iif);
  if (r.oif) parts.push('oif', r.oif);
  if (r.action === 'table') parts.push('lookup', String(r.table));
  else if (r.action === 'goto') parts.push('goto', String(r.gotoTarget));
  else parts.push(r.action);
  if (r.family === 'inet6') parts.unshift('-6');
  return parts.join(' ');
}
