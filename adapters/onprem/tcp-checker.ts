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
 *
 * {@link TcpChecker.repeat} hands the periodic schedule of a healthy server to C: it connects every
 * `everyMs` after the previous connect ended and calls back only on the first failure, so steady-state
 * checks cost no JavaScript (the health engine asks for it only where a success changes nothing,
 * core/health/engine.ts `repeatMs`; test/core/health/repeat-equivalence.test.ts).
 */
import { constants } from 'node:os';
import type { ProbeRequest, ProbeResult, ProbeSocketRequest } from '../../core/ports/index.ts';
import { addon } from './native/index.ts';
import { isIpv6LinkLocal, parseIp, writeIpv4 } from './net/ip-address.ts';
import { sockaddrIn, sockaddrIn6 } from './net/sockaddr.ts';
import { openProbeSocket } from './probe-socket.ts';

type TcpRequest = Extract<ProbeRequest, { kind: 'tcp' }>;

export interface TcpChecker {
  /** One TCP_CHECK attempt; never rejects. */
  check(req: TcpRequest): Promise<ProbeResult>;
  /** The same in callback form (no promise per attempt): `done` runs once, never synchronously. */
  start(req: TcpRequest, done: (r: ProbeResult) => void): void;
  /**
   * A connect now and, while connects succeed, another `everyMs` after each ended, none reported; `done`
   * gets the first failure (once, never synchronously). Returns the chain's cancel, or null when this
   * request cannot repeat in C (a socket with bind_if / fwmark / bindto is made in JavaScript per attempt):
   * use {@link start} then.
   */
  repeat(req: TcpRequest, everyMs: number, done: (r: ProbeResult) => void): (() => void) | null;
  /** Connects in flight. */
  readonly pending: number;
  /** Successful connects of chains so far (never reported one by one). */
  readonly quiet: number;
  /** The most a chain's connect started past its due time since the last call, ms (CPU starvation). */
  lag(): number;
  /** Drops connects in flight (their promises never settle) and frees the epoll set. */
  close(): void;
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([k, v]) => [v, k]));
const ETIMEDOUT = constants.errno.ETIMEDOUT;

const target = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/**
 * The IPv4 peers' sockaddr_in: one buffer, rewritten for each call to the addon, which copies what it
 * keeps (a chain's peer) and reads a one-shot connect's during the call. Neither building a sockaddr per
 * attempt nor keeping one per request (a Uint8Array and its ArrayBuffer: ~240 bytes each, 2.4 MB at
 * 10,000 real servers) then. Other peers (IPv6) are built per call.
 */
const ipv4Peer = sockaddrIn(new Uint8Array(4), 0);

/** The peer's sockaddr, valid until the next call. */
function peerOf(req: TcpRequest): Uint8Array {
  if (writeIpv4(req.host, ipv4Peer, 4)) {
    ipv4Peer[2] = (req.port >> 8) & 0xff; // sin_port, network byte order
    ipv4Peer[3] = req.port & 0xff;
    return ipv4Peer;
  }
  const addr = parseIp(req.host);
  const scope =
    addr.length === 16 && isIpv6LinkLocal(addr) && req.bindIf !== undefined
      ? addon().ifNameToIndex(req.bindIf)
      : 0;
  return addr.length === 4 ? sockaddrIn(addr, req.port) : sockaddrIn6(addr, scope, req.port);
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
  /** performance.now() of a one-shot connect; -1 for a chain (its last connect's time comes from C). */
  start: number;
  done: (r: ProbeResult) => void;
}

function outcome(w: Waiter, errno: number, elapsedMs: number): ProbeResult {
  const durationMs = w.start < 0 ? elapsedMs : performance.now() - w.start;
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
    for (let i = 0; i + 2 < results.length; i += 3) {
      const t = results[i] as number;
      const w = waiting.get(t);
      if (w === undefined) continue;
      waiting.delete(t);
      w.done(outcome(w, results[i + 1] as number, results[i + 2] as number));
    }
  });
  // Tokens wrap at 2^32; a chain can outlive billions of one-shot connects, so a token still in use is
  // skipped rather than reused.
  const nextToken = (): number => {
    do token = (token + 1) | 0;
    while (waiting.has(token));
    return token;
  };
  const start = (req: TcpRequest, done: (r: ProbeResult) => void): void => {
    const t0 = performance.now();
    let fd = -1;
    let peer: Uint8Array;
    try {
      peer = peerOf(req); // first: a bad address must not leave an opened socket behind
      const local = socketRequest(req);
      if (local !== null) fd = open(local);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code ? `${err.code}: ${err.message}` : String(e);
      const r = { ok: false, detail: `TCP connect to ${target(req.host, req.port)}: ${why}`, durationMs: 0 };
      queueMicrotask(() => done(r));
      return;
    }
    const t = nextToken();
    waiting.set(t, { req, start: t0, done });
    a.tcpCheckConnect(handle, t, fd, peer, req.timeoutMs);
  };
  const repeat = (req: TcpRequest, everyMs: number, done: (r: ProbeResult) => void): (() => void) | null => {
    if (socketRequest(req) !== null) return null;
    let peer: Uint8Array;
    try {
      peer = peerOf(req);
    } catch {
      return null; // start() reports the same error as a failed attempt
    }
    const t = nextToken();
    waiting.set(t, { req, start: -1, done });
    const id = a.tcpCheckRepeat(handle, t, peer, req.timeoutMs, Math.max(0, Math.round(everyMs)));
    return () => {
      if (waiting.delete(t)) a.tcpCheckCancel(handle, id, t);
    };
  };
  return {
    start,
    repeat,
    check: (req) => new Promise((resolve) => start(req, resolve)),
    get pending() {
      return a.tcpCheckPending(handle);
    },
    get quiet() {
      return a.tcpCheckQuiet(handle);
    },
    lag: () => a.tcpCheckLag(handle),
    close() {
      waiting.clear();
      a.tcpCheckClose(handle);
    },
  };
}
