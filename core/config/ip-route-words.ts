/**
 * The `ip route` / `ip rule` lines of `virtual_routes`, `virtual_rules`, `static_routes` and `static_rules`
 * (keepalived.conf(5) "Static routes/addresses/rules") -> IpRoute / IpRule. Pure. Follows keepalived's
 * reading: IPv4 unless an address or `inet6` says otherwise, routes prepended unless `add`/`append`,
 * protocol `keepalived` (18) on everything tracked, rules need an action. Options floatip does not carry
 * to the kernel yet are refused by name rather than dropped.
 */
import {
  RT_TABLE_MAIN,
  RTPROT_KEEPALIVED,
  routeTypes,
  ruleActions,
  type IpRoute,
  type IpRule,
  type Prefix,
  type RouteFamily,
  type RouteType,
} from '../model/ip-route.ts';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../model/lb-address.ts';

/** A problem with one word of the line (index into the words), or with the whole line (index -1). */
export interface WordIssue {
  index: number;
  message: string;
  /** Valid for keepalived, but floatip cannot apply it yet (the agent refuses; config checks warn). */
  unsupported?: boolean;
  /** A warning keepalived reports as a configuration error (`keepalived -t` exits 5). */
  keepalivedError?: boolean;
}

export type WordsResult<T> =
  { ok: true; value: T; warnings: WordIssue[] } | { ok: false; error: WordIssue; warnings: WordIssue[] };

export interface WordsOptions {
  noTrack: boolean;
  /** Only static routes/rules may name a track_group. */
  allowTrackGroup: boolean;
}

/** /etc/iproute2/rt_tables names every system has; other tables must be given as numbers. */
const tableNames: Record<string, number> = { main: 254, local: 255, default: 253 };
/** /etc/iproute2/rt_protos. */
const protocolNames: Record<string, number> = {
  redirect: 1,
  kernel: 2,
  boot: 3,
  static: 4,
  gated: 8,
  ra: 9,
  mrt: 10,
  zebra: 11,
  bird: 12,
  dnrouted: 13,
  xorp: 14,
  ntk: 15,
  dhcp: 16,
  keepalived: 18,
  babel: 42,
  bgp: 186,
  isis: 187,
  ospf: 188,
  rip: 189,
  eigrp: 192,
};
/** rt_scope_t names (`universe` is `ip`'s spelling of global). */
const scopeNames: Record<string, number> = {
  global: 0,
  universe: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};

/** Route and rule options keepalived accepts that floatip does not apply yet. */
const unsupportedRoute = new Set([
  'nexthop',
  'or',
  'encap',
  'expires',
  'vrf',
  'as',
  'mtu',
  'hoplimit',
  'advmss',
  'rtt',
  'rttvar',
  'reordering',
  'window',
  'cwnd',
  'ssthresh',
  'realms',
  'rto_min',
  'initcwnd',
  'initrwnd',
  'features',
  'quickack',
  'congctl',
  'pref',
  'ttl-propagate',
  'fastopen_no_cookie',
]);
const unsupportedRule = new Set([
  'realms',
  'suppress_ifgroup',
  'sup_group',
  'tunnel-id',
  'uidrange',
  'l3mdev',
  'ipproto',
  'sport',
  'dport',
]);

class Fail extends Error {
  readonly index: number;
  readonly unsupported: boolean;
  constructor(index: number, message: string, unsupported = false) {
    super(message);
    this.index = index;
    this.unsupported = unsupported;
  }
}

/** Unsigned integer, decimal or 0x hex, at most `max`. */
function uint(words: readonly string[], i: number, what: string, max = 0xffffffff): number {
  const w = words[i];
  if (w === undefined) throw new Fail(i - 1, `'${words[i - 1]}' needs a value`);
  const n = /^0x[0-9a-f]+$/i.test(w) ? parseInt(w, 16) : /^\d+$/.test(w) ? Number(w) : NaN;
  if (!Number.isSafeInteger(n) || n > max) throw new Fail(i, `'${w}' is not a valid ${what} (0..${max})`);
  return n;
}

