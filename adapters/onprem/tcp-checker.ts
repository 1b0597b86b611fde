/**
 * TCP_CHECK through the native addon's batched connector (native/src/tcp-check.c) instead of a Node
 * `net.Socket` per attempt: one epoll set and one timer for every connect in flight, results delivered in
 * one call per turn of the event loop. It is what the agent uses for TCP_CHECK (bench:checker measures
 * it against keepalived's checker). Probes with `bind_if` / `fwmark` / `bindto` get their socket from
 * {@link openProbeSocket} first, then connect here like any other.
 *
 * Under CPU starvation a connect the kernel completed is reported connected even if its deadline passed
 * while the process waited (the epoll set is drained before deadlines are enforced): a starved checker
 * slows down instead of declaring healthy servers dead.
 */
import { constants } from 'node:os';
import type { ProbeRequest, ProbeResult, ProbeSocketRequest } from '../../core/ports/index.ts';
import { addon } from './native/index.ts';
import { isIpv6LinkLocal, parseIp } from './net/ip-address.ts';
import { sockaddrIn, sockaddrIn6 } from './net/sockaddr.ts';
import { openProbeSocket } from './probe-socket.ts';

type TcpRequest = Extract<ProbeRequest, { kind: 'tcp' }>;

export interface TcpChecker {
  /** One TCP_CHECK attempt; never rejects. */
  check(req: TcpRequest): Promise<ProbeResult>;
  /** The same in callback form (no promise per attempt): `done` runs once, never synchronously. */
  start(req: TcpRequest, done: (r: ProbeResult) => void): void;
  /** Connects in flight. */
  readonly pending: number;
  /** Drops connects in flight (their promises never settle) and frees the epoll set. */
  close(): void;
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([k, v]) => [v, k]));
const ETIMEDOUT = constants.errno.ETIMEDOUT;

const target = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** The peer's sockaddr, built once per request object (the health engine reuses them). */
const peers = new WeakMap<TcpRequest, Uint8Array>();
function peerOf(req: TcpRequest): Uint8Array {
  let peer = peers.get(req);
  if (peer === undefined) {
    const addr = parseIp(req.host);
    const scope =
      addr.length === 16 && isIpv6LinkLocal(addr) && req.bindIf !== undefined
        ? addon().ifNameToIndex(req.bindIf)
        : 0;
    peer = addr.length === 4 ? sockaddrIn(addr, req.port) : sockaddrIn6(addr, scope, req.port);
    peers.set(req, peer);
  }
  return peer;
}

function socketRequest(req: TcpRequest): ProbeSocketRequest | null {
  if (
    req.bindTo === undefined &&
    req.bindPort === undefined &&
    req.bindIf === undefined &&
    req.fwmark === undefined
  )
    return null;
  return {
    type: 'tcp',
    host: req.host,
    ...(req.bindTo === undefined ? {} : { bindTo: req.bindTo }),
    ...(req.bindPort === undefined ? {} : { bindPort: req.bindPort }),
    ...(req.bindIf === undefined ? {} : { bindIf: req.bindIf }),
    ...(req.fwmark === undefined ? {} : { fwmark: req.fwmark }),
  };
}

interface Waiter {
  req: TcpRequest;
  start: number;
  done: (r: ProbeResult) => void;
}

function outcome(w: Waiter, errno: number): ProbeResult {
  const durationMs = performance.now() - w.start;
  if (errno === 0) return { ok: true, detail: 'connected', durationMs };
  const why =
    errno === ETIMEDOUT ? `timeout after ${w.req.timeoutMs} ms` : (errnoNames.get(errno) ?? `errno ${errno}`);
  return { ok: false, detail: `TCP connect to ${target(w.req.host, w.req.port)}: ${why}`, durationMs };
}

export function openTcpChecker(open: (req: ProbeSocketRequest) => number = openProbeSocket): TcpChecker {
  const a = addon();
  const waiting = new Map<number, Waiter>();
  let token = 0;
  const handle = a.tcpCheckOpen((results) => {
    for (let i = 0; i + 1 < results.length; i += 2) {
      const t = results[i] as number;
      const w = waiting.get(t);
      if (w === undefined) continue;
      waiting.delete(t);
      w.done(outcome(w, results[i + 1] as number));
    }
  });
  const start = (req: TcpRequest, done: (r: ProbeResult) => void): void => {
    const t0 = performance.now();
    let fd = -1;
    let peer: Uint8Array;
    try {
      peer = peerOf(req);
      const local = socketRequest(req);
      if (local !== null) fd = open(local);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code ? `${err.code}: ${err.message}` : String(e);
      const r = { ok: false, detail: `TCP connect to ${target(req.host, req.port)}: ${why}`, durationMs: 0 };
      queueMicrotask(() => done(r));
      return;
    }
    token = (token + 1) | 0;
    waiting.set(token, { req, start: t0, done });
    a.tcpCheckConnect(handle, token, fd, peer, req.timeoutMs);
  };
  return {
    start,
    check: (req) => new Promise((resolve) => start(req, resolve)),
    get pending() {
      return a.tcpCheckPending(handle);
    },
    close() {
      waiting.clear();
      a.tcpCheckClose(handle);
    },
  };
}
