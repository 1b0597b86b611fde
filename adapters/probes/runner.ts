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
      return tcp ? tcp(req) : tcpProbe(req, opener);
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
}

/** One TCP_CHECK attempt; must never reject. */
export type TcpCheck = (req: Extract<ProbeRequest, { kind: 'tcp' }>) => Promise<ProbeResult>;

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
  const start = (req: ProbeRequest): Promise<ProbeResult> => {
    const t0 = performance.now();
    let p: Promise<ProbeResult>;
    try {
      p = exec(req);
    } catch (err) {
      p = Promise.reject(err);
    }
    return p.then(
      (r) => {
        release();
        return r;
      },
      (err: unknown) => {
        release();
        return failed(req, t0, err);
      },
    );
  };

  return {
    get inFlight() {
      return inFlight;
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
