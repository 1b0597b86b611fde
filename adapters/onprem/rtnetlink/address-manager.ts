/**
 * AddressManager over rtnetlink (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR dump), not by spawning `ip`.
 * One request in flight at a time per socket; replies are matched by sequence number.
 */
import type { AddressManager, InterfaceAddress } from '../../../core/ports/index.ts';
import { addon, linux } from '../native/index.ts';
import { NativeSocket, interfaceIndex } from '../native/socket.ts';
import { formatIp, parseIp } from '../net/ip-address.ts';
import { sockaddrNl } from '../net/sockaddr.ts';
import {
  concat,
  cString,
  decodeAttributes,
  decodeIfAddrMsg,
  decodeMessages,
  encodeAttribute,
  encodeIfAddrMsg,
  encodeMessage,
  errorCode,
  ifa,
  ifla,
  nl,
  readCString,
  rtm,
  scopeName,
  scopes,
  type NetlinkMessage,
} from './message.ts';

const errnoNames: Record<number, string> = {
  1: 'EPERM (CAP_NET_ADMIN is missing)',
  2: 'ENOENT',
  13: 'EACCES',
  17: 'EEXIST',
  19: 'ENODEV',
  22: 'EINVAL',
  99: 'EADDRNOTAVAIL',
};

export class NetlinkError extends Error {
  readonly errno: number;
  constructor(what: string, errno: number) {
    super(`${what}: ${errnoNames[errno] ?? `errno ${errno}`}`);
    this.errno = errno;
  }
}

interface Pending {
  seq: number;
  dump: boolean;
  collected: NetlinkMessage[];
  resolve: (messages: NetlinkMessage[]) => void;
  reject: (e: Error) => void;
  what: string;
}

/** A NETLINK_ROUTE socket with request/ack and dump helpers. */
export class RtnetlinkSocket {
  #sock: NativeSocket;
  #seq = Math.floor(Math.random() * 0x7fffffff);
  #pending: Pending | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor() {
    this.#sock = NativeSocket.open(linux.AF_NETLINK, linux.SOCK_RAW, linux.NETLINK_ROUTE);
    this.#sock.bind(sockaddrNl());
    this.#sock.onMessage({ maxData: 65536, maxControl: 0 }, (m) => this.#onData(m.data));
  }

  #onData(data: Uint8Array): void {
    const p = this.#pending;
    if (!p) return;
    for (const msg of decodeMessages(data)) {
      if (msg.seq !== p.seq) continue;
      if (msg.type === nl.NLMSG_ERROR) {
        const errno = errorCode(msg.body);
        this.#pending = undefined;
        if (errno === 0) p.resolve(p.collected);
        else p.reject(new NetlinkError(p.what, errno));
        return;
      }
      if (msg.type === nl.NLMSG_DONE) {
        this.#pending = undefined;
        p.resolve(p.collected);
        return;
      }
      p.collected.push(msg);
    }
  }

  /** Sends one request and waits for its ack (or the end of the dump). Requests are serialised. */
  request(type: number, flags: number, body: Uint8Array, what: string): Promise<NetlinkMessage[]> {
    const run = () =>
      new Promise<NetlinkMessage[]>((resolve, reject) => {
        this.#seq = (this.#seq + 1) >>> 0;
        const dump = (flags & nl.NLM_F_DUMP) === nl.NLM_F_DUMP;
        this.#pending = { seq: this.#seq, dump, collected: [], resolve, reject, what };
        try {
          this.#sock.send(encodeMessage(type, flags | nl.NLM_F_REQUEST, this.#seq, body), sockaddrNl());
        } catch (e) {
          this.#pending = undefined;
          reject(e as Error);
        }
      });
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.#pending?.reject(new Error('rtnetlink socket closed'));
    this.#pending = undefined;
    this.#sock.close();
  }
}

