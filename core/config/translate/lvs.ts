/** virtual_server_group, virtual_server, real_server and the SSL block (reference keepalived.md §2). */
import type { Token } from '../lexer.ts';
import type { Node } from '../parser.ts';
import { ipFamily, lvsSchedulers } from '../../model/index.ts';
import { closest } from '../suggest.ts';
import {
  arg,
  block,
  deprecated,
  h,
  maxArgs,
  noBlock,
  put,
  readEnumToken,
  readIntToken,
  readIpToken,
  unknownKeyword,
  walk,
  type Ctx,
  type Handler,
  type KeywordTable,
  type Obj,
} from './context.ts';
import { checkerKeywords, translateChecker } from './checkers.ts';

/** `NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]`. */
function readForwarding(n: Node, c: Ctx, from = 0): Obj | undefined {
  noBlock(n, c);
  const a = arg(n, c, 'NAT, DR or TUN', from);
  if (!a) return undefined;
  const method = readEnumToken(a, n.keyword.text, ['NAT', 'DR', 'TUN'] as const, c);
  if (!method) return undefined;
  const out: Obj = { method };
  const rest = n.args.slice(from + 1);
  if (method !== 'TUN' && rest[0]) {
    c.error(rest[0], n.keyword.text, `'${rest[0].text}' only applies to TUN`, {
      expected: 'nothing after NAT/DR',
    });
    return undefined;
  }
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    if (t.text === 'type') {
      const v = rest[++i];
      if (!v) {
        c.error(t, n.keyword.text, "'type' needs a value", { expected: 'ipip, gue or gre' });
        return undefined;
      }
      const tt = readEnumToken(v, 'tunnel type', ['ipip', 'gue', 'gre'] as const, c);
      if (!tt) return undefined;
      out.tunnelType = tt;
    } else if (t.text === 'port') {
      const v = rest[++i];
      const port = v ? readIntToken(v, 'tunnel port', 1, 65535, c) : undefined;
      if (port === undefined) {
        if (!v) c.error(t, n.keyword.text, "'port' needs a value", { expected: 'a port 1..65535' });
        return undefined;
      }
      out.tunnelPort = port;
    } else {
      const cs = readEnumToken(t, 'tunnel checksum', ['nocsum', 'csum', 'remcsum'] as const, c);
      if (!cs) return undefined;
      out.tunnelChecksum = cs;
    }
  }
  if (out.tunnelType === 'gue' && out.tunnelPort === undefined) {
    c.error(n.keyword, n.keyword.text, 'a GUE tunnel needs a port', { expected: 'TUN type gue port N' });
    return undefined;
  }
  if (out.tunnelType === 'ipip' && out.tunnelChecksum !== undefined && out.tunnelChecksum !== 'nocsum') {
    c.error(n.keyword, n.keyword.text, 'an ipip tunnel takes no checksum option');
    return undefined;
  }
  if (out.tunnelType === 'gre' && out.tunnelChecksum === 'remcsum') {
    c.error(n.keyword, n.keyword.text, 'a gre tunnel does not support remcsum');
    return undefined;
  }
  return out;
}

const forwarding =
  (field: string): Handler =>
  (n, t, c, p) =>
    put(t, field, readForwarding(n, c), n, c, p);

const lvsSched: Handler = (n, t, c, p) => {
  noBlock(n, c);
  const a = arg(n, c, lvsSchedulers.join(', '));
  if (!a) return;
  maxArgs(n, 1, c);
  put(t, 'lvsSched', readEnumToken(a, n.keyword.text, lvsSchedulers, c), n, c, p);
};

const schedFlag =
  (flag: 'flag1' | 'flag2' | 'flag3', onlyFor?: 'sh' | 'mh'): Handler =>
  (n, t, c, _p) => {
    noBlock(n, c);
    maxArgs(n, 0, c);
    if (onlyFor && t.lvsSched !== onlyFor) {
      c.error(n.keyword, n.keyword.text, `'${n.keyword.text}' only applies to the ${onlyFor} scheduler`, {
        expected: `lvs_sched ${onlyFor} before ${n.keyword.text}`,
      });
      return;
    }
    const flags = ((t.schedulerFlags as Obj | undefined) ??= {});
    flags[flag] = true;
    c.mark(flags, flag, n.keyword);
    c.mark(t, 'schedulerFlags', n.keyword);
  };

