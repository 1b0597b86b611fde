/**
 * RouteManager over rtnetlink: RTM_NEWROUTE / RTM_DELROUTE and RTM_NEWRULE / RTM_DELRULE with an ack for
 * each request (not by spawning `ip`).
 */
import { describeRoute, describeRule, type IpRoute } from '../../../core/model/ip-route.ts';
import type { RouteManager, RouteOrRule } from '../../../core/ports/index.ts';
import { interfaceIndex } from '../native/socket.ts';
import { NetlinkError, RtnetlinkSocket } from './address-manager.ts';
import { nl } from './message.ts';
import { encodeRoute, encodeRule, rtmRoute } from './route-message.ts';

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
    close() {
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
