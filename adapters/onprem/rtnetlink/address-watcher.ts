/**
 * AddressWatcher over rtnetlink: which addresses are configured on this host, whoever adds or removes
 * them (our VRRP side, keepalived, an admin's `ip addr`). The socket joins the RTNLGRP_IPV4_IFADDR and
 * RTNLGRP_IPV6_IFADDR groups first and then dumps every address (RTM_GETADDR), so no change between the
 * two is lost. The LVS side uses it for ha_suspend, as keepalived's checker process uses its netlink
 * reflector (check_api.c update_checker_activity).
 *
 * An address counts as present while it is configured on at least one interface: the same address on
 * two interfaces (an IPv6 link-local one, say) disappears only when the last copy goes.
 */
import { linux } from '../native/index.ts';
import { NativeSocket } from '../native/socket.ts';
import { formatIp, parseIp } from '../net/ip-address.ts';
import { sockaddrNl } from '../net/sockaddr.ts';
import { decodeAttributes, decodeIfAddrMsg, decodeMessages, encodeMessage, ifa, nl, rtm } from './message.ts';

/** linux/rtnetlink.h RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR (the legacy group bitmask of bind). */
const RTMGRP_IPV4_IFADDR = 0x10;
const RTMGRP_IPV6_IFADDR = 0x100;
const DUMP_SEQ = 1;

export interface AddressWatcher {
  /** Whether `address` (any spelling of it) is configured on some interface now. */
  has(address: string): boolean;
  /** Called on every address that appears (present) or whose last copy goes away (not present). */
  watch(onChange: (address: string, present: boolean) => void): () => void;
  close(): void;
}

/** The canonical text of an address, so `2001:DB8::1` and `2001:db8:0::1` compare equal. */
export function canonicalAddress(text: string): string {
  try {
    return formatIp(parseIp(text));
  } catch {
    return text;
  }
}

/** Opens the watcher; resolves once the initial dump has been read. */
export function openAddressWatcher(): Promise<AddressWatcher> {
  const sock = NativeSocket.open(linux.AF_NETLINK, linux.SOCK_RAW, linux.NETLINK_ROUTE);
  try {
    sock.bind(sockaddrNl(0, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR));
  } catch (e) {
    sock.close();
    throw e;
  }
  /** address → interface indexes holding it. */
  const held = new Map<string, Set<number>>();
  const listeners = new Set<(address: string, present: boolean) => void>();
  let closed = false;

  const onAddress = (type: number, body: Uint8Array): void => {
    if (body.length < 8) return;
    const head = decodeIfAddrMsg(body);
    let local: Uint8Array | undefined;
    let address: Uint8Array | undefined;
    for (const a of decodeAttributes(body.subarray(8))) {
      if (a.type === ifa.LOCAL) local = a.data;
      if (a.type === ifa.ADDRESS) address = a.data;
    }
    const bytes = local ?? address;
    if (!bytes) return;
    const text = formatIp(bytes);
    const where = held.get(text) ?? new Set<number>();
    const before = where.size > 0;
    if (type === rtm.NEWADDR) where.add(head.ifIndex);
    else where.delete(head.ifIndex);
    if (where.size > 0) held.set(text, where);
    else held.delete(text);
    const after = where.size > 0;
    if (before !== after) for (const l of listeners) l(text, after);
  };

  return new Promise<AddressWatcher>((resolve, reject) => {
    let ready = false;
    const watcher: AddressWatcher = {
      has: (a) => held.has(canonicalAddress(a)),
      watch(onChange) {
        listeners.add(onChange);
        return () => listeners.delete(onChange);
      },
      close() {
        if (closed) return;
        closed = true;
        listeners.clear();
        sock.close();
      },
    };
    sock.onMessage(
      { maxData: 65536, maxControl: 0 },
      (m) => {
        for (const msg of decodeMessages(m.data)) {
          if (msg.type === rtm.NEWADDR || msg.type === rtm.DELADDR) onAddress(msg.type, msg.body);
          else if (!ready && msg.seq === DUMP_SEQ && msg.type === nl.NLMSG_DONE) {
            ready = true;
            resolve(watcher);
          } else if (!ready && msg.seq === DUMP_SEQ && msg.type === nl.NLMSG_ERROR) {
            watcher.close();
            reject(new Error('rtnetlink: the address dump was refused'));
          }
        }
      },
      // ENOBUFS (events dropped under a flood) is the one receive error here; the next change still arrives.
      () => undefined,
    );
    try {
      // struct ifaddrmsg, all zero: every family, every interface.
      sock.send(
        encodeMessage(rtm.GETADDR, nl.NLM_F_REQUEST | nl.NLM_F_DUMP, DUMP_SEQ, new Uint8Array(8)),
        sockaddrNl(),
      );
    } catch (e) {
      watcher.close();
      reject(e as Error);
    }
  });
}
