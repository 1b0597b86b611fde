/**
 * The LB table printed exactly as `ipvsadm -Ln` (and `--stats`, `--exact`) prints it: the format strings of
 * ipvsadm.c, so scripts written against ipvsadm keep working on floatip.
 *
 *   IP Virtual Server version 1.2.1 (size=4096)
 *   Prot LocalAddress:Port Scheduler Flags
 *     -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
 *   TCP  10.0.0.100:80 lc persistent 60
 *     -> 10.0.0.102:80                Route   3      0          0
 */
import type { LbDestination, LbService } from '../../../core/ports/index.ts';
import { parseAddr } from '../../../core/model/index.ts';

export interface IpvsadmOptions {
  /** `--stats`: Conns InPkts OutPkts InBytes OutBytes instead of the weights. */
  stats?: boolean;
  /** `--exact`: full numbers instead of K/M/G/T. */
  exact?: boolean;
  /** `--nosort`: keep the data plane's list order. */
  nosort?: boolean;
}

export interface IpvsadmInput {
  /** IP_VS_VERSION_CODE, e.g. 0x010201. */
  version: number;
  /** Connection table size (GET_INFO CONN_TAB_SIZE). */
  connTabSize: number;
  services: readonly LbService[];
  /** A first line other than the IPVS version one (a data plane that is not IPVS says what it is). */
  header?: string;
}

/** ipvsadm's first line: `IP Virtual Server version 1.2.1 (size=4096)`. */
export const ipvsHeader = (v: number, connTabSize: number): string =>
  `IP Virtual Server version ${(v >> 16) & 0xff}.${(v >> 8) & 0xff}.${v & 0xff} (size=${connTabSize})`;

const padEnd = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padStart = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** print_largenum: `%9llu` below 1e8, else `%8llu` + K/M/G/T; `--exact` widens to fit. */
export function largeNumber(n: number, exact = false): string {
  const v = BigInt(Math.trunc(n));
  if (exact) {
    const text = v.toString();
    return padStart(text, text.length <= 8 ? 9 : text.length + 1);
  }
  if (v < 100_000_000n) return padStart(v.toString(), 9);
  if (v < 1_000_000_000n) return padStart((v / 1000n).toString(), 8) + 'K';
  if (v < 100_000_000_000n) return padStart((v / 1_000_000n).toString(), 8) + 'M';
  if (v < 100_000_000_000_000n) return padStart((v / 1_000_000_000n).toString(), 8) + 'G';
  return padStart((v / 1_000_000_000_000n).toString(), 8) + 'T';
}

const protoName = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const;
const fwdName = { nat: 'Masq', dr: 'Route', tun: 'Tunnel' } as const;

