/**
 * Health probes: one attempt at checking one real server, as keepalived's checkers do it on the wire.
 * The verdict (retry, delay_before_retry, up/down, weights) is decided in core/health from the
 * {@link ProbeResult}; a probe only reports what it saw.
 */

/** Where a connection-based probe goes and which local address it uses (keepalived `connect_ip`, `bindto`, ...). */
export interface ProbeEndpoint {
  /** Address to connect to (keepalived `connect_ip`, else the real server's address). */
  host: string;
  /** Port to connect to (keepalived `connect_port`, else the real server's port). */
  port: number;
  /** Local source address (`bindto`). */
  bindTo?: string;
  /** Local source port (`bind_port`). */
  bindPort?: number;
  /**
   * Interface the probe's socket is bound to (`bind_if`, SO_BINDTODEVICE); also the scope of a link-local
   * `bindTo` / `host`. Needs the on-prem socket opener (Node cannot set it).
   */
  bindIf?: string;
  /** Firewall mark put on the probe's packets (`fwmark`, SO_MARK). Needs the on-prem socket opener. */
  fwmark?: number;
  /** Connect and I/O timeout in ms (`connect_timeout`). Every probe has one. */
  timeoutMs: number;
}

/** One URL of an HTTP_GET / SSL_GET checker. */
export interface HttpUrl {
  path: string;
  /** Inclusive status ranges that pass; keepalived's default is 200-299. */
  statusRanges: ReadonlyArray<readonly [number, number]>;
  /** Lower-case hex MD5 of the body, as `genhash` prints it. */
  digest?: string;
  /** Host header for this URL (url > checker > real server > virtual server in keepalived). */
  virtualhost?: string;
  /** A pattern the body must match (JavaScript RegExp syntax; keepalived uses PCRE2). */
  regex?: string;
  /** Pass when the regex does NOT match. */
  regexNoMatch?: boolean;
  /** JavaScript RegExp flags mapped from keepalived's `regex_options` (i, m, s, u; u reads the body as UTF-8). */
  regexFlags?: string;
  /** `regex_options firstline`: the match must start at or before the first newline after the start offset. */
  regexFirstLine?: boolean;
  /** `regex_min_offset`: the match must start at or after this body offset (bytes). */
  regexMinOffset?: number;
  /** `regex_max_offset`: the match must start at or before this body offset (bytes). */
  regexMaxOffset?: number;
}

