// The Probe port over the probe functions: dispatch by kind, at most `concurrency` attempts in flight
// (the rest wait in FIFO order), and a guarantee that run() never rejects.
import type { Probe, ProbeRequest, ProbeResult } from '../../core/ports/index.ts';
import { bfdProbe, type BfdStateLookup } from './bfd.ts';
import { dnsProbe } from './dns.ts';
import { fileProbe } from './file.ts';
import { httpProbe } from './http.ts';
import { miscProbe } from './misc.ts';
import { pingProbe } from './ping.ts';
import { errorText } from './result.ts';
import { smtpProbe } from './smtp.ts';
import { tcpProbe } from './tcp.ts';
import { udpProbe } from './udp.ts';
import type { ProbeSocketOpener } from './socket-open.ts';

/** Runs one probe; `opener` makes the sockets of probes with `bind_if` / `fwmark` (see socket-open.ts),
 * `bfd` answers BFD_CHECK from the agent's BFD sessions. */
export function runOne(
  req: ProbeRequest,
  opener?: ProbeSocketOpener,
  bfd?: BfdStateLookup,
  tcp?: TcpCheck,
): Promise<ProbeResult> {
  switch (req.kind) {
    case 'tcp':
      return tcp ? new Promise((resolve) => tcp.start(req, resolve)) : tcpProbe(req, opener);
    case 'http':
      return httpProbe(req, opener);
    case 'misc':
      return miscProbe(req);
    case 'dns':
      return dnsProbe(req, opener);
    case 'smtp':
      return smtpProbe(req, opener);
    case 'udp':
      return udpProbe(req, opener);
    case 'ping':
      return pingProbe(req);
    case 'file':
      return fileProbe(req);
    case 'bfd':
      return bfdProbe(req, bfd);
    default: {
      const never: never = req;
      return Promise.resolve({ ok: false, detail: `unknown probe ${JSON.stringify(never)}`, durationMs: 0 });
    }
  }
}

export interface ProbeRunnerOptions {
  /** Attempts in flight at once (sockets, children). Default 1024. */
  concurrency?: number;
  /** Replace the probe functions (e.g. to run through another transport); defaults to the real ones. */
  run?: (req: ProbeRequest) => Promise<ProbeResult>;
  /** Socket maker for probes with `bind_if` / `fwmark` (on-prem: adapters/onprem openProbeSocket). */
  openSocket?: ProbeSocketOpener;
  /** BFD_CHECK: the state of the agent's BFD sessions; without it every BFD_CHECK fails. */
  bfd?: BfdStateLookup;
  /**
   * TCP_CHECK through another connector (on-prem: adapters/onprem openTcpChecker, batched native
   * connects); without it each attempt is a Node socket (tcp.ts).
   */
  tcp?: TcpCheck;
  /** Called when a failed attempt was late (see {@link lateFailure}) and is being made again. */
  onLate?: (req: ProbeRequest, result: ProbeResult) => void;
}

type TcpRequest = Extract<ProbeRequest, { kind: 'tcp' }>;

/** How far past its own timeout a failed attempt must end to count as late (its timer ran late). */
export const LATE_SLACK_MS = 500;

/**
 * A failed attempt that ended well after its timeout (timeout + max(500 ms, timeout / 2)): its timer
 * fired late because the process did not get the CPU, so the failure may be this process's, not the
 * server's.
 */
const NETWORK: ReadonlySet<ProbeRequest['kind']> = new Set(['tcp', 'http', 'smtp', 'dns', 'udp', 'ping']);

export function lateFailure(req: ProbeRequest, r: ProbeResult): boolean {
  // Network attempts only: a MISC_CHECK's time includes its kill grace, a file or BFD check waits on nothing.
  if (r.ok || !NETWORK.has(req.kind) || !('timeoutMs' in req)) return false;
  return r.durationMs > req.timeoutMs + Math.max(LATE_SLACK_MS, req.timeoutMs / 2);
}

