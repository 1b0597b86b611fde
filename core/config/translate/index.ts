/**
 * keepalived.conf block tree -> ConfigInput (the model as written; defaults are applied afterwards by the
 * schema and the resolver). Every keyword of reference keepalived.md §1-§3 has a handler; anything else is
 * an error with a "did you mean", or a warning under `lenient`.
 */
import type { Node } from '../parser.ts';
import { globalDefsTable, translateGlobalDefs } from './global-defs.ts';
import {
  bfdInstanceTable,
  blockName,
  garpGroupTable,
  trackFileTable,
  trackProcessTable,
  vrrpInstanceTable,
  vrrpScriptTable,
  vrrpSyncGroupTable,
} from './vrrp.ts';
import { sslTable, translateVirtualServer, translateVirtualServerGroup } from './lvs.ts';
import { readIpBlock, readRouteBlock } from './ip-entries.ts';
import { block, maxArgs, readNumToken, unknownKeyword, walk, type Ctx, type Obj } from './context.ts';

/** The keyword each named block cannot do without: [model field, keyword, example]. */
const requiredKeyword: Record<string, [string, string, string]> = {
  vrrpScripts: ['script', 'script', 'script "/path/to/check args"'],
  trackFiles: ['file', 'file', 'file "/path/to/file"'],
  trackProcesses: ['process', 'process', 'process NAME [args]'],
  bfdInstances: ['neighborIp', 'neighbor_ip', 'neighbor_ip IP'],
  vrrpInstances: ['virtualRouterId', 'virtual_router_id', 'virtual_router_id 1..255'],
};

type RootHandler = (node: Node, out: Obj, ctx: Ctx) => void;

function named(section: string, table: Parameters<typeof walk>[1]): RootHandler {
  return (node, out, ctx) => {
    const name = blockName(node, ctx, 'name');
    const children = block(node, ctx);
    if (name === undefined) return;
    const map = (out[section] ??= {}) as Record<string, Obj>;
    const path = `${section}.${name}`;
    if (Object.hasOwn(map, name)) {
      ctx.diags.error(node.args[0] ?? node.keyword, {
        code: 'duplicate',
        keyword: node.keyword.text,
        message: `${node.keyword.text} '${name}' is defined twice (first at line ${ctx.positionOf(map, name)?.line ?? '?'})`,
      });
      return;
    }
    const target: Obj = {};
    ctx.mark(map, name, node.args[0] ?? node.keyword);
    walk(children, table, target, ctx, path, `${node.keyword.text} ${name}`);
    const need = requiredKeyword[section];
    if (need && target[need[0]] === undefined && ctx.positionOf(target, need[0]) === undefined) {
      ctx.diags.error(node.args[0] ?? node.keyword, {
        code: 'missing-required',
        keyword: need[1],
        message: `${node.keyword.text} ${name} has no ${need[1]}`,
        expected: need[2],
      });
      return;
    }
    map[name] = target;
  };
}

/** Root keywords that keepalived also accepts outside global_defs. */
const globalAtRoot = [
  'net_namespace',
  'net_namespace_ipvs',
  'instance',
  'use_pid_dir',
  'child_wait_time',
  'linkbeat_use_polling',
];

