/** Address and route lines: `virtual_ipaddress`, `static_ipaddress`, `virtual_routes`, `static_rules`, … */
import type { Token } from '../lexer.ts';
import type { Node } from '../parser.ts';
import { ipFamily } from '../../model/index.ts';
import { closest } from '../suggest.ts';
import { block, maxArgs, readIntToken, type Ctx, type Obj } from './context.ts';

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

/** A block of `ip route` / `ip rule` lines; kept as words, with `no_track` lifted out. */
export function readRouteBlock(node: Node, ctx: Ctx, _path: string): Obj[] {
  maxArgs(node, 0, ctx);
  const out: Obj[] = [];
  for (const line of block(node, ctx)) {
    const all = [line.keyword, ...line.args];
    ctx.mark(out, out.length, line.keyword);
    const noTrack = all.some((t) => t.text === 'no_track');
    out.push({ words: all.filter((t) => t.text !== 'no_track').map((t) => t.text), noTrack });
  }
  return out;
}
