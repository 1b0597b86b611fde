/**
 * RouteManager over rtnetlink: RTM_NEWROUTE / RTM_DELROUTE and RTM_NEWRULE / RTM_DELRULE with an ack for
 * each request (not by spawning `ip`), and the route/rule multicast groups for deletions by others.
 */
import {
  describeRoute,
  describeRule,
  RTPROT_KEEPALIVED,
  type IpRoute,
} from '../../../core/model/ip-route.ts';
import type { RouteManager, RouteOrRule } from '../../../core/ports/index.ts';
import { linux } from '../native/index.ts';
import { NativeSocket, interfaceIndex } from '../native/socket.ts';
import { sockaddrNl } from '../net/sockaddr.ts';
import { NetlinkError, RtnetlinkSocket } from './address-manager.ts';
import { decodeMessages, nl } from './message.ts';
import { decodeRoute, decodeRule, encodeRoute, encodeRule, rtmRoute } from './route-message.ts';

/** Kernel errno values seen on route and rule requests, with the C library's wording. */
const errnoText: Record<number, string> = {
  1: 'EPERM: Operation not permitted (CAP_NET_ADMIN is missing)',
  2: 'ENOENT: No such file or directory',
  3: 'ESRCH: No such process',
  13: 'EACCES: Permission denied (a prohibit rule matched the lookup)',
  17: 'EEXIST: File exists',
  19: 'ENODEV: No such device',
  22: 'EINVAL: Invalid argument',
  99: 'EADDRNOTAVAIL: Cannot assign requested address',
  101: 'ENETUNREACH: Network is unreachable',
  113: 'EHOSTUNREACH: No route to host',
};

/** RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | 1 << (RTNLGRP_IPV4_RULE - 1) | 1 << (RTNLGRP_IPV6_RULE - 1). */
const GROUPS = 0x40 | 0x400 | (1 << 7) | (1 << 18);

const describe = (e: RouteOrRule) =>
  e.kind === 'route' ? `route ${describeRoute(e.route)}` : `rule ${describeRule(e.rule)}`;

function failure(what: string, e: unknown): Error {
  if (e instanceof NetlinkError) return new Error(`${what}: ${errnoText[e.errno] ?? `errno ${e.errno}`}`);
  return new Error(`${what}: ${(e as Error).message}`);
}

export function openRouteManager(): RouteManager {
  const rt = new RtnetlinkSocket();
  const names = new Map<number, string>();
  const ifIndex = (name: string) => {
    const i = interfaceIndex(name);
    names.set(i, name);
    return i;
  };
  let monitor: NativeSocket | undefined;
  const listeners = new Set<(e: RouteOrRule) => void>();
  const openMonitor = () => {
    const sock = NativeSocket.open(linux.AF_NETLINK, linux.SOCK_RAW, linux.NETLINK_ROUTE);
    sock.bind(sockaddrNl(0, GROUPS));
    sock.onMessage({ maxData: 65536, maxControl: 0 }, (m) => {
      for (const msg of decodeMessages(m.data)) {
        const entry = removal(msg.type, msg.body, names);
        if (entry) for (const l of listeners) l(entry);
      }
    });
    return sock;
  };

  const request = async (e: RouteOrRule, add: boolean) => {
    const what = `${add ? 'add' : 'remove'} ${describe(e)}`;
    let type: number;
    let flags: number = nl.NLM_F_ACK;
    let body: Uint8Array;
    try {
      if (e.kind === 'route') {
        type = add ? rtmRoute.NEWROUTE : rtmRoute.DELROUTE;
        if (add) flags |= nl.NLM_F_CREATE | modeFlag(e.route);
        body = encodeRoute(e.route, add, ifIndex);
      } else {
        type = add ? rtmRoute.NEWRULE : rtmRoute.DELRULE;
        if (add) flags |= nl.NLM_F_CREATE | nl.NLM_F_EXCL;
        body = encodeRule(e.rule);
      }
    } catch (err) {
      if (!add) return; // the interface is gone, and with it the route
      throw failure(what, err);
    }
    try {
      await rt.request(type, flags, body, what);
    } catch (err) {
      const errno = err instanceof NetlinkError ? err.errno : 0;
      if (add && errno === 17) return; // EEXIST: already there
      if (!add && (errno === 3 || errno === 2 || errno === 19)) return; // not there (any more)
      throw failure(what, err);
    }
  };

  return {
    add: (e) => request(e, true),
    remove: (e) => request(e, false),
    watchRemovals(onRemoved) {
      monitor ??= openMonitor();
      listeners.add(onRemoved);
      return () => listeners.delete(onRemoved);
    },
    close() {
      listeners.clear();
      monitor?.close();
      rt.close();
    },
  };
}

/** keepalived's default is `prepend` (no flag); `add` refuses an existing match, `append` goes after it. */
function modeFlag(r: IpRoute): number {
  if (r.mode === 'add') return nl.NLM_F_EXCL;
  if (r.mode === 'append') return 0x800; // NLM_F_APPEND
  return 0;
}

/** A deleted route or rule with protocol keepalived, in the model's terms, or undefined. */
function removal(type: number, body: Uint8Array, names: Map<number, string>): RouteOrRule | undefined {
  if (type === rtmRoute.DELROUTE) {
    const d = decodeRoute(body);
    if (!d || d.protocol !== RTPROT_KEEPALIVED || typeof d.type !== 'string') return undefined;
    const route: IpRoute = {
      family: d.family,
      type: d.type,
      dst: d.dst,
      table: d.table,
      protocol: d.protocol,
      tos: d.tos,
      onlink: d.onlink,
      mode: 'prepend',
      noTrack: false,
    };
    if (d.scope !== 0) route.scope = d.scope;
    if (d.src) route.src = d.src;
    if (d.prefsrc) route.prefsrc = d.prefsrc;
    if (d.via) route.via = d.via;
    if (d.oif !== undefined) route.dev = names.get(d.oif) ?? `#${d.oif}`;
    if (d.metric !== undefined) route.metric = d.metric;
    return { kind: 'route', route };
  }
  if (type === rtmRoute.DELRULE) {
    const d = decodeRule(body);
    if (!d || d.protocol !== RTPROT_KEEPALIVED || typeof d.action !== 'string') return undefined;
    return { kind: 'rule', rule: { ...d, action: d.action, protocol: RTPROT_KEEPALIVED, noTrack: false } };
  }
  return undefined;
}