function named(
  words: readonly string[],
  i: number,
  names: Record<string, number>,
  what: string,
  max: number,
): number {
  const w = words[i];
  if (w !== undefined && Object.hasOwn(names, w)) return names[w]!;
  if (w !== undefined && !/^(0x[0-9a-f]+|\d+)$/i.test(w))
    throw new Fail(i, `unknown ${what} '${w}' (use a number or one of ${Object.keys(names).join(', ')})`);
  return uint(words, i, what, max);
}

function value(words: readonly string[], i: number): string {
  const w = words[i];
  if (w === undefined) throw new Fail(i - 1, `'${words[i - 1]}' needs a value`);
  return w;
}

/** Family of an address literal. */
function familyOfAddress(text: string): RouteFamily | undefined {
  if (parseIpv4(text)) return 'inet';
  if (parseIpv6(text)) return 'inet6';
  return undefined;
}

function canonical(text: string, family: RouteFamily): string {
  const b = family === 'inet' ? parseIpv4(text) : parseIpv6(text);
  if (!b) return text;
  return family === 'inet' ? formatIpv4(b) : formatIpv6(b);
}

/** `ADDR[/LEN]` or `default`/`all`/`any`: the family is undefined for the last three. */
function prefix(words: readonly string[], i: number, what: string): { p: Prefix; family?: RouteFamily } {
  const w = value(words, i);
  if (w === 'default' || w === 'all' || w === 'any') return { p: { address: '', length: 0 } };
  const [addr = '', len, ...rest] = w.split('/');
  const family = familyOfAddress(addr);
  if (!family || rest.length > 0)
    throw new Fail(i, `'${w}' is not a valid ${what} (ADDRESS[/LENGTH] or default)`);
  const bytes = (family === 'inet' ? parseIpv4(addr) : parseIpv6(addr))!;
  const max = bytes.length * 8;
  const length = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(length >= 0 && length <= max)) throw new Fail(i, `'${w}': prefix length must be 0..${max}`);
  for (let bit = length; bit < max; bit++)
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1)
      throw new Fail(i, `'${w}' has host bits set (the network is ${networkOf(bytes, length, family)})`);
  return { p: { address: canonical(addr, family), length }, family };
}

function networkOf(bytes: Uint8Array, length: number, family: RouteFamily): string {
  const net = bytes.map((b, k) => {
    const keep = Math.max(0, Math.min(8, length - k * 8));
    return b & (0xff << (8 - keep)) & 0xff;
  });
  return `${family === 'inet' ? formatIpv4(net) : formatIpv6(net)}/${length}`;
}

/** Keeps the line's family consistent: the first address (or inet/inet6) decides. */
class FamilyOf {
  value: RouteFamily | undefined;
  set(f: RouteFamily | undefined, index: number): void {
    if (f === undefined) return;
    if (this.value !== undefined && this.value !== f)
      throw new Fail(index, 'cannot mix IPv4 and IPv6 in one line');
    this.value = f;
  }
  address(words: readonly string[], i: number, what: string): string {
    const w = value(words, i);
    const f = familyOfAddress(w);
    if (!f) throw new Fail(i, `'${w}' is not a valid ${what} address`);
    this.set(f, i);
    return canonical(w, f);
  }
}

function run<T>(build: (warnings: WordIssue[]) => T): WordsResult<T> {
  const warnings: WordIssue[] = [];
  try {
    return { ok: true, value: build(warnings), warnings };
  } catch (e) {
    if (e instanceof Fail)
      return {
        ok: false,
        error: { index: e.index, message: e.message, ...(e.unsupported ? { unsupported: true } : {}) },
        warnings,
      };
    throw e;
  }
}