const timing: KeywordTable = {
  delay_loop: h.secs('delayLoop', 0.000001),
  connect_timeout: h.secs('connectTimeout'),
  retry: h.int('retry', 0, 2 ** 32 - 1),
  delay_before_retry: h.secs('delayBeforeRetry'),
  warmup: h.secs('warmup'),
};

function readServerAddress(
  t: Token | undefined,
  portTok: Token | undefined,
  n: Node,
  c: Ctx,
): Obj | undefined {
  if (!t) {
    arg(n, c, 'IP [PORT]');
    return undefined;
  }
  const address = readIpToken(t, n.keyword.text, c);
  const port = portTok ? readIntToken(portTok, `${n.keyword.text} port`, 0, 65535, c) : undefined;
  if (address === undefined || (portTok && port === undefined)) return undefined;
  return port === undefined ? { address } : { address, port };
}

const realServerTable: KeywordTable = {
  weight: h.int('weight', 0, 2147483647),
  lvs_method: forwarding('forwarding'),
  uthreshold: h.int('uthreshold', 0, 2 ** 31 - 1),
  lthreshold: h.int('lthreshold', 0, 2 ** 31 - 1),
  inhibit_on_failure: h.flag('inhibitOnFailure'),
  notify_up: h.script('notifyUp'),
  notify_down: h.script('notifyDown'),
  alpha: h.flag('alpha'),
  ...timing,
  virtualhost: h.str('virtualhost', 'a host name'),
  smtp_alert: h.flag('smtpAlert'),
  snmp_name: h.str('snmpName'),
};

const checkerSet = new Set(checkerKeywords);
const realServerKeywords = (): string[] => [...Object.keys(realServerTable), ...checkerKeywords];

function translateRealServer(n: Node, c: Ctx, path: string): Obj | undefined {
  noBlockArgs(n, c, 2);
  const rs = readServerAddress(n.args[0], n.args[1], n, c);
  if (!rs) {
    return undefined;
  }
  if (n.args[0]) c.mark(rs, 'address', n.args[0]);
  if (n.args[1]) c.mark(rs, 'port', n.args[1]);
  const checkers: Obj[] = [];
  const plain: Node[] = [];
  for (const child of n.children ?? []) {
    if (checkerSet.has(child.keyword.text)) {
      const ck = translateChecker(child, c, `${path}.checkers.${checkers.length}`);
      if (ck) {
        c.mark(checkers, checkers.length, child.keyword);
        checkers.push(ck);
      }
    } else if (Object.hasOwn(realServerTable, child.keyword.text)) plain.push(child);
    else unknownKeyword(child, realServerKeywords(), c, 'real_server');
  }
  walk(plain, realServerTable, rs, c, path, 'real_server');
  rs.checkers = checkers;
  return rs;
}

/** keepalived accepts `real_server IP PORT` with no block (an RS without checkers). */
function noBlockArgs(n: Node, c: Ctx, max: number): void {
  maxArgs(n, max, c);
}

