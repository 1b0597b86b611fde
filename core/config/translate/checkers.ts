/** The checker blocks of a real_server (reference keepalived.md §3). */
import type { Node } from '../parser.ts';
import { dnsTypes } from '../../model/index.ts';
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
  walk,
  type Ctx,
  type Handler,
  type KeywordTable,
  type Obj,
} from './context.ts';

const timingTable: KeywordTable = {
  connect_timeout: h.secs('connectTimeout'),
  retry: h.int('retry', 0, 2 ** 32 - 1),
  delay_before_retry: h.secs('delayBeforeRetry'),
  warmup: h.secs('warmup'),
  delay_loop: h.secs('delayLoop', 0.000001),
  alpha: h.flag('alpha'),
  log_all_failures: h.flag('logAllFailures'),
};

const connectionTable: KeywordTable = {
  ...timingTable,
  connect_ip: h.ip('connectIp'),
  connect_port: h.int('connectPort', 0, 65535),
  bindto: h.ip('bindto'),
  bind_if: h.str('bindIf', 'an interface name'),
  bind_port: h.int('bindPort', 0, 65535),
  fwmark: h.int('fwmark', 0, 2 ** 32 - 1),
};

/** nb_get_retry outside HTTP_GET/SSL_GET: keepalived does not know it there and keeps its retry default. */
const ignoredNbGetRetry: Handler = (n, _t, c) => {
  c.diags.warn(n.keyword, {
    code: 'ignored',
    keyword: 'nb_get_retry',
    message:
      "'nb_get_retry' is not a keyword of this checker in keepalived, which ignores it (retry keeps its default); " +
      'floatip does the same so the meaning does not change: write retry to set it',
    suggestion: 'retry',
    keepalivedError: true, // "Unknown keyword 'nb_get_retry'"
  });
};

const statusCodes: Handler = (n, t, c, p) => {
  noBlock(n, c);
  if (!arg(n, c, 'status codes or ranges such as 200 or 200-299')) return;
  const list: Obj[] = [];
  for (const a of n.args) {
    for (const part of a.text.split(',')) {
      if (part === '') continue;
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      const from = m ? Number(m[1]) : NaN;
      const to = m && m[2] !== undefined ? Number(m[2]) : from;
      if (!m || from < 100 || to > 599 || from > to) {
        c.error(a, 'status_code', `'${part}' is not an HTTP status code or range`, {
          expected: 'codes 100..599 or ranges such as 200-299',
        });
        continue;
      }
      list.push({ from, to });
    }
  }
  put(t, 'statusCode', [...((t.statusCode as Obj[] | undefined) ?? []), ...list], n, c, p);
};

const urlTable: KeywordTable = {
  path: h.str('path', 'a URL path'),
  digest: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, 'an MD5 digest (32 hex digits)');
    if (!a) return;
    maxArgs(n, 1, c);
    if (!/^[0-9a-fA-F]{32}$/.test(a.text)) {
      c.error(a, 'digest', `'${a.text}' is not an MD5 digest`, { expected: '32 hex digits (from genhash)' });
      return;
    }
    put(t, 'digest', a.text.toLowerCase(), n, c, p);
  },
  status_code: statusCodes,
  virtualhost: h.str('virtualhost', 'a host name'),
  regex: h.str('regex', 'a regular expression'),
  regex_no_match: h.bare('regexNoMatch'),
  regex_options: (n, t, c, p) => {
    noBlock(n, c);
    put(
      t,
      'regexOptions',
      n.args.map((a) => a.text),
      n,
      c,
      p,
    );
  },
  regex_min_offset: h.int('regexMinOffset', 0, 2 ** 31 - 1),
  regex_max_offset: h.int('regexMaxOffset', 0, 2 ** 31 - 1),
  regex_stack: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, 'START MAX');
    const b = arg(n, c, 'START MAX', 1);
    if (!a || !b) return;
    maxArgs(n, 2, c);
    const start = readIntToken(a, 'regex_stack', 1, 2 ** 31 - 1, c);
    const max = readIntToken(b, 'regex_stack', 1, 2 ** 31 - 1, c);
    if (start !== undefined && max !== undefined) put(t, 'regexStack', { start, max }, n, c, p);
  },
};

const httpTable = (ssl: boolean): KeywordTable => ({
  ...connectionTable,
  url: (n, t, c, p) => {
    maxArgs(n, 0, c);
    const list = ((t.url as Obj[] | undefined) ??= []);
    const url: Obj = {};
    const up = `${p}.url.${list.length}`;
    walk(block(n, c), urlTable, url, c, up, 'url');
    if (url.path === undefined) {
      c.diags.error(n.keyword, {
        code: 'missing-required',
        keyword: 'path',
        message: 'url block without a path',
        expected: 'path /some/url',
      });
      return;
    }
    c.mark(list, list.length, n.keyword);
    list.push(url);
  },
  virtualhost: h.str('virtualhost', 'a host name'),
  http_protocol: h.enumOf('httpProtocol', ['1.0', '1.0C', '1.1'] as const),
  fast_recovery: h.flag('fastRecovery'),
  enable_sni: h.bare('enableSni'),
  // keepalived 2.2.7 reports "nb_get_retry is deprecated" as a configuration error.
  nb_get_retry: deprecated(h.int('retry', 0, 2 ** 32 - 1), 'retry', true),
  ...(ssl ? { tls_compliant: h.flag('tlsCompliant') } : {}),
});

