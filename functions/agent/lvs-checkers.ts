/**
 * keepalived.conf checkers (resolved config model) -> health-engine checker specs. The model already
 * carries each checker's effective timing and connect address (VS -> RS -> checker cascade), so this is
 * a field-by-field translation; seconds become milliseconds.
 */
import type { Checker, RealServer, SslSettings, VirtualServer } from '../../core/model/index.ts';
import type { CheckerProbe, CheckerSpec } from '../../core/health/index.ts';
import { defaultTiming } from '../../core/health/index.ts';

const ms = (s: number | undefined): number | undefined =>
  s === undefined ? undefined : Math.round(s * 1000);

function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  return Uint8Array.from((clean.match(/../g) ?? []).map((b) => parseInt(b, 16)));
}

function probeOf(
  c: Checker,
  vs: VirtualServer,
  rs: RealServer,
  ssl: SslSettings | undefined,
): CheckerProbe | null {
  switch (c.type) {
    case 'TCP_CHECK':
      return { kind: 'tcp' };
    case 'PING_CHECK':
      return { kind: 'ping' };
    case 'HTTP_GET':
    case 'SSL_GET': {
      const host = c.virtualhost ?? rs.virtualhost ?? vs.virtualhost;
      const urls = c.url.map((u) => {
        const vh = u.virtualhost ?? host;
        return {
          path: u.path,
          statusRanges: u.statusCode.map((r) => [r.from, r.to] as const),
          ...(u.digest ? { digest: u.digest.toLowerCase() } : {}),
          ...(vh ? { virtualhost: vh } : {}),
        };
      });
      const tls =
        c.type === 'SSL_GET'
          ? {
              sni: c.enableSni,
              ...(ssl?.ca ? { ca: ssl.ca } : {}),
              ...(ssl?.certificate ? { certificate: ssl.certificate } : {}),
              ...(ssl?.key ? { key: ssl.key } : {}),
              ...(ssl?.password ? { password: ssl.password } : {}),
            }
          : undefined;
      return {
        kind: 'http',
        urls,
        protocol: c.httpProtocol,
        fastRecovery: c.fastRecovery,
        ...(tls ? { tls } : {}),
      };
    }
    case 'MISC_CHECK':
      return {
        kind: 'misc',
        argv: c.miscPath.argv,
        timeoutMs: ms(c.miscTimeout) ?? 5000,
        dynamic: c.miscDynamic,
      };
    case 'DNS_CHECK':
      return { kind: 'dns', type: c.queryType, name: c.name };
    case 'SMTP_CHECK':
      return { kind: 'smtp', heloName: c.heloName };
    case 'UDP_CHECK':
      return {
        kind: 'udp',
        payload: hexBytes(c.payload ?? ''),
        requireReply: c.requireReply ? (c.requireReply.pattern ?? '') : null,
        minReplyLength: c.minReplyLength,
        maxReplyLength: c.maxReplyLength,
      };
    case 'FILE_CHECK':
      return { kind: 'file', path: c.trackFile, weight: c.weight, reverse: c.reverse, dynamic: c.dynamic };
    case 'BFD_CHECK':
      return null;
  }
}

/** The specs for one real server; BFD_CHECK (no BFD here) is reported in `skipped`. */
export function checkerSpecs(
  vs: VirtualServer,
  rs: RealServer,
  ssl?: SslSettings,
): { specs: CheckerSpec[]; skipped: string[] } {
  const specs: CheckerSpec[] = [];
  const skipped: string[] = [];
  rs.checkers.forEach((c, i) => {
    const probe = probeOf(c, vs, rs, ssl);
    if (!probe) {
      skipped.push(`${c.type} #${i + 1}`);
      return;
    }
    const t = c as Partial<Record<'delayLoop' | 'delayBeforeRetry' | 'warmup' | 'connectTimeout', number>> &
      Partial<Record<'retry', number>> &
      Partial<Record<'alpha', boolean>> &
      Partial<Record<'connectIp' | 'bindto', string>> &
      Partial<Record<'connectPort' | 'bindPort', number>>;
    const delayLoopMs = ms(t.delayLoop ?? rs.delayLoop ?? vs.delayLoop) ?? 60_000;
    const timing = defaultTiming(probe.kind, {
      delayLoopMs,
      ...(t.retry === undefined ? {} : { retry: t.retry }),
      ...(t.delayBeforeRetry === undefined ? {} : { delayBeforeRetryMs: ms(t.delayBeforeRetry) ?? 0 }),
      ...(t.warmup === undefined ? {} : { warmupMs: ms(t.warmup) ?? 0 }),
      ...(t.alpha === undefined ? {} : { alpha: t.alpha }),
    });
    specs.push({
      id: `${c.type.toLowerCase()}#${i}:${t.connectIp ?? rs.address}:${t.connectPort ?? rs.port}`,
      probe,
      timing,
      connect: {
        host: t.connectIp ?? rs.address,
        port: t.connectPort ?? rs.port,
        timeoutMs: ms(t.connectTimeout ?? rs.connectTimeout ?? vs.connectTimeout) ?? 5000,
        ...(t.bindto ? { bindTo: t.bindto } : {}),
        ...(t.bindPort ? { bindPort: t.bindPort } : {}),
      },
    });
  });
  return { specs, skipped };
}
