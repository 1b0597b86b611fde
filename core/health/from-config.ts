/**
 * From the resolved configuration model (core/model: keepalived.conf or native config) to checker
 * specs. The model already applied the VS → RS → checker cascade and per-checker retry defaults; this
 * turns seconds into ms, picks the Host header by keepalived's precedence (url > checker > RS > VS),
 * resolves FILE_CHECK names, and says what it cannot run instead of dropping it silently.
 */
import type { Checker, RealServer, RunAs, SslSettings, TrackFile, VirtualServer } from '../model/index.ts';
import type { HttpUrl } from '../ports/index.ts';
import { pcreToJs, type JsRegex } from './pcre-options.ts';
import { BFD_CHECK_POLL_MS, type CheckerSpec, type CheckerTiming } from './spec.ts';

export interface CheckerTranslation {
  specs: CheckerSpec[];
  /** One line per keyword that floatip does not honour here, naming the checker. */
  notes: string[];
  /** Config errors (e.g. an unknown track_file): the real server cannot be checked as written. */
  errors: string[];
}

export interface CheckerContext {
  vs: VirtualServer;
  rs: RealServer;
  ssl?: SslSettings;
  trackFiles?: Readonly<Record<string, TrackFile>>;
  /** global_defs `script_user`: MISC_CHECK runs as this user when it names none. */
  scriptUser?: RunAs;
  /**
   * UDP_CHECK without `require_reply`: floatip requires some reply by default (pain point P15:
   * keepalived calls a silent server up). Set false for keepalived's behaviour.
   */
  udpRequireReplyByDefault?: boolean;
}

const ms = (seconds: number): number => Math.round(seconds * 1000);