const smtpHostTable: KeywordTable = {
  connect_ip: h.ip('connectIp'),
  connect_port: h.int('connectPort', 0, 65535),
  bindto: h.ip('bindto'),
  bind_if: h.str('bindIf'),
  bind_port: h.int('bindPort', 0, 65535),
  fwmark: h.int('fwmark', 0, 2 ** 32 - 1),
  connect_timeout: h.secs('connectTimeout'),
};

const checkerTables: Record<string, KeywordTable> = {
  TCP_CHECK: { ...connectionTable, nb_get_retry: ignoredNbGetRetry },
  HTTP_GET: httpTable(false),
  SSL_GET: httpTable(true),
  SMTP_CHECK: {
    ...connectionTable,
    nb_get_retry: ignoredNbGetRetry,
    helo_name: h.str('heloName', 'a host name'),
    host: deprecated((n, t, c, p) => {
      maxArgs(n, 0, c);
      const list = ((t.hosts as Obj[] | undefined) ??= []);
      const host: Obj = {};
      walk(block(n, c), smtpHostTable, host, c, `${p}.hosts.${list.length}`, 'SMTP_CHECK host');
      list.push(host);
    }, 'one SMTP_CHECK per address'),
  },
  DNS_CHECK: {
    ...connectionTable,
    type: h.enumOf('queryType', dnsTypes),
    name: h.str('name', 'a domain name'),
  },
  MISC_CHECK: {
    ...timingTable,
    misc_path: h.script('miscPath', false),
    misc_timeout: h.secs('miscTimeout', 0.000001),
    misc_dynamic: h.bare('miscDynamic'),
    user: h.runAs('user'),
  },
  UDP_CHECK: {
    ...connectionTable,
    nb_get_retry: ignoredNbGetRetry,
    payload: (n, t, c, p) => {
      noBlock(n, c);
      const a = arg(n, c, 'hex bytes');
      if (!a) return;
      maxArgs(n, 1, c);
      if (!/^([0-9a-fA-F]{2})+$/.test(a.text)) {
        c.error(a, 'payload', `'${a.text}' is not hex bytes`, { expected: 'an even number of hex digits' });
        return;
      }
      put(t, 'payload', a.text.toLowerCase(), n, c, p);
    },
    require_reply: (n, t, c, p) => {
      noBlock(n, c);
      maxArgs(n, 1, c);
      const a = n.args[0];
      if (a && !/^([0-9a-fA-FxX]{2})+$/.test(a.text)) {
        c.error(a, 'require_reply', `'${a.text}' is not a hex pattern`, {
          expected: 'hex digits, X as a wildcard nibble',
        });
        return;
      }
      put(t, 'requireReply', a ? { pattern: a.text.toLowerCase() } : {}, n, c, p);
    },
    min_reply_length: h.int('minReplyLength', 0, 65535),
    max_reply_length: h.int('maxReplyLength', 0, 65535),
  },
  PING_CHECK: { ...connectionTable },
  FILE_CHECK: {
    track_file: h.str('trackFile', 'a track_file name'),
    dynamic: h.bare('dynamic'),
    weight: (n, t, c, p) => {
      noBlock(n, c);
      const a = arg(n, c, 'an integer [reverse]');
      if (!a) return;
      maxArgs(n, 2, c);
      put(t, 'weight', readIntToken(a, 'weight', -(2 ** 31), 2 ** 31 - 1, c), n, c, p);
      if (n.args[1]) {
        const r = readEnumToken(n.args[1], 'weight option', ['reverse', 'noreverse'], c);
        if (r) t.reverse = r === 'reverse';
      }
    },
  },
  BFD_CHECK: { name: h.str('name', 'a bfd_instance name'), alpha: h.flag('alpha') },
};

export const checkerKeywords = Object.keys(checkerTables);

/** Reads one checker block into a checker object (with `type`). */
export function translateChecker(node: Node, ctx: Ctx, path: string): Obj | undefined {
  const type = node.keyword.text;
  const table = checkerTables[type];
  if (!table) return undefined;
  maxArgs(node, 0, ctx);
  const out: Obj = { type };
  walk(block(node, ctx), table, out, ctx, path, type);
  const required: Record<string, [string, string]> = {
    HTTP_GET: ['url', 'url { path … }'],
    SSL_GET: ['url', 'url { path … }'],
    MISC_CHECK: ['miscPath', 'misc_path "/path/to/script args"'],
    FILE_CHECK: ['trackFile', 'track_file NAME'],
    BFD_CHECK: ['name', 'name BFD_INSTANCE'],
  };
  const req = required[type];
  if (req && out[req[0]] === undefined) {
    ctx.diags.error(node.keyword, {
      code: 'missing-required',
      keyword: type,
      message: `${type} needs ${req[1].split(' ')[0]}`,
      expected: req[1],
    });
    return undefined;
  }
  return out;
}