export const virtualServerTable: KeywordTable = {
  ip_family: h.enumOf('ipFamily', ['inet', 'inet6'] as const),
  ...timing,
  inhibit_on_failure: h.flag('inhibitOnFailure'),
  lvs_sched: lvsSched,
  lb_algo: deprecated(lvsSched, 'lvs_sched'),
  hashed: (n, t, c) => {
    readFlagless(n, c);
    if (t.lvsSched !== 'sh' && t.lvsSched !== 'mh') {
      c.error(n.keyword, 'hashed', "'hashed' only applies to the sh and mh schedulers", {
        expected: 'lvs_sched sh before hashed',
      });
    } else c.warn(n.keyword, 'hashed', "'hashed' is a legacy no-op under sh/mh", 'ignored');
  },
  ops: (n, t, c, p) => {
    readFlagless(n, c);
    put(t, 'ops', true, n, c, p);
  },
  'flag-1': schedFlag('flag1'),
  'flag-2': schedFlag('flag2'),
  'flag-3': schedFlag('flag3'),
  'sh-port': schedFlag('flag2', 'sh'),
  'sh-fallback': schedFlag('flag1', 'sh'),
  'mh-port': schedFlag('flag2', 'mh'),
  'mh-fallback': schedFlag('flag1', 'mh'),
  lvs_method: forwarding('forwarding'),
  lb_kind: deprecated(forwarding('forwarding'), 'lvs_method'),
  persistence_engine: h.str('persistenceEngine', 'sip'),
  persistence_timeout: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    const a = n.args[0];
    put(t, 'persistenceTimeout', a ? readIntToken(a, 'persistence_timeout', 1, 2678400, c) : 360, n, c, p);
  },
  persistence_granularity: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, 'a netmask (255.255.255.0) or an IPv6 prefix length');
    if (!a) return;
    maxArgs(n, 1, c);
    const ok = (/^\d+$/.test(a.text) && Number(a.text) <= 128) || isContiguousMask(a.text);
    if (!ok) {
      // keepalived logs "Invalid … persistence_granularity" and keeps /32; floatip keeps that meaning
      // (the seed configs depend on it) but says so.
      c.diags.warn(a, {
        code: 'ignored',
        keyword: 'persistence_granularity',
        message: `'${a.text}' is not a netmask; keepalived ignores it and uses 255.255.255.255, and so does floatip`,
        expected: 'a contiguous IPv4 netmask such as 255.255.255.0, or an IPv6 prefix length',
        keepalivedError: true,
      });
      return;
    }
    put(t, 'persistenceGranularity', a.text, n, c, p);
  },
  protocol: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, 'TCP, UDP or SCTP');
    if (!a) return;
    maxArgs(n, 1, c);
    // keepalived compares the protocol case-insensitively (check_parser.c proto_handler: strcasecmp).
    const v = readEnumToken(
      { ...a, text: a.text.toUpperCase() },
      'protocol',
      ['TCP', 'UDP', 'SCTP'] as const,
      c,
    );
    put(t, 'protocol', v, n, c, p);
  },
  ha_suspend: h.bare('haSuspend'),
  smtp_alert: h.flag('smtpAlert'),
  virtualhost: h.str('virtualhost', 'a host name'),
  snmp_name: h.str('snmpName'),
  alpha: h.flag('alpha'),
  omega: h.flag('omega'),
  quorum_up: h.script('quorumUp'),
  quorum_down: h.script('quorumDown'),
  quorum: h.int('quorum', 1, 2 ** 32 - 1),
  hysteresis: h.int('hysteresis', 0, 2 ** 32 - 1),
  weight: h.int('weight', 0, 2147483647),
  sorry_server: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 2, c);
    put(t, 'sorryServer', readServerAddress(n.args[0], n.args[1], n, c), n, c, p);
  },
  sorry_server_inhibit: h.flag('sorryServerInhibit'),
  sorry_server_lvs_method: forwarding('sorryServerForwarding'),
};

function readFlagless(n: Node, c: Ctx): void {
  noBlock(n, c);
  maxArgs(n, 0, c);
}

function isContiguousMask(text: string): boolean {
  if (ipFamily(text) !== 'inet') return false;
  const bits = text
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits);
}

/** `virtual_server IP [PORT] | fwmark N | group NAME { … }`. */
export function translateVirtualServer(n: Node, c: Ctx, path: string): Obj | undefined {
  const vs: Obj = {};
  const a0 = n.args[0];
  if (!a0) {
    arg(n, c, 'IP PORT, fwmark N or group NAME');
    return undefined;
  }
  let ok = true;
  if (a0.text === 'fwmark') {
    maxArgs(n, 2, c);
    const v = n.args[1] ? readIntToken(n.args[1], 'fwmark', 1, 2 ** 32 - 1, c) : undefined;
    if (!n.args[1]) arg(n, c, 'a firewall mark', 1);
    if (v === undefined) ok = false;
    vs.service = { kind: 'fwmark', fwmark: v };
  } else if (a0.text === 'group') {
    maxArgs(n, 2, c);
    const g = arg(n, c, 'a virtual_server_group name', 1);
    if (!g) ok = false;
    vs.service = { kind: 'group', group: g?.text };
    if (g) c.mark(vs.service as Obj, 'group', g);
  } else {
    maxArgs(n, 2, c);
    const addr = readServerAddress(a0, n.args[1], n, c);
    if (!addr) ok = false;
    vs.service = { kind: 'address', address: addr?.address, port: addr?.port ?? 0 };
  }
  c.mark(vs, 'service', a0);
  const realServers: Obj[] = [];
  const plain: Node[] = [];
  for (const child of block(n, c)) {
    if (child.keyword.text === 'real_server') {
      const rs = translateRealServer(child, c, `${path}.realServers.${realServers.length}`);
      if (rs) {
        c.mark(realServers, realServers.length, child.keyword);
        realServers.push(rs);
      }
    } else if (Object.hasOwn(virtualServerTable, child.keyword.text)) plain.push(child);
    else unknownKeyword(child, [...Object.keys(virtualServerTable), 'real_server'], c, 'virtual_server');
  }
  // Scheduler flags depend on lvs_sched having been seen first, so keep file order.
  walk(plain, virtualServerTable, vs, c, path, 'virtual_server');
  vs.realServers = realServers;
  const defaulted = (kw: string, value: string): void =>
    c.diags.warn(n.keyword, {
      code: 'adjusted',
      keyword: kw,
      message: `no ${kw} in this virtual_server: keepalived uses ${value}`,
      expected: `${kw} ${value} written out`,
    });
  if (vs.protocol === undefined && a0.text !== 'fwmark') defaulted('protocol', 'UDP');
  if (vs.lvsSched === undefined) defaulted('lvs_sched', 'wlc');
  if (vs.forwarding === undefined) defaulted('lvs_method', 'NAT');
  return ok ? vs : undefined;
}