function addrPort(family: 'inet' | 'inet6', addr: string, port: number): string {
  return family === 'inet6' ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** `%s  %s` (two spaces), truncated to 33 characters for IPv4 as ipvsadm does; `FWM  %d [IPv6]`. */
function serviceName(s: LbService): string {
  const k = s.key;
  if (k.kind === 'fwmark') return k.family === 'inet6' ? `FWM  ${k.fwmark} IPv6` : `FWM  ${k.fwmark}`;
  const name = `${protoName[k.protocol]}  ${addrPort(k.family, k.addr, k.port)}`;
  return k.family === 'inet6' ? name : name.slice(0, 33);
}

/** print_sched_flags: sh/mh name their flags, other schedulers print flag-N. */
function schedFlags(s: LbService): string {
  const names =
    s.scheduler === 'sh' || s.scheduler === 'mh'
      ? [`${s.scheduler}-fallback`, `${s.scheduler}-port`, 'flag-3']
      : ['flag-1', 'flag-2', 'flag-3'];
  return [s.flags.flag1, s.flags.flag2, s.flags.flag3]
    .map((on, i) => (on ? names[i] : null))
    .filter((x): x is string => x !== null)
    .join(',');
}

function maskText(prefix: number): string {
  const m = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((sh) => (m >>> sh) & 0xff).join('.');
}

function serviceLine(s: LbService): string {
  let line = `${serviceName(s)} ${s.scheduler}`;
  const flags = schedFlags(s);
  if (flags) line += ` (${flags})`;
  const p = s.persistence;
  if (p) {
    line += ` persistent ${p.timeout}`;
    if (s.key.family === 'inet6') {
      if (p.prefix < 128) line += ` mask ${p.prefix}`;
    } else if (p.prefix !== 32) line += ` mask ${maskText(p.prefix)}`;
    if (p.engine) line += ` pe ${p.engine}`;
  }
  if (s.onePacket) line += ' ops';
  return line;
}

function destName(s: LbService, d: LbDestination): string {
  const name = addrPort(d.family, d.addr, d.port);
  return s.key.family === 'inet6' ? name : name.slice(0, 28);
}

function counters(c: LbService['stats'], exact: boolean): string {
  const v = c ?? { conns: 0, inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
  return [v.conns, v.inPkts, v.outPkts, v.inBytes, v.outBytes].map((n) => largeNumber(n, exact)).join('');
}

function addrKey(family: 'inet' | 'inet6', addr: string): bigint {
  const b = parseAddr(family, addr) ?? new Uint8Array();
  return b.reduce((v, x) => (v << 8n) | BigInt(x), 0n);
}

const cmp = (a: bigint | number, b: bigint | number): number => (a < b ? -1 : a > b ? 1 : 0);
const famNo = (f: 'inet' | 'inet6'): number => (f === 'inet' ? 2 : 10);
const protoNo = { tcp: 6, udp: 17, sctp: 132 } as const;

/** ipvs_cmp_services: fwmark, family, protocol, address, port. */
function compareServices(a: LbService, b: LbService): number {
  const fa = a.key.kind === 'fwmark' ? a.key.fwmark : 0;
  const fb = b.key.kind === 'fwmark' ? b.key.fwmark : 0;
  const pa = a.key.kind === 'addr' ? protoNo[a.key.protocol] : 6;
  const pb = b.key.kind === 'addr' ? protoNo[b.key.protocol] : 6;
  return (
    cmp(fa, fb) ||
    cmp(famNo(a.key.family), famNo(b.key.family)) ||
    cmp(pa, pb) ||
    (a.key.kind === 'addr' && b.key.kind === 'addr'
      ? cmp(addrKey(a.key.family, a.key.addr), addrKey(b.key.family, b.key.addr)) ||
        cmp(a.key.port, b.key.port)
      : 0)
  );
}

/** ipvs_cmp_dests: family, address, port. */
const compareDests = (a: LbDestination, b: LbDestination): number =>
  cmp(famNo(a.family), famNo(b.family)) ||
  cmp(addrKey(a.family, a.addr), addrKey(b.family, b.addr)) ||
  cmp(a.port, b.port);

/** The whole `ipvsadm -Ln [--stats] [--exact] [--nosort]` output, ending in a newline. */
export function formatIpvsadm(input: IpvsadmInput, options: IpvsadmOptions = {}): string {
  const lines = [input.header ?? ipvsHeader(input.version, input.connTabSize)];
  if (options.stats) {
    lines.push(
      `${padEnd('Prot LocalAddress:Port', 33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((h) => padStart(h, 8)).join(' ')}`,
      '  -> RemoteAddress:Port',
    );
  } else {
    lines.push(
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    );
  }
  const services = options.nosort ? [...input.services] : [...input.services].sort(compareServices);
  for (const s of services) {
    lines.push(
      options.stats ? padEnd(serviceName(s), 33) + counters(s.stats, !!options.exact) : serviceLine(s),
    );
    const dests = options.nosort ? [...s.destinations] : [...s.destinations].sort(compareDests);
    for (const d of dests) {
      const name = padEnd(destName(s, d), 28);
      if (options.stats) lines.push(`  -> ${name}${counters(d.stats, !!options.exact)}`);
      else {
        lines.push(
          `  -> ${name} ${padEnd(fwdName[d.forwarding], 7)} ${padEnd(String(d.weight), 6)} ${padEnd(String(d.activeConns ?? 0), 10)} ${padEnd(String(d.inactConns ?? 0), 10)}`,
        );
      }
    }
  }
  return lines.join('\n') + '\n';
}