const rootHandlers: Record<string, RootHandler> = {
  global_defs: (node, out, ctx) => {
    ctx.mark(out, 'globalDefs', node.keyword);
    translateGlobalDefs(node, (out.globalDefs ??= {}) as Obj, ctx);
  },
  vrrp_script: named('vrrpScripts', vrrpScriptTable),
  track_file: named('trackFiles', trackFileTable),
  vrrp_track_file: (node, out, ctx) => {
    ctx.diags.warn(node.keyword, {
      code: 'deprecated',
      keyword: 'vrrp_track_file',
      message: "'vrrp_track_file' is deprecated; use 'track_file'",
    });
    named('trackFiles', trackFileTable)(node, out, ctx);
  },
  vrrp_track_process: named('trackProcesses', trackProcessTable),
  bfd_instance: named('bfdInstances', bfdInstanceTable),
  vrrp_sync_group: named('vrrpSyncGroups', vrrpSyncGroupTable),
  vrrp_instance: named('vrrpInstances', vrrpInstanceTable),
  track_group: named('trackGroups', { group: vrrpSyncGroupTable.group! }),
  interface_up_down_delays: (node, out, ctx) => {
    maxArgs(node, 0, ctx);
    const map = (out.interfaceUpDownDelays ??= {}) as Record<string, Obj>;
    for (const line of block(node, ctx)) {
      const down = line.args[0] ? readNumToken(line.args[0], 'down delay', 0, 255, ctx) : undefined;
      if (!line.args[0])
        ctx.error(line.keyword, 'interface_up_down_delays', 'missing down delay', {
          expected: 'IF DOWN [UP]',
        });
      const up = line.args[1] ? readNumToken(line.args[1], 'up delay', 0, 255, ctx) : 0;
      maxArgs(line, 2, ctx);
      if (down !== undefined && up !== undefined) map[line.keyword.text] = { down, up };
      ctx.mark(map, line.keyword.text, line.keyword);
    }
  },
  linkbeat_interfaces: (node, out, ctx) => {
    maxArgs(node, 0, ctx);
    const map = (out.linkbeatInterfaces ??= {}) as Record<string, unknown>;
    for (const line of block(node, ctx)) {
      maxArgs(line, 1, ctx);
      const m = line.args[0]?.text;
      if (m !== undefined && !['MII', 'ETHTOOL', 'IOCTL'].includes(m)) {
        ctx.error(line.args[0]!, 'linkbeat_interfaces', `'${m}' is not a linkbeat method`, {
          expected: 'MII, ETHTOOL or IOCTL',
        });
        continue;
      }
      map[line.keyword.text] = m ?? 'auto';
    }
  },
  garp_group: (node, out, ctx) => {
    maxArgs(node, 0, ctx);
    const list = (out.garpGroups ??= []) as Obj[];
    const g: Obj = {};
    const path = `garpGroups.${list.length}`;
    ctx.mark(list, list.length, node.keyword);
    walk(block(node, ctx), garpGroupTable, g, ctx, path, 'garp_group');
    list.push(g);
  },
  static_ipaddress: (node, out, ctx) => {
    const list = (out.staticIpaddress ??= []) as Obj[];
    ctx.mark(out, 'staticIpaddress', node.keyword);
    const items = readIpBlock(node, ctx, 'staticIpaddress');
    for (const [k, item] of items.entries()) {
      ctx.mark(list, list.length, ctx.positionOf(items, k) ?? node.keyword);
      list.push(item);
    }
  },
  static_routes: (node, out, ctx) => {
    const list = (out.staticRoutes ??= []) as Obj[];
    ctx.mark(out, 'staticRoutes', node.keyword);
    const items = readRouteBlock(node, ctx, 'staticRoutes');
    for (const [k, item] of items.entries()) {
      ctx.mark(list, list.length, ctx.positionOf(items, k) ?? node.keyword);
      list.push(item);
    }
  },
  static_rules: (node, out, ctx) => {
    const list = (out.staticRules ??= []) as Obj[];
    ctx.mark(out, 'staticRules', node.keyword);
    const items = readRouteBlock(node, ctx, 'staticRules');
    for (const [k, item] of items.entries()) {
      ctx.mark(list, list.length, ctx.positionOf(items, k) ?? node.keyword);
      list.push(item);
    }
  },
  virtual_server_group: (node, out, ctx) => {
    const name = blockName(node, ctx, 'name');
    if (name === undefined) return;
    const map = (out.virtualServerGroups ??= {}) as Record<string, Obj>;
    if (Object.hasOwn(map, name)) {
      ctx.diags.error(node.args[0]!, {
        code: 'duplicate',
        keyword: 'virtual_server_group',
        message: `virtual_server_group '${name}' is defined twice`,
      });
      return;
    }
    ctx.mark(map, name, node.args[0]!);
    map[name] = translateVirtualServerGroup(node, ctx, `virtualServerGroups.${name}`);
  },
  virtual_server: (node, out, ctx) => {
    const list = (out.virtualServers ??= []) as Obj[];
    const vs = translateVirtualServer(node, ctx, `virtualServers.${list.length}`);
    if (vs) {
      ctx.mark(list, list.length, node.keyword);
      list.push(vs);
    }
  },
  SSL: (node, out, ctx) => {
    maxArgs(node, 0, ctx);
    const ssl = (out.ssl ??= {}) as Obj;
    walk(block(node, ctx), sslTable, ssl, ctx, 'ssl', 'SSL');
  },
};

export const rootKeywords = [...Object.keys(rootHandlers), ...globalAtRoot];

/** Translates the parsed tree into a ConfigInput-shaped object, reporting problems to ctx. */
export function translate(tree: Node[], ctx: Ctx): Obj {
  const out: Obj = {};
  for (const node of tree) {
    const kw = node.keyword.text;
    if (kw === '') continue;
    const handler = Object.hasOwn(rootHandlers, kw) ? rootHandlers[kw] : undefined;
    if (handler) {
      handler(node, out, ctx);
      continue;
    }
    if (globalAtRoot.includes(kw)) {
      walk([node], globalDefsTable, (out.globalDefs ??= {}) as Obj, ctx, 'globalDefs', 'the top level');
      continue;
    }
    unknownKeyword(node, rootKeywords, ctx, 'the top level');
  }
  return out;
}
