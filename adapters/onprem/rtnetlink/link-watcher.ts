/**
 * LinkWatcher over rtnetlink: one dump of every link (RTM_GETLINK) for the current states, then the
 * RTNLGRP_LINK multicast group for changes. A link is up when it is administratively up and running
 * (IFF_UP and IFF_RUNNING: carrier present), as keepalived judges it; RTM_DELLINK reports it removed, also
 * when it was already down.
 */
import type { LinkWatcher } from '../../../core/ports/index.ts';
import { linux } from '../native/index.ts';
import { NativeSocket } from '../native/socket.ts';
import { sockaddrNl } from '../net/sockaddr.ts';
import { decodeAttributes, decodeMessages, encodeMessage, ifla, nl, readCString, rtm } from './message.ts';

/** linux/rtnetlink.h RTMGRP_LINK. */
const RTMGRP_LINK = 0x1;
/** linux/if.h net_device_flags. */
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
/** linux/rtnetlink.h RTM_DELLINK. */
const RTM_DELLINK = 17;

export function openLinkWatcher(): LinkWatcher {
  const sock = NativeSocket.open(linux.AF_NETLINK, linux.SOCK_RAW, linux.NETLINK_ROUTE);
  sock.bind(sockaddrNl(0, RTMGRP_LINK));
  const states = new Map<string, boolean>();
  const listeners = new Set<(name: string, up: boolean, removed: boolean) => void>();
  sock.onMessage({ maxData: 65536, maxControl: 0 }, (m) => {
    for (const msg of decodeMessages(m.data)) {
      if (msg.type !== rtm.NEWLINK && msg.type !== RTM_DELLINK) continue;
      if (msg.body.length < 16) continue;
      const flags = new DataView(msg.body.buffer, msg.body.byteOffset).getUint32(8, true);
      let name: string | undefined;
      for (const a of decodeAttributes(msg.body.subarray(16)))
        if (a.type === ifla.IFNAME) name = readCString(a.data);
      if (!name) continue;
      if (msg.type === RTM_DELLINK) {
        if (!states.delete(name)) continue;
        for (const l of listeners) l(name, false, true);
        continue;
      }
      const up = (flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) !== 0;
      if (states.get(name) === up) continue;
      states.set(name, up);
      for (const l of listeners) l(name, up, false);
    }
  });
  // struct ifinfomsg (16 bytes, all zero: every family, every link) for the initial dump.
  sock.send(
    encodeMessage(rtm.GETLINK, nl.NLM_F_REQUEST | nl.NLM_F_DUMP, 1, new Uint8Array(16)),
    sockaddrNl(),
  );
  return {
    watch(onChange) {
      listeners.add(onChange);
      for (const [name, up] of states) onChange(name, up, false);
      return () => listeners.delete(onChange);
    },
    close() {
      listeners.clear();
      sock.close();
    },
  };
}
