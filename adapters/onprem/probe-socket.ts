/**
 * Sockets for health probes that need what Node's net and dgram cannot set: a firewall mark (`fwmark`,
 * SO_MARK), an interface binding (`bind_if`, SO_BINDTODEVICE) and a link-local source address (which
 * needs the interface as its scope). The socket is made by the native addon with these options and the
 * local bind applied, then handed to Node as a file descriptor (`new net.Socket({ fd })`,
 * `dgram.Socket.bind({ fd })`); Node's libuv does the non-blocking connect and all I/O, so HTTP, TLS,
 * SMTP and DNS run unchanged on it. Structurally typed to adapters/probes' `ProbeSocketOpener`.
 */
import type { ProbeSocketRequest } from '../../core/ports/index.ts';
import { addon, intOpt, linux } from './native/index.ts';
import { isIpv6LinkLocal, parseIp } from './net/ip-address.ts';
import { sockaddrIn, sockaddrIn6 } from './net/sockaddr.ts';

/** SOL_SOCKET option number of SO_MARK (asm-generic/socket.h). */
const SO_MARK = 36;

/**
 * A non-blocking, close-on-exec socket with SO_MARK, SO_BINDTODEVICE and bind() applied, not yet
 * connected; the caller owns the returned fd. Throws (closing the fd) when an option is refused, e.g.
 * ENODEV for an unknown interface, EADDRNOTAVAIL for a local address the host does not have, EPERM
 * without CAP_NET_ADMIN (SO_MARK) or CAP_NET_RAW (SO_BINDTODEVICE).
 */
export function openProbeSocket(req: ProbeSocketRequest): number {
  const a = addon();
  const family = parseIp(req.host).length === 4 ? 4 : 6;
  const local = req.bindTo === undefined ? undefined : parseIp(req.bindTo);
  if (local !== undefined && (local.length === 4 ? 4 : 6) !== family) {
    throw Object.assign(new Error(`bindto ${req.bindTo} is not of the family of ${req.host}`), {
      code: 'EAFNOSUPPORT',
    });
  }
  let ifIndex = 0;
  if (req.bindIf !== undefined) {
    ifIndex = a.ifNameToIndex(req.bindIf);
    if (ifIndex === 0)
      throw Object.assign(new Error(`bind_if ${req.bindIf}: no such interface`), { code: 'ENODEV' });
  }
  const fd = a.socket(
    family === 4 ? linux.AF_INET : linux.AF_INET6,
    req.type === 'tcp' ? linux.SOCK_STREAM : linux.SOCK_DGRAM,
    0,
  );
  try {
    if (req.fwmark !== undefined) a.setsockopt(fd, linux.SOL_SOCKET, SO_MARK, intOpt(req.fwmark));
    if (req.bindIf !== undefined) {
      a.setsockopt(fd, linux.SOL_SOCKET, linux.SO_BINDTODEVICE, new TextEncoder().encode(`${req.bindIf}\0`));
    }
    if (local !== undefined || req.bindPort !== undefined) {
      const port = req.bindPort ?? 0;
      const addr = local ?? new Uint8Array(family === 4 ? 4 : 16);
      const scope = family === 6 && isIpv6LinkLocal(addr) ? ifIndex : 0;
      a.bind(fd, family === 4 ? sockaddrIn(addr, port) : sockaddrIn6(addr, scope, port));
    }
    return fd;
  } catch (err) {
    a.close(fd);
    throw err;
  }
}
