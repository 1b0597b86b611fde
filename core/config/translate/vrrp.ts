/**
 * vrrp_instance, vrrp_sync_group and the trackers (reference keepalived.md §1.2-§1.4).
 */
import type { Node } from '../parser.ts';
import { vrrpStates } from '../../model/index.ts';
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
  readNumToken,
  readScript,
  walk,
  words,
  type Ctx,
  type Handler,
  type KeywordTable,
  type Obj,
} from './context.ts';
import { readIpBlock, readRouteBlock } from './ip-entries.ts';

/** `track_* { NAME [weight W [reverse|noreverse]] }`. */
function trackList(field: string, limit: number, withReverse: boolean): Handler {
  return (n, t, c, _p) => {
    maxArgs(n, 0, c);
    const list = ((t[field] as Obj[] | undefined) ??= []);
    c.mark(t, field, n.keyword);
    for (const line of block(n, c)) {
      const entry: Obj = { name: line.keyword.text };
      c.mark(list, list.length, line.keyword);
      const a = line.args;
      let i = 0;
      let ok = true;
      while (i < a.length) {
        const o = a[i]!;
        if (o.text === 'weight') {
          const v = a[i + 1];
          if (!v) {
            c.error(o, 'weight', `'weight' needs a value`, { expected: `an integer ${-limit}..${limit}` });
            ok = false;
            break;
          }
          const w = readIntToken(v, 'weight', -limit, limit, c);
          if (w === undefined) ok = false;
          else entry.weight = w;
          i += 2;
        } else if (withReverse && (o.text === 'reverse' || o.text === 'noreverse')) {
          entry.reverse = o.text === 'reverse';
          i++;
        } else {
          const s = closest(o.text, withReverse ? ['weight', 'reverse', 'noreverse'] : ['weight']);
          c.error(o, n.keyword.text, `unexpected '${o.text}' after tracked name '${line.keyword.text}'`, {
            expected: withReverse ? 'weight W [reverse|noreverse]' : 'weight W',
            ...(s !== undefined ? { suggestion: s } : {}),
          });
          ok = false;
          break;
        }
      }
      if (ok) list.push(entry);
    }
  };
}

const trackTable = (): KeywordTable => ({
  track_interface: trackList('trackInterface', 253, true),
  track_script: trackList('trackScript', 253, true),
  track_file: trackList('trackFile', 254, true),
  track_process: trackList('trackProcess', 254, true),
  track_bfd: trackList('trackBfd', 253, true),
});

const notifyTable = (): KeywordTable => ({
  notify_master: h.script('notifyMaster'),
  notify_backup: h.script('notifyBackup'),
  notify_fault: h.script('notifyFault'),
  notify_stop: h.script('notifyStop'),
  notify: h.script('notify'),
});

const garpExtraIf: Handler = (n, t, c, p) => {
  noBlock(n, c);
  const all = n.args[0]?.text === 'all';
  const s = arg(n, c, 'seconds 0..86400', all ? 1 : 0);
  if (!s) return;
  maxArgs(n, all ? 2 : 1, c);
  const interval = readNumToken(s, n.keyword.text, 0, 86400, c);
  if (interval !== undefined) put(t, 'garpExtraIf', { all, interval }, n, c, p);
};

/** `use_vmac [[name] IF] [MAC] [netlink_notify_msg] [group G]` and the ipvlan variant. */
function linkOptions(field: 'useVmac' | 'useIpvlan'): Handler {
  return (n, t, c, p) => {
    noBlock(n, c);
    const v: Obj = {};
    const a = n.args;
    for (let i = 0; i < a.length; i++) {
      const w = a[i]!.text;
      if (w === 'group') {
        v.group = a[i + 1]?.text;
        i++;
      } else if (w === 'name') {
        v.name = a[i + 1]?.text;
        i++;
      } else if (field === 'useVmac' && w === 'netlink_notify_msg') v.netlinkNotifyMsg = true;
      else if (field === 'useVmac' && /^([0-9a-fA-F]{1,2}:){4,5}[0-9a-fA-F]{1,2}$/.test(w)) v.mac = w;
      else if (field === 'useIpvlan' && (w === 'bridge' || w === 'private' || w === 'vepa')) v.mode = w;
      else if (field === 'useIpvlan' && /[.:]/.test(w)) v.address = w;
      else if (v.name === undefined) v.name = w;
      else {
        c.error(a[i]!, n.keyword.text, `unexpected '${w}'`, {
          expected:
            field === 'useVmac'
              ? '[[name] IF] [MAC] [netlink_notify_msg] [group G]'
              : '[[name] IF] [IP] [bridge|private|vepa] [group G]',
        });
      }
    }
    put(t, field, v, n, c, p);
  };
}

