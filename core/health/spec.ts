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
  | {
      kind: 'misc';
      argv: readonly string[];
      timeoutMs: number;
      dynamic: boolean;
      uid?: number;
      gid?: number;
      /** `user USER [GROUP]` as names; the probe adapter resolves them (core cannot read /etc/passwd). */
      user?: string;
      group?: string;
    }
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
    }
  /** BFD_CHECK: the verdict follows the bfd_instance session `name` (polled; see BFD_CHECK_POLL_MS). */
  | { kind: 'bfd'; name: string };

/** How often a BFD_CHECK reads its session's state (keepalived pushes events; we poll this often). */
export const BFD_CHECK_POLL_MS = 50;

export interface CheckerSpec {
  /** Unique within the real server, stable across reloads when the checker is unchanged (e.g. `tcp:80`). */
  id: string;
  probe: CheckerProbe;
  timing: CheckerTiming;
  /** Connection options (`connect_ip`, `connect_port`, `bindto`, `bind_port`, `bind_if`, `fwmark`, `connect_timeout`). */
  connect: {
    host: string;
    port: number;
    bindTo?: string;
    bindPort?: number;
    bindIf?: string;
    fwmark?: number;
    timeoutMs: number;
  };
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
    case 'bfd':
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
    ...(c.bindIf === undefined ? {} : { bindIf: c.bindIf }),
    ...(c.fwmark === undefined ? {} : { fwmark: c.fwmark }),
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
        ...(p.user === undefined ? {} : { user: p.user }),
        ...(p.group === undefined ? {} : { group: p.group }),
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
    case 'bfd':
      return { kind: 'bfd', name: p.name, timeoutMs: c.timeoutMs };
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** DNS_CHECK `type` values keepalived accepts. */
export const DNS_CHECK_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const;

/**
 * Everything wrong with a real server's checker list, one line per problem naming the checker and the
 * field; empty when the specs can run. A delay_loop of 0 would spin, so timing is checked too.
 */
export function checkerSpecErrors(specs: readonly CheckerSpec[]): string[] {
  const errors: string[] = [];
  const ids = new Set<string>();
  const int = (v: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
    Number.isInteger(v) && v >= min && v <= max;
  const ms = (v: number, min: number) => Number.isFinite(v) && v >= min;
  specs.forEach((s, i) => {
    const at = `checker ${i + 1} (${s.id || 'no id'})`;
    if (s.id === '') errors.push(`${at}: id is empty`);
    if (ids.has(s.id)) errors.push(`${at}: duplicate checker id ${JSON.stringify(s.id)}`);
    ids.add(s.id);
    const t = s.timing;
    if (!ms(t.delayLoopMs, 1)) errors.push(`${at}: delay_loop ${t.delayLoopMs} ms must be at least 1 ms`);
    if (!int(t.retry, 0)) errors.push(`${at}: retry ${t.retry} is not an integer ≥ 0`);
    if (!ms(t.delayBeforeRetryMs, 0))
      errors.push(`${at}: delay_before_retry ${t.delayBeforeRetryMs} ms is negative`);
    if (!ms(t.warmupMs, 0)) errors.push(`${at}: warmup ${t.warmupMs} ms is negative`);
    if (!ms(s.connect.timeoutMs, 1))
      errors.push(`${at}: connect_timeout ${s.connect.timeoutMs} ms must be at least 1 ms`);
    if (!int(s.connect.port, 0, 65_535)) errors.push(`${at}: connect_port ${s.connect.port} is not a port`);
    const p = s.probe;
    switch (p.kind) {
      case 'http':
        if (p.urls.length === 0) errors.push(`${at}: HTTP checker has no url`);
        p.urls.forEach((u, j) => {
          if (!u.path.startsWith('/'))
            errors.push(`${at} url ${j + 1}: path ${JSON.stringify(u.path)} must start with /`);
          for (const [lo, hi] of u.statusRanges) {
            if (!int(lo, 100, 599) || !int(hi, lo, 599))
              errors.push(`${at} url ${j + 1}: status_code ${lo}-${hi} is not a range in 100-599`);
          }
          if (u.digest !== undefined && !/^[0-9a-fA-F]{32}$/.test(u.digest)) {
            errors.push(`${at} url ${j + 1}: digest ${JSON.stringify(u.digest)} is not 32 hex digits`);
          }
        });
        break;
      case 'misc':
        if (p.argv.length === 0 || p.argv[0] === '') errors.push(`${at}: misc_path is empty`);
        if (!ms(p.timeoutMs, 1)) errors.push(`${at}: misc_timeout ${p.timeoutMs} ms must be at least 1 ms`);
        break;
      case 'dns':
        if (!(DNS_CHECK_TYPES as readonly string[]).includes(p.type)) {
          errors.push(`${at}: type ${JSON.stringify(p.type)} is not one of ${DNS_CHECK_TYPES.join(' ')}`);
        }
        break;
      case 'udp':
        if (p.requireReply !== null && !/^([0-9a-fA-FxX]{2})*$/.test(p.requireReply)) {
          errors.push(
            `${at}: require_reply ${JSON.stringify(p.requireReply)} is not hex bytes (X = any nibble)`,
          );
        }
        if (!int(p.minReplyLength, 0) || !int(p.maxReplyLength, p.minReplyLength)) {
          errors.push(`${at}: reply length ${p.minReplyLength}..${p.maxReplyLength} is not a range`);
        }
        break;
      case 'file':
        if (!int(p.weight, -2_147_483_648, 2_147_483_647))
          errors.push(`${at}: weight ${p.weight} is not an integer`);
        if (p.path === '') errors.push(`${at}: file path is empty`);
        break;
      case 'bfd':
        if (p.name === '') errors.push(`${at}: BFD_CHECK has no bfd_instance name`);
        break;
      case 'tcp':
      case 'smtp':
      case 'ping':
        break;
      default: {
        const never: never = p;
        errors.push(`${at}: unknown probe ${JSON.stringify(never)}`);
      }
    }
  });
  return errors;
}
