/**
 * A generic-netlink socket (AF_NETLINK / NETLINK_GENERIC) on the shared native addon: one request at a
 * time, replies matched by sequence number, dumps collected until NLMSG_DONE, errors turned into
 * GenlError carrying the errno name. Receiving goes through the event loop (libuv poll), never blocking.
 */
import { NativeSocket } from '../native/socket.ts';
import { linux } from '../native/index.ts';
import { decodeFamily, encodeGetFamily, type FamilyInfo } from './ctrl.ts';
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_OVERRUN,
  decodeAck,
  decodeMessages,
  type NetlinkMessage,
} from './message.ts';

/** Linux errno numbers the callers act on (asm-generic/errno-base.h, errno.h). */
export const errnoNames: Readonly<Record<number, string>> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  12: 'ENOMEM',
  13: 'EACCES',
  16: 'EBUSY',
  17: 'EEXIST',
  22: 'EINVAL',
  34: 'ERANGE',
  95: 'EOPNOTSUPP',
  97: 'EAFNOSUPPORT',
};

export class GenlError extends Error {
  override name = 'GenlError';
  readonly errno: number;
  readonly code: string;
  constructor(what: string, errno: number, detail?: string) {
    const code = errnoNames[errno] ?? `errno ${errno}`;
    super(`${what}: ${code}${detail ? ` (${detail})` : ''}`);
    this.errno = errno;
    this.code = code;
  }
}

/** struct sockaddr_nl { u16 family; u16 pad; u32 pid; u32 groups } */
function sockaddrNl(pid: number, groups: number): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint16(0, linux.AF_NETLINK, true);
  v.setUint32(4, pid, true);
  v.setUint32(8, groups, true);
  return out;
}

const KERNEL = sockaddrNl(0, 0);
const MAX_DATAGRAM = 1 << 17;

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class GenlConnection {
  readonly #sock: NativeSocket;
  #seq: number;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #timeoutMs: number;

  private constructor(sock: NativeSocket, firstSeq: number, timeoutMs: number) {
    this.#sock = sock;
    this.#seq = firstSeq;
    this.#timeoutMs = timeoutMs;
  }

  /** Opens and binds a NETLINK_GENERIC socket (the kernel picks the port id). */
  static open(options: { timeoutMs?: number; firstSeq?: number } = {}): GenlConnection {
    const sock = NativeSocket.open(linux.AF_NETLINK, linux.SOCK_RAW, linux.NETLINK_GENERIC);
    try {
      sock.bind(sockaddrNl(0, 0));
      sock.setInt(linux.SOL_NETLINK, linux.NETLINK_EXT_ACK, 1);
    } catch (e) {
      sock.close();
      throw e;
    }
    return new GenlConnection(sock, options.firstSeq ?? 1, options.timeoutMs ?? 3000);
  }

  /** The next sequence number; callers encode it into the request they pass to {@link request}. */
  nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0 || 1;
    return this.#seq;
  }

  /**
   * Sends one encoded request (whose seq came from nextSeq) and resolves with the reply messages: for a
   * doit, whatever came before the ack; for a dump, every NLM_F_MULTI part before NLMSG_DONE.
   *
   * The kernel handles a generic-netlink request inside sendmsg(2) and queues the reply before it
   * returns; a dump produces its next part when the previous one is read. So the replies are drained
   * from the non-blocking socket right away, and only an empty queue (never seen in practice) waits a
   * millisecond on a timer: the event loop is never blocked.
   */
  request(bytes: Uint8Array, what: string): Promise<NetlinkMessage[]> {
    const run = (): Promise<NetlinkMessage[]> => this.#exchange(bytes, what);
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #exchange(bytes: Uint8Array, what: string): Promise<NetlinkMessage[]> {
    const seq = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
    if (!this.#sock.send(bytes, KERNEL)) throw new Error(`${what}: netlink send buffer full`);
    const replies: NetlinkMessage[] = [];
    let waited = 0;
    for (;;) {
      const got = this.#sock.receive({ maxData: MAX_DATAGRAM, maxControl: 0 });
      if (!got) {
        if (waited >= this.#timeoutMs) throw new Error(`${what}: no netlink reply in ${this.#timeoutMs} ms`);
        await pause(1);
        waited += 1;
        continue;
      }
      if (got.flags & linux.MSG_TRUNC) throw new Error(`${what}: netlink reply truncated`);
      for (const m of decodeMessages(got.data)) {
        if (m.seq !== seq) continue; // a late reply to an earlier request that timed out
        if (m.type === NLMSG_ERROR) {
          const ack = decodeAck(m);
          if (ack.errno === 0) return replies;
          throw new GenlError(what, ack.errno, ack.message);
        }
        if (m.type === NLMSG_DONE) return replies;
        if (m.type === NLMSG_OVERRUN) throw new Error(`${what}: netlink overrun`);
        // A data message (NLM_F_MULTI for dump parts); the ack or NLMSG_DONE that ends it follows.
        replies.push(m);
      }
    }
  }

  /** CTRL_CMD_GETFAMILY; rejects with GenlError code ENOENT when the kernel has no such family. */
  async family(name: string): Promise<FamilyInfo> {
    const replies = await this.request(
      encodeGetFamily(name, this.nextSeq(), 0),
      `resolve generic netlink family "${name}"`,
    );
    const first = replies[0];
    if (!first) throw new Error(`nlctrl sent no NEWFAMILY reply for "${name}"`);
    return decodeFamily(first.payload);
  }

  close(): void {
    this.#sock.close();
  }
}