/** A TCP_CHECK connector: `start` calls `done` once, never synchronously, and never throws. */
export interface TcpCheck {
  start(req: TcpRequest, done: (r: ProbeResult) => void): void;
  /** Optional repeating form (see Probe.repeat); null when this request cannot repeat. */
  repeat?(req: TcpRequest, everyMs: number, done: (r: ProbeResult) => void): (() => void) | null;
  /** With `repeat`: see Probe.repeatLag. */
  lag?(): number;
}

export interface ProbeRunner extends Probe {
  readonly inFlight: number;
  readonly queued: number;
}

export function createProbeRunner(options: ProbeRunnerOptions = {}): ProbeRunner {
  const limit = options.concurrency ?? 1024;
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency: ${limit} is not an integer ≥ 1`);
  const opener = options.openSocket;
  const exec = options.run ?? ((req: ProbeRequest) => runOne(req, opener, options.bfd, options.tcp));
  const waiting: Array<() => void> = [];
  let inFlight = 0;

  const failed = (req: ProbeRequest, start: number, err: unknown): ProbeResult => ({
    ok: false,
    detail: `probe ${req.kind} threw: ${errorText(err)}`,
    durationMs: performance.now() - start,
  });
  // A finishing attempt hands its slot straight to the next waiter, so the limit is never exceeded.
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  };
  const late = (req: ProbeRequest, r: ProbeResult): void => options.onLate?.(req, r);
  const execSafe = (req: ProbeRequest): Promise<ProbeResult> => {
    const t0 = performance.now();
    try {
      return exec(req).catch((err: unknown) => failed(req, t0, err));
    } catch (err) {
      return Promise.resolve(failed(req, t0, err));
    }
  };
  // A failure that ran far past its own timeout says more about this process (starved of CPU) than
  // about the server: the attempt is made once more, and only that one counts.
  const start = (req: ProbeRequest): Promise<ProbeResult> =>
    execSafe(req)
      .then((r) => {
        if (!lateFailure(req, r)) return r;
        late(req, r);
        return execSafe(req);
      })
      .then((r) => {
        release();
        return r;
      });

  // The callback form: TCP_CHECK through the connector without a promise per attempt.
  const tcp = options.run === undefined ? options.tcp : undefined;
  const tcpStart = (req: TcpRequest, done: (r: ProbeResult) => void, retried: boolean): void => {
    (tcp as TcpCheck).start(req, (r) => {
      if (!retried && lateFailure(req, r)) {
        late(req, r);
        tcpStart(req, done, true);
        return;
      }
      release();
      done(r);
    });
  };
  const startNow = (req: ProbeRequest, done: (r: ProbeResult) => void): void => {
    if (tcp !== undefined && req.kind === 'tcp') tcpStart(req, done, false);
    else start(req).then(done, () => undefined);
  };

  // Repeating TCP_CHECK (a chain in the connector): not counted against `concurrency`, as it holds a
  // socket only while connecting. A late failure is tried once more, as above.
  const repeat = (
    req: ProbeRequest,
    everyMs: number,
    done: (r: ProbeResult) => void,
  ): (() => void) | null => {
    if (tcp?.repeat === undefined || req.kind !== 'tcp') return null;
    let cancelled = false;
    const cancel = tcp.repeat(req, everyMs, (r) => {
      if (cancelled) return;
      if (!lateFailure(req, r)) {
        done(r);
        return;
      }
      late(req, r);
      (tcp as TcpCheck).start(req, (again) => {
        if (!cancelled) done(again);
      });
    });
    if (cancel === null) return null;
    return () => {
      cancelled = true;
      cancel();
    };
  };

  return {
    repeat,
    repeatLag: () => tcp?.lag?.() ?? 0,
    get inFlight() {
      return inFlight;
    },
    start(req, done) {
      if (inFlight < limit) {
        inFlight += 1;
        startNow(req, done);
      } else waiting.push(() => startNow(req, done));
    },
    get queued() {
      return waiting.length;
    },
    run(req) {
      if (inFlight < limit) {
        inFlight += 1;
        return start(req);
      }
      return new Promise<void>((go) => waiting.push(go)).then(() => start(req));
    },
  };
}
