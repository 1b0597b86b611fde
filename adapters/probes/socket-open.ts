// Where a probe's socket comes from. Plain endpoints use Node's net/dgram. `bind_if`, `fwmark` (and the
// link-local addresses that need an interface) cannot be set through Node, so such probes take their
// socket from an injected opener (the on-prem agent passes adapters/onprem openProbeSocket): it returns
// an fd with SO_MARK / SO_BINDTODEVICE / bind() applied, which Node then connects and drives as usual.
import { closeSync } from 'node:fs';
import { type Socket as Dgram } from 'node:dgram';
import { connect, Socket } from 'node:net';
import type { ProbeEndpoint, ProbeSocketRequest } from '../../core/ports/index.ts';

/** Makes an unconnected, non-blocking socket with the endpoint's local options applied; throws on refusal. */
export type ProbeSocketOpener = (req: ProbeSocketRequest) => number;

/** Does this endpoint need an opener (options Node's own sockets cannot set)? */
export const needsOpener = (e: ProbeEndpoint): boolean => e.bindIf !== undefined || e.fwmark !== undefined;

/** The peer as Node's connect wants it: a link-local IPv6 peer gets `bind_if` as its zone. */
export function peerHost(e: ProbeEndpoint): string {
  if (e.bindIf !== undefined && /^fe[89ab][0-9a-f]?:/i.test(e.host) && !e.host.includes('%'))
    return `${e.host}%${e.bindIf}`;
  return e.host;
}

function openFd(type: 'tcp' | 'udp', e: ProbeEndpoint, opener: ProbeSocketOpener | undefined): number {
  if (opener === undefined) {
    throw new Error(
      'bind_if / fwmark need a socket opener (the on-prem agent provides one; Node cannot set SO_MARK or SO_BINDTODEVICE)',
    );
  }
  return opener({
    type,
    host: e.host,
    ...(e.bindTo === undefined ? {} : { bindTo: e.bindTo }),
    ...(e.bindPort === undefined ? {} : { bindPort: e.bindPort }),
    ...(e.bindIf === undefined ? {} : { bindIf: e.bindIf }),
    ...(e.fwmark === undefined ? {} : { fwmark: e.fwmark }),
  });
}

/** A TCP socket connecting to the endpoint (emits 'connect' or 'error'). Throws when it cannot be made. */
export function openStream(e: ProbeEndpoint, opener: ProbeSocketOpener | undefined): Socket {
  if (!needsOpener(e)) {
    return connect({
      host: e.host,
      port: e.port,
      ...(e.bindTo === undefined ? {} : { localAddress: e.bindTo }),
      ...(e.bindPort === undefined ? {} : { localPort: e.bindPort }),
    });
  }
  const fd = openFd('tcp', e, opener);
  let socket: Socket;
  try {
    socket = new Socket({ fd });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return socket.connect({ host: peerHost(e), port: e.port });
}

/**
 * Binds `sock` as the endpoint asks (bindto / bind_port through Node, or an opener's fd) and connects it
 * to the peer; `ready` runs once it is connected. Errors are thrown (synchronous) or emitted on `sock`.
 */
export function connectDatagram(
  sock: Dgram,
  e: ProbeEndpoint,
  opener: ProbeSocketOpener | undefined,
  ready: () => void,
): void {
  const connectNow = (): void => sock.connect(e.port, peerHost(e), ready);
  if (needsOpener(e)) {
    const fd = openFd('udp', e, opener);
    try {
      sock.bind({ fd }, connectNow);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  } else if (e.bindTo !== undefined || e.bindPort !== undefined) {
    sock.bind(
      { port: e.bindPort ?? 0, ...(e.bindTo === undefined ? {} : { address: e.bindTo }) },
      connectNow,
    );
  } else {
    connectNow();
  }
}