export const vrrpInstanceTable: KeywordTable = {
  state: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, 'MASTER or BACKUP');
    if (!a) return;
    maxArgs(n, 1, c);
    put(t, 'state', readEnumToken(a, 'state', vrrpStates, c), n, c, p);
  },
  interface: h.str('interface', 'an interface name'),
  vrf: h.str('vrf', 'a VRF interface name'),
  virtual_router_id: h.int('virtualRouterId', 1, 255),
  priority: h.int('priority', 1, 255),
  advert_int: h.secs('advertInt', 0.01, 255),
  version: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, '2 or 3');
    if (!a) return;
    maxArgs(n, 1, c);
    const v = readEnumToken(a, 'version', ['2', '3'], c);
    if (v !== undefined) put(t, 'version', Number(v), n, c, p);
  },
  nopreempt: h.bare('nopreempt', true),
  preempt: h.bare('nopreempt', false),
  preempt_delay: h.secs('preemptDelay', 0, 1000),
  down_timer_adverts: h.int('downTimerAdverts', 1, 100),
  timer_expired_backup: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    const a = n.args[0];
    if (!a) return put(t, 'timerExpiredBackup', {}, n, c, p);
    const v = readIntToken(a, 'timer_expired_backup', 1, 254, c);
    if (v !== undefined) put(t, 'timerExpiredBackup', { priority: v }, n, c, p);
  },
  mcast_src_ip: h.ip('mcastSrcIp'),
  unicast_src_ip: h.ip('unicastSrcIp'),
  unicast_peer: (n, t, c, _p) => {
    maxArgs(n, 0, c);
    const list = ((t.unicastPeers as Obj[] | undefined) ??= []);
    c.mark(t, 'unicastPeers', n.keyword);
    for (const line of block(n, c)) {
      const ip = readIpToken(line.keyword, 'unicast_peer', c);
      const peer: Obj = { address: ip };
      c.mark(list, list.length, line.keyword);
      let ok = ip !== undefined;
      for (let i = 0; i < line.args.length; i += 2) {
        const o = line.args[i]!;
        const key = readEnumToken(o, 'unicast_peer option', ['min_ttl', 'max_ttl'], c);
        const v = line.args[i + 1];
        if (!key || !v) {
          if (key) c.error(o, 'unicast_peer', `'${o.text}' needs a value`, { expected: 'an integer 0..255' });
          ok = false;
          break;
        }
        const num = readIntToken(v, o.text, 0, 255, c);
        if (num === undefined) ok = false;
        peer[key === 'min_ttl' ? 'minTtl' : 'maxTtl'] = num;
      }
      if (ok) list.push(peer);
    }
  },
  unicast_ttl: h.int('unicastTtl', 0, 255),
  unicast_fault_no_peer: h.bare('unicastFaultNoPeer'),
  check_unicast_src: h.bare('checkUnicastSrc'),
  mcast_dst_ip: h.ip('mcastDstIp'),
  track_src_ip: h.bare('trackSrcIp'),
  old_unicast_checksum: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    const a = n.args[0];
    put(t, 'oldUnicastChecksum', a ? readEnumToken(a, n.keyword.text, ['never'], c) : 'always', n, c, p);
  },
  v3_checksum_as_v2: h.flag('v3ChecksumAsV2'),
  authentication: (n, t, c, p) => {
    maxArgs(n, 0, c);
    const auth: Obj = {};
    walk(
      block(n, c),
      {
        auth_type: h.enumOf('type', ['PASS', 'AH'] as const),
        auth_pass: (n2, t2, c2, p2) => {
          noBlock(n2, c2);
          const a = arg(n2, c2, 'a password');
          if (!a) return;
          maxArgs(n2, 1, c2);
          put(t2, 'password', a.text, n2, c2, p2);
        },
      },
      auth,
      c,
      `${p}.authentication`,
      'authentication',
    );
    if (auth.type === undefined) {
      c.diags.error(n.keyword, {
        code: 'missing-required',
        keyword: 'auth_type',
        message: 'authentication block without auth_type',
        expected: 'auth_type PASS or AH',
      });
      return;
    }
    if (auth.password === undefined) auth.password = '';
    put(t, 'authentication', auth, n, c, p);
  },
  virtual_ipaddress: (n, t, c, p) =>
    put(t, 'virtualIpaddress', readIpBlock(n, c, `${p}.virtualIpaddress`), n, c, p),
  virtual_ipaddress_excluded: (n, t, c, p) =>
    put(t, 'virtualIpaddressExcluded', readIpBlock(n, c, `${p}.virtualIpaddressExcluded`), n, c, p),
  no_virtual_ipaddress: h.bare('noVirtualIpaddress'),
  promote_secondaries: h.bare('promoteSecondaries'),
  virtual_routes: (n, t, c, p) =>
    put(t, 'virtualRoutes', readRouteBlock(n, c, `${p}.virtualRoutes`), n, c, p),
  virtual_rules: (n, t, c, p) => put(t, 'virtualRules', readRouteBlock(n, c, `${p}.virtualRules`), n, c, p),
  accept: h.bare('accept', true),
  no_accept: h.bare('accept', false),
  use_vmac: linkOptions('useVmac'),
  use_vmac_addr: h.bare('useVmacAddr'),
  vmac_xmit_base: h.bare('vmacXmitBase'),
  use_ipvlan: linkOptions('useIpvlan'),
  dont_track_primary: h.bare('dontTrackPrimary'),
  ...trackTable(),
  garp_master_delay: h.secs('garpMasterDelay'),
  garp_master_repeat: h.int('garpMasterRepeat', 0, 2 ** 31 - 1),
  garp_master_refresh: h.secs('garpMasterRefresh'),
  garp_master_refresh_repeat: h.int('garpMasterRefreshRepeat', 0, 2 ** 31 - 1),
  garp_lower_prio_delay: h.secs('garpLowerPrioDelay'),
  garp_lower_prio_repeat: h.int('garpLowerPrioRepeat', 0, 2 ** 31 - 1),
  garp_extra_if: garpExtraIf,
  vmac_garp_intvl: deprecated(garpExtraIf, 'garp_extra_if'),
  lower_prio_no_advert: h.flag('lowerPrioNoAdvert'),
  higher_prio_send_advert: h.flag('higherPrioSendAdvert'),
  owner_ignore_adverts: h.flag('ownerIgnoreAdverts'),
  skip_check_adv_addr: h.flag('skipCheckAdvAddr'),
  strict_mode: h.flag('strictMode'),
  ...notifyTable(),
  notify_deleted: (n, t, c, p) => {
    noBlock(n, c);
    put(t, 'notifyDeleted', n.args[0] ? { script: readScript(n, c) } : {}, n, c, p);
  },
  notify_master_rx_lower_pri: h.script('notifyMasterRxLowerPri'),
  notify_priority_changes: h.flag('notifyPriorityChanges'),
  smtp_alert: h.flag('smtpAlert'),
  kernel_rx_buf_size: h.int('kernelRxBufSize', 0, 2 ** 31 - 1),
  linkbeat_use_polling: deprecated(h.bare('linkbeatUsePolling'), 'global linkbeat_use_polling'),
  native_ipv6: deprecated(h.bare('nativeIpv6'), 'version 3 with IPv6 addresses'),
  debug: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    put(t, 'debug', n.args[0] ? readIntToken(n.args[0], 'debug', 0, 4, c) : 1, n, c, p);
  },
  lvs_sync_daemon_interface: deprecated(h.str('lvsSyncDaemonInterface'), 'global lvs_sync_daemon'),
};

