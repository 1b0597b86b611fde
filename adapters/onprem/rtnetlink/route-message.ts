/**
 * rtnetlink codec for routes and policy rules (linux/rtnetlink.h struct rtmsg + RTA_*, linux/fib_rules.h
 * struct fib_rule_hdr + FRA_*): RTM_NEWROUTE / RTM_DELROUTE / RTM_NEWRULE / RTM_DELRULE bodies built the way
 * keepalived builds them, and decoded back (dumps, multicast notifications). Host byte order (LE).
 */
import {
  routeTypes,
  ruleActions,
  type IpRoute,
  type IpRule,
  type RouteFamily,
  type RouteType,
  type RuleAction,
} from '../../../core/model/ip-route.ts';
import { formatIp, parseIp } from '../net/ip-address.ts';
import { concat, cString, decodeAttributes, encodeAttribute, readCString, u32 } from './message.ts';

/** linux/rtnetlink.h message types for routes and rules. */
export const rtmRoute = {
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
  NEWRULE: 32,
  DELRULE: 33,
  GETRULE: 34,
} as const;

/** linux/rtnetlink.h enum rtattr_type_t (the ones used here). */
export const rta = {
  DST: 1,
  SRC: 2,
  OIF: 4,
  GATEWAY: 5,
  PRIORITY: 6,
  PREFSRC: 7,
  TABLE: 15,
} as const;

/** linux/fib_rules.h FRA_*. */
export const fra = {
  DST: 1,
  SRC: 2,
  IIFNAME: 3,
  GOTO: 4,
  PRIORITY: 6,
  FWMARK: 10,
  SUPPRESS_PREFIXLEN: 14,
  TABLE: 15,
  FWMASK: 16,
  OIFNAME: 17,
  PROTOCOL: 21,
} as const;

/** linux/socket.h address families. */
const AF_INET = 2;
const AF_INET6 = 10;
/** RT_SCOPE_UNIVERSE / RT_SCOPE_NOWHERE; RT_TABLE_UNSPEC. */
const SCOPE_UNIVERSE = 0;
const SCOPE_NOWHERE = 255;
const TABLE_UNSPEC = 0;
/** rtm_flags RTNH_F_ONLINK; fib_rule_hdr flags FIB_RULE_INVERT. */
export const RTNH_F_ONLINK = 4;
export const FIB_RULE_INVERT = 2;

const familyCode = (f: RouteFamily) => (f === 'inet' ? AF_INET : AF_INET6);
const familyName = (code: number): RouteFamily | undefined =>
  code === AF_INET ? 'inet' : code === AF_INET6 ? 'inet6' : undefined;

function s32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, true);
  return out;
}

const readU32 = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(0, true);
const readS32 = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset, d.byteLength).getInt32(0, true);

/**
 * The body of RTM_NEWROUTE (`forAdd`) or RTM_DELROUTE. Like keepalived, a delete carries scope nowhere
 * (any scope) and the same selectors, so it removes only a route with our protocol, gateway and device.
 */
export function encodeRoute(r: IpRoute, forAdd: boolean, ifIndex: (name: string) => number): Uint8Array {
  const head = new Uint8Array(12);
  head[0] = familyCode(r.family);
  head[1] = r.dst.length;
  head[2] = r.src?.length ?? 0;
  head[3] = r.tos;
  head[4] = r.table < 256 ? r.table : TABLE_UNSPEC;
  head[5] = r.protocol;
  head[6] = r.scope ?? (forAdd ? SCOPE_UNIVERSE : SCOPE_NOWHERE);
  head[7] = forAdd || r.type !== 'unicast' ? routeTypes[r.type] : 0;
  new DataView(head.buffer).setUint32(8, r.onlink ? RTNH_F_ONLINK : 0, true);
  const attrs: Uint8Array[] = [head];
  if (r.table >= 256) attrs.push(encodeAttribute(rta.TABLE, u32(r.table)));
  if (r.dst.length > 0) attrs.push(encodeAttribute(rta.DST, parseIp(r.dst.address)));
  if (r.src) attrs.push(encodeAttribute(rta.SRC, parseIp(r.src.address)));
  if (r.prefsrc) attrs.push(encodeAttribute(rta.PREFSRC, parseIp(r.prefsrc)));
  if (r.via) attrs.push(encodeAttribute(rta.GATEWAY, parseIp(r.via)));
  if (r.dev !== undefined) attrs.push(encodeAttribute(rta.OIF, u32(ifIndex(r.dev))));
  if (r.metric !== undefined) attrs.push(encodeAttribute(rta.PRIORITY, u32(r.metric)));
  return concat(attrs);
}

/** A route as the kernel reports it; `dev` is the interface index, `table` the full table id. */
export interface DecodedRoute {
  family: RouteFamily;
  type: RouteType | number;
  dst: { address: string; length: number };
  src?: { address: string; length: number };
  prefsrc?: string;
  via?: string;
  oif?: number;
  table: number;
  protocol: number;
  scope: number;
  metric?: number;
  tos: number;
  onlink: boolean;
}