/** One `virtual_routes` / `static_routes` line (without `no_track`, which comes in `options`). */
export function parseRouteWords(words: readonly string[], options: WordsOptions): WordsResult<IpRoute> {
  return run((warnings) => {
    const fam = new FamilyOf();
    let dst: Prefix | undefined;
    let type: RouteType = 'unicast';
    const r: Omit<IpRoute, 'family' | 'dst' | 'type'> = {
      table: RT_TABLE_MAIN,
      protocol: RTPROT_KEEPALIVED,
      tos: 0,
      onlink: false,
      mode: 'prepend',
      noTrack: options.noTrack,
    };
    let protocolAt = -1;
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      switch (w) {
        case 'inet':
        case 'inet6':
          fam.set(w, i);
          break;
        case 'src':
          r.prefsrc = fam.address(words, ++i, 'src');
          break;
        case 'via':
        case 'gw': {
          if (w === 'gw')
            warnings.push({ index: i, message: "'gw' is deprecated; use 'via'", keepalivedError: true });
          if (words[i + 1] === 'inet' || words[i + 1] === 'inet6') fam.set(words[++i] as RouteFamily, i);
          r.via = fam.address(words, ++i, 'gateway');
          break;
        }
        case 'from': {
          const { p, family } = prefix(words, ++i, 'from prefix');
          if (family !== 'inet6') throw new Fail(i, "'from' is only valid for IPv6 routes");
          fam.set(family, i);
          r.src = p;
          break;
        }
        case 'tos':
        case 'dsfield':
          r.tos = uint(words, ++i, 'TOS', 255);
          break;
        case 'table':
          r.table = named(words, ++i, tableNames, 'table', 0xffffffff);
          break;
        case 'protocol':
        case 'proto':
          r.protocol = named(words, ++i, protocolNames, 'protocol', 255);
          protocolAt = i;
          break;
        case 'scope':
          r.scope = named(words, ++i, scopeNames, 'scope', 255);
          break;
        case 'metric':
        case 'priority':
        case 'preference':
          r.metric = uint(words, ++i, 'metric');
          break;
        case 'dev':
        case 'oif':
          r.dev = value(words, ++i);
          break;
        case 'onlink':
          r.onlink = true;
          break;
        case 'add':
        case 'prepend':
        case 'append':
          r.mode = w;
          break;
        case 'no_track':
          r.noTrack = true;
          break;
        case 'track_group':
          if (!options.allowTrackGroup) throw new Fail(i, 'track_group is only valid for static routes');
          r.trackGroup = value(words, ++i);
          break;
        default: {
          if (unsupportedRoute.has(w))
            throw new Fail(i, `route option '${w}' is not supported by floatip yet`, true);
          if (w === 'to') i++;
          const t = words[i];
          if (t !== undefined && Object.hasOwn(routeTypes, t)) {
            type = t as RouteType;
            i++;
          }
          if (words[i] === undefined) throw new Fail(i - 1, 'the route has no destination after it');
          const looks =
            /^[0-9a-f:.]+(\/\d+)?$/i.test(words[i]!) || ['default', 'all', 'any'].includes(words[i]!);
          if (!looks) throw new Fail(i, `unknown route option '${words[i]}'`);
          if (dst) throw new Fail(i, `the route has two destinations ('${words[i]}')`);
          const d = prefix(words, i, 'destination');
          fam.set(d.family, i);
          dst = d.p;
        }
      }
    }
    if (!dst) throw new Fail(-1, 'a route needs a destination');
    const family = fam.value ?? 'inet';
    if (dst.length === 0) dst = { address: family === 'inet' ? '0.0.0.0' : '::', length: 0 };
    if (!r.noTrack && r.protocol !== RTPROT_KEEPALIVED) {
      warnings.push({
        index: protocolAt,
        message: `a tracked route must have protocol keepalived (${RTPROT_KEEPALIVED}); using it (add no_track to keep yours)`,
      });
      r.protocol = RTPROT_KEEPALIVED;
    }
    if (r.onlink && !r.via) throw new Fail(words.indexOf('onlink'), "'onlink' needs a gateway ('via')");
    if (!r.noTrack && r.dev === undefined)
      warnings.push({
        index: 0,
        message:
          'a route without dev cannot be tracked; keepalived says so and does not track it (add dev IF, or no_track)',
        keepalivedError: true,
      });
    return { family, dst, type, ...r };
  });
}

/**
 * One `virtual_rules` / `static_rules` line. `priority` is undefined when the line gives none; the caller
 * assigns keepalived's 16384, 16383, … in file order (see nextRulePriority).
 */
