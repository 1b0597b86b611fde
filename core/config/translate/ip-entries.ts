/** Address and route lines: `virtual_ipaddress`, `static_ipaddress`, `virtual_routes`, `static_rules`, … */
import type { Token } from '../lexer.ts';
import type { Node } from '../parser.ts';
import { ipFamily } from '../../model/index.ts';
import { closest } from '../suggest.ts';
import { block, maxArgs, readIntToken, type Ctx, type Obj } from './context.ts';
import { parseRouteWords, parseRuleWords, RULE_START_PRIORITY } from '../ip-route-words.ts';

const valueOptions = ['brd', 'broadcast', 'dev', 'scope', 'label', 'peer', 'preferred_lft', 'track_group'];
const flagOptions: Record<string, string> = {
  home: 'home',
  '-nodad': 'nodad',
  nodad: 'nodad',
  mngtmpaddr: 'mngtmpaddr',
  noprefixroute: 'noprefixroute',
  autojoin: 'autojoin',
  no_track: 'noTrack',
  use_vmac: 'useVmac',
};
const scopes = ['global', 'site', 'link', 'host', 'nowhere'];

/** One address line; returns undefined (after reporting) when it is unusable. */
export function readIpEntry(tokens: Token[], ctx: Ctx, _path: string): Obj | undefined {
  const first = tokens[0];
  if (!first) return undefined;
  const [addr, mask, ...restOfSlash] = first.text.split('/');
  const family = ipFamily(addr ?? '');
  if (family === undefined || restOfSlash.length > 0) {
    ctx.error(first, 'virtual_ipaddress', `'${first.text}' is not an address`, {
      expected: 'IP[/PREFIX] [dev IF] [scope S] [label L] …',
    });
    return undefined;
  }
  const maxPrefix = family === 'inet' ? 32 : 128;
  let prefix = maxPrefix;
  if (mask !== undefined) {
    const p = readIntToken({ ...first, text: mask }, 'prefix length', 0, maxPrefix, ctx);
    if (p === undefined) return undefined;
    prefix = p;
  }
  const out: Obj = { address: addr, prefix };
  let ok = true;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    const flag = flagOptions[t.text];
    if (flag !== undefined) {
      out[flag] = true;
      continue;
    }
    if (!valueOptions.includes(t.text)) {
      const s = closest(t.text, [...valueOptions, ...Object.keys(flagOptions)]);
      ctx.error(t, 'virtual_ipaddress', `unknown address option '${t.text}'`, {
        expected:
          'brd, dev, scope, label, peer, home, -nodad, mngtmpaddr, noprefixroute, autojoin, no_track, preferred_lft',
        ...(s !== undefined ? { suggestion: s } : {}),
      });
      ok = false;
      continue;
    }
    const v = tokens[i + 1];
    i++;
    if (!v) {
      ctx.error(t, 'virtual_ipaddress', `address option '${t.text}' needs a value`);
      ok = false;
      break;
    }
    switch (t.text) {
      case 'brd':
      case 'broadcast':
        if (v.text !== '+' && v.text !== '-' && ipFamily(v.text) === undefined) {
          ctx.error(v, 'brd', `'${v.text}' is not a broadcast address`, { expected: 'an address, + or -' });
          ok = false;
        } else out.brd = v.text;
        break;
      case 'dev':
        out.dev = v.text;
        break;
      case 'scope':
        if (!scopes.includes(v.text)) {
          const s = closest(v.text, scopes);
          ctx.error(v, 'scope', `'${v.text}' is not an address scope`, {
            expected: scopes.join(', '),
            ...(s !== undefined ? { suggestion: s } : {}),
          });
          ok = false;
        } else out.scope = v.text;
        break;
      case 'label':
        out.label = v.text;
        break;
      case 'peer':
        if (ipFamily(v.text.split('/')[0] ?? '') === undefined) {
          ctx.error(v, 'peer', `'${v.text}' is not an address`, { expected: 'an IP address' });
          ok = false;
        } else out.peer = v.text.split('/')[0];
        break;
      case 'preferred_lft':
        if (v.text === 'forever') out.preferredLft = 'forever';
        else {
          const n = readIntToken(v, 'preferred_lft', 0, 2 ** 32 - 1, ctx);
          if (n === undefined) ok = false;
          else out.preferredLft = n;
        }
        break;
      case 'track_group':
        out.trackGroup = v.text;
        ctx.mark(out, 'trackGroup', v);
        break;
    }
  }
  return ok ? out : undefined;
}