/** `virtual_server_group NAME { IP [PORT] | IP-RANGE [PORT] | IP/NN [PORT] | fwmark N [inet|inet6] }`. */
export function translateVirtualServerGroup(n: Node, c: Ctx, _path: string): Obj {
  const entries: Obj[] = [];
  for (const line of block(n, c)) {
    c.mark(entries, entries.length, line.keyword);
    const w = line.keyword;
    if (w.text === 'fwmark') {
      const v = line.args[0] ? readIntToken(line.args[0], 'fwmark', 1, 2 ** 32 - 1, c) : undefined;
      if (!line.args[0]) arg(line, c, 'a firewall mark');
      maxArgs(line, 2, c);
      const fam = line.args[1]
        ? readEnumToken(line.args[1], 'ip family', ['inet', 'inet6'] as const, c)
        : undefined;
      if (v !== undefined)
        entries.push(fam ? { kind: 'fwmark', fwmark: v, ipFamily: fam } : { kind: 'fwmark', fwmark: v });
      continue;
    }
    maxArgs(line, 1, c);
    const port = line.args[0] ? readIntToken(line.args[0], 'port', 0, 65535, c) : 0;
    const range = parseRange(w.text);
    if (!range) {
      const s = closest(w.text, ['fwmark']);
      c.error(w, 'virtual_server_group', `'${w.text}' is not an address, range or fwmark`, {
        expected: 'IP [PORT], A.B.C.D-E [PORT], A.B.C.D/NN [PORT] or fwmark N',
        ...(s !== undefined ? { suggestion: s } : {}),
      });
      continue;
    }
    if (port !== undefined) entries.push({ kind: 'address', ...range, port });
  }
  return { entries };
}

/** `A.B.C.D`, `A.B.C.D-E`, `A.B.C.D-A.B.C.E`, `A.B.C.D/NN`, `ae00::2-9` -> first and last address. */
function parseRange(text: string): { address: string; rangeEnd?: string } | undefined {
  if (ipFamily(text)) return { address: text };
  const slash = /^(.+)\/(\d+)$/.exec(text);
  if (slash && ipFamily(slash[1]!) === 'inet' && Number(slash[2]) <= 32) {
    const base = toInt(slash[1]!);
    const bits = Number(slash[2]);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    const first = (base & mask) >>> 0;
    const last = (first | (~mask >>> 0)) >>> 0;
    return { address: fromInt(first), rangeEnd: fromInt(last) };
  }
  if (slash && ipFamily(slash[1]!) === 'inet6' && Number(slash[2]) <= 128) return { address: slash[1]! };
  const dash = text.lastIndexOf('-');
  if (dash > 0) {
    const start = text.slice(0, dash);
    const end = text.slice(dash + 1);
    const fam = ipFamily(start);
    if (!fam) return undefined;
    if (ipFamily(end) === fam) return { address: start, rangeEnd: end };
    if (fam === 'inet' && /^\d{1,3}$/.test(end) && Number(end) <= 255) {
      const prefix = start.slice(0, start.lastIndexOf('.') + 1);
      if (Number(end) < Number(start.slice(start.lastIndexOf('.') + 1))) return undefined;
      return { address: start, rangeEnd: `${prefix}${end}` };
    }
    if (fam === 'inet6' && /^[0-9a-fA-F]{1,4}$/.test(end)) {
      const prefix = start.slice(0, start.lastIndexOf(':') + 1);
      return { address: start, rangeEnd: `${prefix}${end}` };
    }
  }
  return undefined;
}

const toInt = (ip: string): number => ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
const fromInt = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

export const sslTable: KeywordTable = {
  password: h.str('password'),
  ca: h.str('ca', 'a path'),
  certificate: h.str('certificate', 'a path'),
  key: h.str('key', 'a path'),
};