export function decodeRoute(body: Uint8Array): DecodedRoute | undefined {
  if (body.length < 12) return undefined;
  const family = familyName(body[0]!);
  if (!family) return undefined;
  const typeCode = body[7]!;
  const type = (Object.keys(routeTypes) as RouteType[]).find((k) => routeTypes[k] === typeCode) ?? typeCode;
  const flags = readU32(body.subarray(8, 12));
  const out: DecodedRoute = {
    family,
    type,
    dst: { address: family === 'inet' ? '0.0.0.0' : '::', length: body[1]! },
    table: body[4]!,
    protocol: body[5]!,
    scope: body[6]!,
    tos: body[3]!,
    onlink: (flags & RTNH_F_ONLINK) !== 0,
  };
  for (const a of decodeAttributes(body.subarray(12))) {
    if (a.type === rta.DST) out.dst = { address: formatIp(a.data), length: body[1]! };
    else if (a.type === rta.SRC) out.src = { address: formatIp(a.data), length: body[2]! };
    else if (a.type === rta.PREFSRC) out.prefsrc = formatIp(a.data);
    else if (a.type === rta.GATEWAY) out.via = formatIp(a.data);
    else if (a.type === rta.OIF) out.oif = readU32(a.data);
    else if (a.type === rta.PRIORITY) out.metric = readU32(a.data);
    else if (a.type === rta.TABLE) out.table = readU32(a.data);
  }
  return out;
}

/** The body of RTM_NEWRULE / RTM_DELRULE (the kernel matches a delete on every selector given). */
export function encodeRule(r: IpRule): Uint8Array {
  const head = new Uint8Array(12);
  head[0] = familyCode(r.family);
  head[1] = r.to?.length ?? 0;
  head[2] = r.from?.length ?? 0;
  head[3] = r.tos;
  head[4] = r.action === 'table' && r.table !== undefined && r.table < 256 ? r.table : TABLE_UNSPEC;
  head[7] = ruleActions[r.action];
  new DataView(head.buffer).setUint32(8, r.not ? FIB_RULE_INVERT : 0, true);
  const attrs: Uint8Array[] = [head];
  if (r.action === 'table' && r.table !== undefined && r.table >= 256)
    attrs.push(encodeAttribute(fra.TABLE, u32(r.table)));
  if (r.from) attrs.push(encodeAttribute(fra.SRC, parseIp(r.from.address)));
  if (r.to) attrs.push(encodeAttribute(fra.DST, parseIp(r.to.address)));
  attrs.push(encodeAttribute(fra.PRIORITY, u32(r.priority)));
  if (r.fwmark !== undefined) attrs.push(encodeAttribute(fra.FWMARK, u32(r.fwmark)));
  if (r.fwmask !== undefined) attrs.push(encodeAttribute(fra.FWMASK, u32(r.fwmask)));
  if (r.suppressPrefixLength !== undefined)
    attrs.push(encodeAttribute(fra.SUPPRESS_PREFIXLEN, s32(r.suppressPrefixLength)));
  if (r.iif !== undefined) attrs.push(encodeAttribute(fra.IIFNAME, cString(r.iif)));
  if (r.oif !== undefined) attrs.push(encodeAttribute(fra.OIFNAME, cString(r.oif)));
  attrs.push(encodeAttribute(fra.PROTOCOL, new Uint8Array([r.protocol])));
  if (r.action === 'goto' && r.gotoTarget !== undefined)
    attrs.push(encodeAttribute(fra.GOTO, u32(r.gotoTarget)));
  return concat(attrs);
}

/** A rule as the kernel reports it. */
export type DecodedRule = Omit<IpRule, 'noTrack' | 'trackGroup' | 'action' | 'protocol'> & {
  action: RuleAction | number;
  protocol?: number;
};

export function decodeRule(body: Uint8Array): DecodedRule | undefined {
  if (body.length < 12) return undefined;
  const family = familyName(body[0]!);
  if (!family) return undefined;
  const actionCode = body[7]!;
  const action =
    (Object.keys(ruleActions) as RuleAction[]).find((k) => ruleActions[k] === actionCode) ?? actionCode;
  const flags = readU32(body.subarray(8, 12));
  const out: DecodedRule = {
    family,
    priority: 0,
    action,
    not: (flags & FIB_RULE_INVERT) !== 0,
    tos: body[3]!,
  };
  if (body[4]) out.table = body[4];
  for (const a of decodeAttributes(body.subarray(12))) {
    if (a.type === fra.SRC) out.from = { address: formatIp(a.data), length: body[2]! };
    else if (a.type === fra.DST) out.to = { address: formatIp(a.data), length: body[1]! };
    else if (a.type === fra.PRIORITY) out.priority = readU32(a.data);
    else if (a.type === fra.TABLE) out.table = readU32(a.data);
    else if (a.type === fra.FWMARK) out.fwmark = readU32(a.data);
    else if (a.type === fra.FWMASK) out.fwmask = readU32(a.data);
    else if (a.type === fra.SUPPRESS_PREFIXLEN && readS32(a.data) >= 0)
      out.suppressPrefixLength = readS32(a.data);
    else if (a.type === fra.IIFNAME) out.iif = readCString(a.data);
    else if (a.type === fra.OIFNAME) out.oif = readCString(a.data);
    else if (a.type === fra.GOTO) out.gotoTarget = readU32(a.data);
    else if (a.type === fra.PROTOCOL) out.protocol = a.data[0] ?? 0;
  }
  return out;
}