export const vrrpSyncGroupTable: KeywordTable = {
  group: (n, t, c, _p) => {
    maxArgs(n, 0, c);
    const list = ((t.group as string[] | undefined) ??= []);
    c.mark(t, 'group', n.keyword);
    for (const w of words(block(n, c))) {
      c.mark(list, list.length, w);
      list.push(w.text);
    }
  },
  ...trackTable(),
  ...notifyTable(),
  smtp_alert: h.flag('smtpAlert'),
  notify_priority_changes: h.flag('notifyPriorityChanges'),
  sync_group_tracking_weight: h.bare('syncGroupTrackingWeight'),
  global_tracking: deprecated(h.bare('syncGroupTrackingWeight'), 'sync_group_tracking_weight'),
};

const weightWithReverse =
  (min: number, max: number): Handler =>
  (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, `an integer ${min}..${max} [reverse]`);
    if (!a) return;
    maxArgs(n, 2, c);
    put(t, 'weight', readIntToken(a, 'weight', min, max, c), n, c, p);
    const r = n.args[1];
    if (r) {
      const v = readEnumToken(r, 'weight option', ['reverse', 'noreverse'], c);
      if (v) t.reverse = v === 'reverse';
    }
  };

export const vrrpScriptTable: KeywordTable = {
  script: h.script('script', false),
  interval: h.secs('interval', 0.000001, 4294967),
  timeout: h.secs('timeout', 0.000001, 4294967),
  weight: weightWithReverse(-253, 253),
  rise: h.int('rise', 1, 2 ** 31 - 1),
  fall: h.int('fall', 1, 2 ** 31 - 1),
  user: h.runAs('user'),
  init_fail: h.bare('initFail'),
};