/** A block of address lines. */
export function readIpBlock(node: Node, ctx: Ctx, path: string): Obj[] {
  maxArgs(node, 0, ctx);
  const out: Obj[] = [];
  for (const line of block(node, ctx)) {
    if (line.children !== undefined) {
      ctx.error(line.keyword, node.keyword.text, `unexpected block inside ${node.keyword.text}`);
      continue;
    }
    const e = readIpEntry([line.keyword, ...line.args], ctx, `${path}.${out.length}`);
    if (e) {
      ctx.mark(out, out.length, line.keyword);
      out.push(e);
    }
  }
  return out;
}

/** keepalived's automatic rule preferences (16384, 16383, … per family, in file order), per translation. */
const nextRulePriority = new WeakMap<Ctx, Record<'inet' | 'inet6', number>>();

/**
 * A block of `ip route` / `ip rule` lines (a rule block when `path` ends in `Rules`); kept as words, with
 * `no_track` lifted out. Each line is checked here so a bad one is reported at its file:line; a rule
 * without a preference gets keepalived's automatic one written into its words (with a warning).
 */
export function readRouteBlock(node: Node, ctx: Ctx, path: string): Obj[] {
  maxArgs(node, 0, ctx);
  const rules = path.endsWith('Rules');
  const options = { allowTrackGroup: path.startsWith('static') };
  const keyword = node.keyword.text;
  const out: Obj[] = [];
  for (const line of block(node, ctx)) {
    if (line.children !== undefined) {
      ctx.error(line.keyword, keyword, `unexpected block inside ${keyword}`);
      continue;
    }
    const all = [line.keyword, ...line.args].filter((t) => t.text !== 'no_track');
    const noTrack = all.length !== line.args.length + 1;
    const words = all.map((t) => t.text);
    const at = (index: number) => all[index] ?? line.keyword;
    const parsed = rules
      ? parseRuleWords(words, { ...options, noTrack })
      : parseRouteWords(words, { ...options, noTrack });
    for (const w of parsed.warnings)
      ctx.warn(at(w.index), keyword, w.message, 'adjusted', w.keepalivedError === true);
    if (!parsed.ok && parsed.error.unsupported) {
      // keepalived takes it; the agent refuses to run it (vrrp-plan), a config check only warns.
      ctx.warn(at(parsed.error.index), keyword, `${parsed.error.message}: the agent will refuse this line`);
      ctx.mark(out, out.length, line.keyword);
      out.push({ words, noTrack });
      continue;
    }
    if (!parsed.ok && ctx.diags.lenient) {
      ctx.warn(
        at(parsed.error.index),
        keyword,
        `${parsed.error.message} (line skipped: --lenient)`,
        'ignored',
      );
      continue;
    }
    if (!parsed.ok) {
      ctx.error(at(parsed.error.index), keyword, parsed.error.message, {
        expected: rules
          ? 'ip rule syntax: [from P] [to P] [iif IF] [fwmark M] preference N table T|goto N|blackhole…'
          : 'ip route syntax: [TYPE] PREFIX [via GW] [dev IF] [src IP] [table T] [metric N] [scope S]…',
      });
      continue;
    }
    if (rules && (parsed.value as { priority?: number }).priority === undefined) {
      const family = parsed.value.family;
      let next = nextRulePriority.get(ctx);
      if (!next)
        nextRulePriority.set(ctx, (next = { inet: RULE_START_PRIORITY, inet6: RULE_START_PRIORITY }));
      const priority = next[family]--;
      ctx.warn(
        line.keyword,
        keyword,
        `rule has no preference; using ${priority} as keepalived does (set one)`,
      );
      words.push('preference', String(priority));
    }
    ctx.mark(out, out.length, line.keyword);
    out.push({ words, noTrack });
  }
  return out;
}