/** Parse keepalived's hex payload (`payload HEX`); spaces are ignored. */
export function parseHex(text: string, field: string): Uint8Array {
  const hex = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex))
    throw new RangeError(`${field}: ${JSON.stringify(text)} is not hex bytes`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

type Connecting = Extract<Checker, { connectIp: string }>;

function timing(c: Connecting | Extract<Checker, { type: 'MISC_CHECK' }>): CheckerTiming {
  return {
    delayLoopMs: ms(c.delayLoop),
    retry: c.retry,
    delayBeforeRetryMs: ms(c.delayBeforeRetry),
    warmupMs: ms(c.warmup),
    alpha: c.alpha,
  };
}

function connect(c: Connecting): CheckerSpec['connect'] {
  return {
    host: c.connectIp,
    port: c.connectPort,
    timeoutMs: ms(c.connectTimeout),
    ...(c.bindto === undefined ? {} : { bindTo: c.bindto }),
    ...(c.bindPort === undefined ? {} : { bindPort: c.bindPort }),
    ...(c.bindIf === undefined ? {} : { bindIf: c.bindIf }),
    ...(c.fwmark === undefined ? {} : { fwmark: c.fwmark }),
  };
}

/** An IPv6 link-local address (fe80::/10) needs an interface to be usable (keepalived: bind_if). */
const isLinkLocal6 = (ip: string): boolean => /^fe[89ab][0-9a-f]?:/i.test(ip);

/** keepalived refuses a link-local `bindto` without `bind_if`: the address means nothing without a link. */
function linkLocalErrors(
  name: string,
  c: { bindto?: string; bindIf?: string; connectIp?: string },
): string[] {
  if (c.bindIf !== undefined) return [];
  const out: string[] = [];
  if (c.bindto !== undefined && isLinkLocal6(c.bindto))
    out.push(`${name}: bindto ${c.bindto} is link-local and needs bind_if`);
  if (c.connectIp !== undefined && isLinkLocal6(c.connectIp))
    out.push(`${name}: connect_ip ${c.connectIp} is link-local and needs bind_if`);
  return out;
}

export function checkersFromConfig(ctx: CheckerContext): CheckerTranslation {
  const { vs, rs } = ctx;
  const specs: CheckerSpec[] = [];
  const notes: string[] = [];
  const errors: string[] = [];
  const where = `real_server ${rs.address} ${rs.port}`;
  rs.checkers.forEach((c, i) => {
    const id = `${c.type}#${i}`;
    const name = `${where} ${c.type} #${i + 1}`;
    if ('connectIp' in c) {
      const bad = linkLocalErrors(name, c);
      if (bad.length > 0) {
        errors.push(...bad);
        return;
      }
    }
    if (c.type === 'PING_CHECK' && (c.bindIf !== undefined || c.fwmark !== undefined))
      notes.push(`${name}: bind_if and fwmark are not applied to PING_CHECK`);
    switch (c.type) {
      case 'TCP_CHECK':
      case 'PING_CHECK':
        specs.push({
          id,
          probe: { kind: c.type === 'TCP_CHECK' ? 'tcp' : 'ping' },
          timing: timing(c),
          connect: connect(c),
        });
        return;
      case 'HTTP_GET':
      case 'SSL_GET': {
        const vhost = c.virtualhost ?? rs.virtualhost ?? vs.virtualhost;
        let refused = false;
        const urls: HttpUrl[] = c.url.map((u) => {
          const host = u.virtualhost ?? vhost;
          const field = `${name} url ${u.path}`;
          let re: JsRegex | undefined;
          if (u.regex === undefined) {
            const stray = [
              u.regexNoMatch ? 'regex_no_match' : '',
              u.regexOptions.length > 0 ? 'regex_options' : '',
              u.regexMinOffset !== undefined ? 'regex_min_offset' : '',
              u.regexMaxOffset !== undefined ? 'regex_max_offset' : '',
              u.regexStack !== undefined ? 'regex_stack' : '',
            ].filter(Boolean);
            if (stray.length > 0) notes.push(`${field}: ${stray.join(', ')} without regex is ignored`);
          } else {
            // regex_stack sizes PCRE2's JIT stack (how deep a match may backtrack before failing). V8's
            // irregexp has no such knob: it backtracks on its own growable stack, so the limit is not
            // enforced and does not change which bodies match.
            if (u.regexStack !== undefined)
              notes.push(
                `${field}: regex_stack ${u.regexStack.start} ${u.regexStack.max} has no JavaScript equivalent (PCRE2 JIT stack size); ignored`,
              );
            try {
              re = pcreToJs(u.regex, u.regexOptions, field);
            } catch (err) {
              errors.push((err as Error).message);
              refused = true;
            }
          }
          const { regexMinOffset: min, regexMaxOffset: max } = u;
          if (re !== undefined && min !== undefined && max !== undefined && max < min) {
            errors.push(`${field}: regex_max_offset ${max} is below regex_min_offset ${min}`);
            refused = true;
          }
          return {
            path: u.path,
            statusRanges:
              u.statusCode.length === 0
                ? [[200, 299] as const]
                : u.statusCode.map((r) => [r.from, r.to] as const),
            ...(u.digest === undefined ? {} : { digest: u.digest.toLowerCase() }),
            ...(host === undefined ? {} : { virtualhost: host }),
            ...(re === undefined ? {} : { regex: re.source, regexNoMatch: u.regexNoMatch }),
            ...(re === undefined || re.flags === '' ? {} : { regexFlags: re.flags }),
            ...(re?.firstLine === true ? { regexFirstLine: true } : {}),
            ...(re === undefined || min === undefined ? {} : { regexMinOffset: min }),
            ...(re === undefined || max === undefined ? {} : { regexMaxOffset: max }),
          };
        });
        if (refused) return;
        const ssl = ctx.ssl;
        const tls =
          c.type === 'SSL_GET'
            ? {
                sni: c.enableSni,
                ...(ssl?.ca === undefined ? {} : { caFile: ssl.ca, verify: false }),
                ...(ssl?.certificate === undefined ? {} : { certificateFile: ssl.certificate }),
                ...(ssl?.key === undefined ? {} : { keyFile: ssl.key }),
                ...(ssl?.password === undefined ? {} : { password: ssl.password }),
              }
            : undefined;
        specs.push({
          id,
          probe: {
            kind: 'http',
            urls,
            protocol: c.httpProtocol,
            fastRecovery: c.fastRecovery,
            ...(tls === undefined ? {} : { tls }),
          },
          timing: timing(c),
          connect: connect(c),
        });
        return;
      }
      case 'SMTP_CHECK': {
        specs.push({
          id,
          probe: { kind: 'smtp', heloName: c.heloName },
          timing: timing(c),
          connect: connect(c),
        });
        // deprecated host {} sub-blocks: every host must answer, so each is one more checker
        c.hosts.forEach((h, j) => {
          specs.push({
            id: `${id}.host${j}`,
            probe: { kind: 'smtp', heloName: c.heloName },
            timing: timing(c),
            connect: {
              host: h.connectIp ?? c.connectIp,
              port: h.connectPort ?? c.connectPort,
              timeoutMs: ms(h.connectTimeout ?? c.connectTimeout),
              ...((h.bindto ?? c.bindto) === undefined ? {} : { bindTo: h.bindto ?? c.bindto }),
              ...((h.bindPort ?? c.bindPort) === undefined ? {} : { bindPort: h.bindPort ?? c.bindPort }),
              ...((h.bindIf ?? c.bindIf) === undefined ? {} : { bindIf: h.bindIf ?? c.bindIf }),
              ...((h.fwmark ?? c.fwmark) === undefined ? {} : { fwmark: h.fwmark ?? c.fwmark }),
            },
          });
        });
        return;
      }
      case 'DNS_CHECK':
        specs.push({
          id,
          probe: { kind: 'dns', type: c.queryType, name: c.name },
          timing: timing(c),
          connect: connect(c),
        });
        return;
      case 'UDP_CHECK': {
        let payload: Uint8Array;
        try {
          payload = parseHex(c.payload ?? '', `${name} payload`);
        } catch (err) {
          errors.push((err as Error).message);
          return;
        }
        const byDefault = ctx.udpRequireReplyByDefault ?? true;
        const requireReply =
          c.requireReply !== undefined ? (c.requireReply.pattern ?? '') : byDefault ? '' : null;
        if (requireReply !== null && !/^([0-9a-fA-FxX]{2})*$/.test(requireReply)) {
          errors.push(
            `${name} require_reply: ${JSON.stringify(requireReply)} is not hex bytes (X = any nibble)`,
          );
          return;
        }
        specs.push({
          id,
          probe: {
            kind: 'udp',
            payload,
            requireReply,
            minReplyLength: c.minReplyLength,
            maxReplyLength: c.maxReplyLength,
          },
          timing: timing(c),
          connect: connect(c),
        });
        return;
      }
      case 'MISC_CHECK':
        specs.push({
          id,
          probe: {
            kind: 'misc',
            argv: c.miscPath.argv,
            timeoutMs: ms(c.miscTimeout),
            dynamic: c.miscDynamic,
            ...runAsFields(c.user ?? ctx.scriptUser),
          },
          timing: timing(c),
          connect: { host: rs.address, port: rs.port, timeoutMs: ms(c.miscTimeout) },
        });
        return;
      case 'FILE_CHECK': {
        const tf = ctx.trackFiles?.[c.trackFile];
        if (tf === undefined) {
          errors.push(`${name}: track_file ${JSON.stringify(c.trackFile)} is not defined`);
          return;
        }
        const delayLoopMs = ms(rs.delayLoop ?? vs.delayLoop);
        specs.push({
          id,
          probe: { kind: 'file', path: tf.file, weight: c.weight, reverse: c.reverse, dynamic: c.dynamic },
          timing: { delayLoopMs, retry: 0, delayBeforeRetryMs: delayLoopMs, warmupMs: 0, alpha: false },
          connect: { host: rs.address, port: rs.port, timeoutMs: ms(vs.connectTimeout) },
        });
        return;
      }
      case 'BFD_CHECK':
        // keepalived's checker follows the session's events; we read its state every BFD_CHECK_POLL_MS,
        // and one result decides (retry 0). `alpha` starts the server down until the session is Up.
        specs.push({
          id,
          probe: { kind: 'bfd', name: c.name },
          timing: {
            delayLoopMs: BFD_CHECK_POLL_MS,
            retry: 0,
            delayBeforeRetryMs: BFD_CHECK_POLL_MS,
            warmupMs: 0,
            alpha: c.alpha,
          },
          connect: { host: rs.address, port: rs.port, timeoutMs: ms(vs.connectTimeout) },
        });
        return;
      default: {
        const never: never = c;
        errors.push(`${where}: unknown checker ${JSON.stringify(never)}`);
      }
    }
  });
  return { specs, notes, errors };
}

/** A MISC_CHECK's `user [group]` as probe request fields. */
function runAsFields(who: RunAs | undefined): { user?: string; group?: string } {
  if (who === undefined) return {};
  return who.group === undefined ? { user: who.user } : { user: who.user, group: who.group };
}