export interface TlsOptions {
  /** Send SNI (`enable_sni`); the name is the virtualhost, else none. */
  sni?: boolean;
  /** PEM text of CA, client certificate, key and key password. */
  ca?: string;
  certificate?: string;
  key?: string;
  password?: string;
  /** The same as files (keepalived's `SSL { ca; certificate; key }` names files); read by the adapter. */
  caFile?: string;
  certificateFile?: string;
  keyFile?: string;
  /** Verify the server certificate against `ca`. keepalived never verifies; default false. */
  verify?: boolean;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/** What to probe. Plain data, produced by core/health from the checker spec. */
export type ProbeRequest =
  | ({ kind: 'tcp' } & ProbeEndpoint)
  | ({
      kind: 'http';
      /** The URL to check in this attempt (keepalived walks the URL list one per attempt). */
      url: HttpUrl;
      /** `http_protocol`: 1.0 (default), 1.0C (1.0 + Connection: close), 1.1 (+ Connection: close). */
      protocol: '1.0' | '1.0C' | '1.1';
      /** SSL_GET when set. */
      tls?: TlsOptions;
    } & ProbeEndpoint)
  | {
      kind: 'misc';
      /** argv of the script (`misc_path`, already split). */
      argv: readonly string[];
      /** `misc_timeout` in ms: SIGTERM to the process group, SIGKILL 2 s later; counts as a failure. */
      timeoutMs: number;
      uid?: number;
      gid?: number;
      /** `user USER [GROUP]`: run as this user (name); the adapter resolves it, unknown = failed attempt. */
      user?: string;
      /** The group for `user` (name); without it, the user's primary group. */
      group?: string;
    }
  | ({
      kind: 'dns';
      /** RR type name: A, NS, CNAME, SOA, MX, TXT, AAAA, RRSIG, DNSKEY. */
      type: string;
      /** Query name; "." is the root. */
      name: string;
    } & ProbeEndpoint)
  | ({ kind: 'smtp'; heloName: string } & ProbeEndpoint)
  | ({
      kind: 'udp';
      /** Bytes to send (`payload`), may be empty. */
      payload: Uint8Array;
      /**
       * A reply must arrive, within the length bounds, and start with this pattern: hex digits, where
       * `X` matches any nibble (keepalived `require_reply HEX`); `''` accepts any reply. `null` turns the
       * requirement off: then silence until the timeout counts as up, as in keepalived's default (pain
       * point P15). floatip's config defaults to requiring a reply.
       */
      requireReply: string | null;
      minReplyLength: number;
      maxReplyLength: number;
    } & ProbeEndpoint)
  | { kind: 'ping'; host: string; timeoutMs: number; bindTo?: string }
  | { kind: 'file'; path: string; timeoutMs: number }
  /** BFD_CHECK: passes while the named bfd_instance session is Up. */
  | { kind: 'bfd'; name: string; timeoutMs: number };

export type ProbeKind = ProbeRequest['kind'];

/** What one attempt saw. */
export interface ProbeResult {
  /** The attempt passed (for `misc`: exit status 0; for `file`: the file was read and parsed). */
  ok: boolean;
  /** One line for logs and status: what passed or failed and why. */
  detail: string;
  /** Wall time the attempt took, ms. */
  durationMs: number;
  /** `misc`: the exit status (absent when killed by a signal or timed out); `file`: the number read. */
  code?: number;
}

/**
 * Runs one probe. Never rejects and never throws: every failure (refused, timeout, bad reply, spawn
 * error) is a `{ ok: false }` result. Every request carries a timeout that bounds the attempt.
 *
 * @example
 *   const r = await probe.run({ kind: 'tcp', host: '127.0.0.1', port: 80, timeoutMs: 5000 });
 *   if (!r.ok) log.info('check failed', { detail: r.detail });
 */
export interface Probe {
  run(request: ProbeRequest): Promise<ProbeResult>;
  /**
   * The same attempt in callback form, for hot paths (thousands of checks a second): no promise per
   * attempt. Calls `done` exactly once, never synchronously, and never throws.
   */
  start?(request: ProbeRequest, done: (result: ProbeResult) => void): void;
  /**
   * A repeating attempt, for jobs with `repeatMs`: one attempt now and, while attempts succeed, another
   * `everyMs` after each ended, none reported; `done` gets the first failed attempt (once, never
   * synchronously). Returns the cancel, or null when this request cannot repeat here (then `start` it).
   */
  repeat?(request: ProbeRequest, everyMs: number, done: (result: ProbeResult) => void): (() => void) | null;
  /** With `repeat`: the most a repeating attempt started past its due time since the last call, ms. */
  repeatLag?(): number;
}

/** A probe job handed out by a health engine: the request and the token that routes the result back. */
export interface ProbeJob {
  /** Opaque to the driver; the engine uses it to find the checker and to drop stale results. */
  token: string;
  request: ProbeRequest;
  /**
   * Set when a success would change nothing the engine knows (core/health engine.ts): a driver may keep
   * attempting every `repeatMs` ms after each attempt ends, without reporting successes, and report only
   * the first failure. A driver that does not is equally right: it reports every result.
   */
  repeatMs?: number;
}

/**
 * What a probe driver (the shell that owns timers and sockets) needs from a health engine: when to
 * wake up, which probes are due, and where results go. Time is always passed in.
 */
export interface HealthTicker {
  /** Monotonic ms of the earliest armed timer, or null when nothing is armed. */
  nextDueMs(): number | null;
  /** Fire every timer due at `nowMs`; returns the probes to run now. */
  takeDue(nowMs: number): ProbeJob[];
  /** Hand back one result; returns further probes to run at once (keepalived's zero-delay re-checks). */
  onResult(job: ProbeJob, result: ProbeResult, nowMs: number): ProbeJob[];
}

/** What a probe socket with local options (bind_if, fwmark, bindto) is made from (adapters/onprem probe-socket).
 */ export interface ProbeSocketRequest {
  /** 'tcp' (SOCK_STREAM) or 'udp' (SOCK_DGRAM). */
  type: 'tcp' | 'udp';
  /** The peer, only to choose the address family. */
  host: string;
  bindTo?: string;
  bindPort?: number;
  bindIf?: string;
  fwmark?: number;
}