export function parseRuleWords(
  words: readonly string[],
  options: WordsOptions,
): WordsResult<Omit<IpRule, 'priority'> & { priority?: number }> {
  return run((warnings) => {
    const fam = new FamilyOf();
    const r: Omit<IpRule, 'priority' | 'family' | 'action'> & {
      priority?: number;
      action?: IpRule['action'];
    } = {
      not: false,
      tos: 0,
      protocol: RTPROT_KEEPALIVED,
      noTrack: options.noTrack,
    };
    let protocolAt = -1;
    const action = (a: IpRule['action'], i: number) => {
      if (r.action !== undefined)
        throw new Fail(
          i,
          'a rule takes only one of table/lookup, goto, nop, blackhole, unreachable, prohibit',
        );
      r.action = a;
    };
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      switch (w) {
        case 'inet':
        case 'inet6':
          fam.set(w, i);
          break;
        case 'from':
        case 'to': {
          const { p, family } = prefix(words, ++i, `${w} prefix`);
          fam.set(family, i);
          if (p.length === 0 && p.address === '') break; // `from all`: no selector
          if (w === 'from') r.from = p;
          else r.to = p;
          break;
        }
        case 'table':
        case 'lookup': {
          const t = named(words, ++i, tableNames, 'table', 0xffffffff);
          if (t === 0) throw new Fail(i, 'table 0 is not valid');
          action('table', i);
          r.table = t;
          break;
        }
        case 'not':
          r.not = true;
          break;
        case 'preference':
        case 'order':
        case 'priority':
          r.priority = uint(words, ++i, 'preference');
          break;
        case 'tos':
        case 'dsfield':
          r.tos = uint(words, ++i, 'TOS', 255);
          break;
        case 'fwmark': {
          const v = value(words, ++i);
          const [mark = '', mask, ...rest] = v.split('/');
          if (rest.length > 0) throw new Fail(i, `'${v}' is not a valid fwmark (MARK[/MASK])`);
          r.fwmark = uint([mark], 0, 'fwmark');
          if (mask !== undefined) r.fwmask = uint([mask], 0, 'fwmark mask');
          break;
        }
        case 'dev':
        case 'iif':
          r.iif = value(words, ++i);
          break;
        case 'oif':
          r.oif = value(words, ++i);
          break;
        case 'suppress_prefixlength':
        case 'sup_pl':
          r.suppressPrefixLength = uint(words, ++i, 'suppress_prefixlength', 128);
          break;
        case 'protocol':
        case 'proto':
          r.protocol = named(words, ++i, protocolNames, 'protocol', 255);
          protocolAt = i;
          break;
        case 'no_track':
          r.noTrack = true;
          break;
        case 'track_group':
          if (!options.allowTrackGroup) throw new Fail(i, 'track_group is only valid for static rules');
          r.trackGroup = value(words, ++i);
          break;
        case 'type':
          break; // `type goto N`, `type blackhole`: the next word is the action
        case 'goto':
          action('goto', i);
          r.gotoTarget = uint(words, ++i, 'goto target');
          break;
        case 'nop':
        case 'blackhole':
        case 'unreachable':
        case 'prohibit':
          action(w, i);
          break;
        default:
          if (unsupportedRule.has(w))
            throw new Fail(i, `rule option '${w}' is not supported by floatip yet`, true);
          throw new Fail(i, `unknown rule option '${w}'`);
      }
    }
    if (r.action === undefined)
      throw new Fail(-1, 'a rule needs an action (table/lookup, goto, nop, blackhole, …)');
    if (r.action === 'goto') {
      if (r.priority === undefined) throw new Fail(-1, 'a goto rule needs a preference');
      if (r.priority >= (r.gotoTarget ?? 0))
        throw new Fail(-1, `preference ${r.priority} must be below the goto target ${r.gotoTarget}`);
    }
    if (r.suppressPrefixLength !== undefined && r.action !== 'table')
      throw new Fail(-1, 'suppress_prefixlength needs a table action');
    if (!r.noTrack && r.protocol !== RTPROT_KEEPALIVED) {
      warnings.push({
        index: protocolAt,
        message: `a tracked rule must have protocol keepalived (${RTPROT_KEEPALIVED}); using it (add no_track to keep yours)`,
      });
      r.protocol = RTPROT_KEEPALIVED;
    }
    if (!Object.hasOwn(ruleActions, r.action)) throw new Fail(-1, `unknown rule action ${r.action}`);
    return { ...r, action: r.action, family: fam.value ?? 'inet' };
  });
}

/** keepalived numbers rules without a preference 16384, 16383, … per family, in file order. */
export const RULE_START_PRIORITY = 16384;