/** Opens the rtnetlink AddressManager; errors say which capability is missing. */
export function openAddressManager(): AddressManager {
  const rt = new RtnetlinkSocket();
  const names = new Map<number, string>();

  const linkNames = async () => {
    const links = await rt.request(rtm.GETLINK, nl.NLM_F_DUMP, new Uint8Array(16), 'list interfaces');
    names.clear();
    for (const m of links) {
      const index = new DataView(m.body.buffer, m.body.byteOffset).getInt32(4, true);
      for (const a of decodeAttributes(m.body.subarray(16)))
        if (a.type === ifla.IFNAME) names.set(index, readCString(a.data));
    }
  };

  const body = (a: InterfaceAddress, forAdd: boolean): Uint8Array => {
    const bytes = parseIp(a.address);
    const family = bytes.length === 4 ? linux.AF_INET : linux.AF_INET6;
    const prefixLength = a.prefixLength;
    const attrs = [encodeAttribute(ifa.LOCAL, bytes), encodeAttribute(ifa.ADDRESS, bytes)];
    if (forAdd && family === linux.AF_INET) {
      if (a.label) attrs.push(encodeAttribute(ifa.LABEL, cString(a.label)));
      if (a.broadcast) attrs.push(encodeAttribute(ifa.BROADCAST, parseIp(a.broadcast)));
    }
    if (forAdd && family === linux.AF_INET6) {
      attrs.push(encodeAttribute(ifa.FLAGS, new Uint8Array([ifa.F_NODAD, 0, 0, 0])));
      if (a.preferredLifetime !== undefined) {
        // struct ifa_cacheinfo { prefered, valid, cstamp, tstamp }
        const ci = new Uint8Array(16);
        const v = new DataView(ci.buffer);
        v.setUint32(0, a.preferredLifetime >>> 0, true);
        v.setUint32(4, 0xffffffff, true);
        attrs.push(encodeAttribute(ifa.CACHEINFO, ci));
      }
    }
    return concat([
      encodeIfAddrMsg({
        family,
        prefixLength,
        flags: family === linux.AF_INET6 && forAdd ? ifa.F_NODAD : 0,
        scope: scopes[a.scope ?? 'global'],
        ifIndex: interfaceIndex(a.interfaceName),
      }),
      ...attrs,
    ]);
  };

  return {
    async list(interfaceName?: string) {
      await linkNames();
      const wanted = interfaceName === undefined ? undefined : interfaceIndex(interfaceName);
      const msgs = await rt.request(rtm.GETADDR, nl.NLM_F_DUMP, new Uint8Array(8), 'list addresses');
      const out: InterfaceAddress[] = [];
      for (const m of msgs) {
        if (m.type !== rtm.NEWADDR) continue;
        const head = decodeIfAddrMsg(m.body);
        if (wanted !== undefined && head.ifIndex !== wanted) continue;
        let local: Uint8Array | undefined;
        let address: Uint8Array | undefined;
        let label: string | undefined;
        let broadcast: string | undefined;
        for (const a of decodeAttributes(m.body.subarray(8))) {
          if (a.type === ifa.LOCAL) local = a.data;
          if (a.type === ifa.ADDRESS) address = a.data;
          if (a.type === ifa.LABEL) label = readCString(a.data);
          if (a.type === ifa.BROADCAST) broadcast = formatIp(a.data);
        }
        const addr = local ?? address;
        if (!addr) continue;
        const entry: InterfaceAddress = {
          interfaceName: names.get(head.ifIndex) ?? `#${head.ifIndex}`,
          address: formatIp(addr),
          prefixLength: head.prefixLength,
          scope: scopeName(head.scope),
        };
        if (label !== undefined) entry.label = label;
        if (broadcast !== undefined) entry.broadcast = broadcast;
        out.push(entry);
      }
      return out;
    },
    async add(a) {
      try {
        await rt.request(
          rtm.NEWADDR,
          nl.NLM_F_ACK | nl.NLM_F_CREATE | nl.NLM_F_EXCL,
          body(a, true),
          `add ${a.address}/${a.prefixLength} on ${a.interfaceName}`,
        );
      } catch (e) {
        if (e instanceof NetlinkError && e.errno === 17) return; // EEXIST: already there
        throw e;
      }
    },
    async remove(a) {
      // The interface is gone (a VMAC deleted under its instance): so is the address, as with ENODEV.
      if (!addon().ifNameToIndex(a.interfaceName)) return;
      try {
        await rt.request(
          rtm.DELADDR,
          nl.NLM_F_ACK,
          body(a, false),
          `remove ${a.address}/${a.prefixLength} from ${a.interfaceName}`,
        );
      } catch (e) {
        // EADDRNOTAVAIL: not there (any more); ENODEV: the interface is gone, and so is the address.
        if (e instanceof NetlinkError && (e.errno === 99 || e.errno === 19)) return;
        throw e;
      }
    },
    close: () => rt.close(),
  };
}