export const trackFileTable: KeywordTable = {
  file: h.str('file', 'a path'),
  weight: weightWithReverse(-254, 254),
  init_file: (n, t, c, p) => {
    noBlock(n, c);
    const v: Obj = {};
    for (const a of n.args) {
      if (a.text === 'overwrite') v.overwrite = true;
      else {
        const num = readIntToken(a, 'init_file', -(2 ** 31), 2 ** 31 - 1, c);
        if (num !== undefined) v.value = num;
      }
    }
    put(t, 'initFile', v, n, c, p);
  },
};

export const trackProcessTable: KeywordTable = {
  process: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, 'a process name [parameters…]');
    if (!a) return;
    put(t, 'process', a.text, n, c, p);
    t.parameters = n.args.slice(1).map((x) => x.text);
  },
  param_match: h.enumOf('paramMatch', ['initial', 'partial'] as const),
  full_command: h.bare('fullCommand'),
  weight: weightWithReverse(-254, 254),
  quorum: h.int('quorum', 0, 2 ** 31 - 1),
  quorum_max: h.int('quorumMax', 0, 2 ** 31 - 1),
  fork_delay: h.secs('forkDelay'),
  terminate_delay: h.secs('terminateDelay'),
  delay: (n, t, c, p) => {
    const v = readNumToken(n.args[0] ?? n.keyword, 'delay', 0, 4294967, c);
    maxArgs(n, 1, c);
    put(t, 'forkDelay', v, n, c, p);
    put(t, 'terminateDelay', v, n, c, p);
  },
};

const neighborIp = h.ip('neighborIp');
export const bfdInstanceTable: KeywordTable = {
  neighbor_ip: neighborIp,
  neighbour_ip: neighborIp,
  source_ip: h.ip('sourceIp'),
  min_rx: h.int('minRx', 1, 1000 * 1000),
  min_tx: h.int('minTx', 1, 1000 * 1000),
  idle_tx: h.int('idleTx', 1, 1000 * 1000),
  multiplier: h.int('multiplier', 1, 255),
  passive: h.bare('passive'),
  ttl: h.int('ttl', 1, 255),
  hoplimit: h.int('hoplimit', 1, 255),
  max_hops: h.int('maxHops', 0, 255),
  multihop: h.flag('multihop'),
  weight: weightWithReverse(-253, 253),
  vrrp: h.bare('notify', 'vrrp'),
  checker: h.bare('notify', 'checker'),
};

export const garpGroupTable: KeywordTable = {
  garp_interval: h.secs('garpInterval'),
  gna_interval: h.secs('gnaInterval'),
  interface: (n, t, c, _p) => {
    noBlock(n, c);
    const a = arg(n, c, 'an interface name');
    if (!a) return;
    t.interfaces = [...((t.interfaces as string[] | undefined) ?? []), a.text];
    c.mark(t, 'interfaces', a);
  },
  interfaces: (n, t, c, _p) => {
    const list = words(block(n, c)).map((w) => w.text);
    t.interfaces = [...((t.interfaces as string[] | undefined) ?? []), ...list];
    c.mark(t, 'interfaces', n.keyword);
  },
};

/** A named block: `vrrp_instance NAME { … }`; returns the name token or undefined after reporting. */
export function blockName(node: Node, ctx: Ctx, what: string): string | undefined {
  const a = node.args[0];
  if (!a) {
    ctx.diags.error(node.keyword, {
      code: 'missing-value',
      keyword: node.keyword.text,
      message: `${node.keyword.text} needs a name`,
      expected: `${node.keyword.text} NAME {`,
    });
    return undefined;
  }
  maxArgs(node, 1, ctx, what);
  return a.text;
}
