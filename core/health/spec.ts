/**
 * Checker specs as data: what to probe and the timing that drives the verdict reducer. Defaults follow
 * keepalived 2.2/2.3 (reference keepalived.md §2.2, §3): retry 1 (MISC_CHECK 0, DNS_CHECK 3),
 * delay_before_retry 1 s (HTTP/SSL 3 s, DNS = delay_loop), warmup = delay_loop.
 */
import type { HttpUrl, ProbeRequest, TlsOptions } from '../ports/index.ts';

/** How the verdict reducer treats results of a checker kind. */
export type VerdictStyle =
  /** TCP/DNS/SMTP/UDP/PING: keepalived's tcp_epilog; next check counted from the result. */
  | 'connect'
  /** HTTP_GET/SSL_GET: URLs walked one per attempt, failed URL polled, re-walk on recovery. */
  | 'url-walk'
  /** MISC_CHECK: exit status; next check counted from the start of the last run. */
  | 'script'
  /** FILE_CHECK: the number in a file decides at once (no retries). */
  | 'file';

export interface CheckerTiming {
  /** `delay_loop`, ms between checks while nothing is failing. */
  delayLoopMs: number;
  /** `retry`: extra attempts after a failure before DOWN. */
  retry: number;
  /** `delay_before_retry`, ms between retries. */
  delayBeforeRetryMs: number;
  /** `warmup`, ms: the first check waits 1 s + random(0..warmup). 0 disables the random part. */
  warmupMs: number;
  /** `alpha`: start DOWN until the first success. */
  alpha: boolean;
}

/** The probe-specific part of a checker (the endpoint is resolved from the real server when absent). */
export type CheckerProbe =
  | { kind: 'tcp' }
  | {
      kind: 'http';
      urls: readonly HttpUrl[];
      protocol: '1.0' | '1.0C' | '1.1';
      tls?: TlsOptions;
      /** `fast_recovery`: while down and not aware of a failed URL, re-check without waiting. */
      fastRecovery: boolean;
    }
  | { kind: 'misc'; argv: readonly string[]; timeoutMs: number; dynamic: boolean; uid?: number; gid?: number }
  | { kind: 'dns'; type: string; name: string }
  | { kind: 'smtp'; heloName: string }
  | {
      kind: 'udp';
      payload: Uint8Array;
      requireReply: string | null;
      minReplyLength: number;
      maxReplyLength: number;
    }
  | { kind: 'ping' }
  | {
      kind: 'file';
      path: string;
      /** `weight W`: value × W is the RS weight change (dynamic) and ≤ −2^31 means fault; 0 = non-zero fails. */
      weight: number;
      reverse: boolean;
      dynamic: boolean;
    };

export interface CheckerSpec {
  /** Unique within the real server, stable across reloads when the checker is unchanged (e.g. `tcp:80`). */
  id: string;
  probe: CheckerProbe;
  timing: CheckerTiming;
  /** Connection options (`connect_ip`, `connect_port`, `bindto`, `bind_port`, `connect_timeout`). */
  connect: { host: string; port: number; bindTo?: string; bindPort?: number; timeoutMs: number };
}

export const verdictStyle = (probe: CheckerProbe): VerdictStyle => {
  switch (probe.kind) {
    case 'http':
      return 'url-walk';
    case 'misc':
      return 'script';
    case 'file':
      return 'file';
    case 'tcp':
    case 'dns':
    case 'smtp':
    case 'udp':
    case 'ping':
      return 'connect';
    default: {
      const never: never = probe;
      return never;
    }
  }
};

/** keepalived's per-kind defaults for timing keys the config did not set (reference §2.2, §3.3). */
export function defaultTiming(
  kind: CheckerProbe['kind'],
  given: Partial<CheckerTiming> & { delayLoopMs?: number },
): CheckerTiming {
  const delayLoopMs = given.delayLoopMs ?? 60_000;
  const retry = given.retry ?? (kind === 'misc' ? 0 : kind === 'dns' ? 3 : 1);
  const delayBeforeRetryMs =
    given.delayBeforeRetryMs ?? (kind === 'http' ? 3_000 : kind === 'dns' ? delayLoopMs : 1_000);
  return {
    delayLoopMs,
    retry,
    delayBeforeRetryMs,
    warmupMs: given.warmupMs ?? delayLoopMs,
    alpha: given.alpha ?? false,
  };
}

/** Number of probe steps per full check (URLs for HTTP, else 1). */
export const stepCount = (probe: CheckerProbe): number =>
  probe.kind === 'http' ? Math.max(1, probe.urls.length) : 1;

/** The concrete probe request for one attempt; `step` selects the URL for HTTP checkers. */
export function probeRequest(spec: CheckerSpec, step: number): ProbeRequest {
  const c = spec.connect;
  const endpoint = {
    host: c.host,
    port: c.port,
    timeoutMs: c.timeoutMs,
    ...(c.bindTo === undefined ? {} : { bindTo: c.bindTo }),
    ...(c.bindPort === undefined ? {} : { bindPort: c.bindPort }),
  };
  const p = spec.probe;
  switch (p.kind) {
    case 'tcp':
      return { kind: 'tcp', ...endpoint };
    case 'http': {
      const url = p.urls[step] ?? p.urls[0];
      if (url === undefined) throw new RangeError(`checker ${spec.id}: HTTP checker has no url`);
      return { kind: 'http', ...endpoint, url, protocol: p.protocol, ...(p.tls ? { tls: p.tls } : {}) };
    }
    case 'misc':
      return {
        kind: 'misc',
        argv: p.argv,
        timeoutMs: p.timeoutMs,
        ...(p.uid === undefined ? {} : { uid: p.uid }),
        ...(p.gid === undefined ? {} : { gid: p.gid }),
      };
    case 'dns':
      return { kind: 'dns', ...endpoint, type: p.type, name: p.name };
    case 'smtp':
      return { kind: 'smtp', ...endpoint, heloName: p.heloName };
    case 'udp':
      return {
        kind: 'udp',
        ...endpoint,
        payload: p.payload,
        requireReply: p.requireReply,
        minReplyLength: p.minReplyLength,
        maxReplyLength: p.maxReplyLength,
      };
    case 'ping':
      return {
        kind: 'ping',
        host: c.host,
        timeoutMs: c.timeoutMs,
        ...(c.bindTo === undefined ? {} : { bindTo: c.bindTo }),
      };
    case 'file':
      return { kind: 'file', path: p.path, timeoutMs: c.timeoutMs };
    default: {
      const never: never = p;
      return never;
    }
  }
}
