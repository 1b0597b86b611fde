/** `global_defs { … }` (reference keepalived.md §1.1 and the global LVS keywords of §2.4). */
import type { Node } from '../parser.ts';
import {
  arg,
  block,
  deprecated,
  h,
  maxArgs,
  noBlock,
  put,
  readEnumToken,
  readFlag,
  readIntToken,
  readNumToken,
  walk,
  words,
  type Ctx,
  type Handler,
  type KeywordTable,
  type Obj,
} from './context.ts';

const fifo =
  (field: string): Handler =>
  (n, t, c, p) => {
    noBlock(n, c);
    const path = arg(n, c, 'a FIFO path');
    if (!path) return;
    maxArgs(n, 3, c);
    const v: Obj = { path: path.text };
    if (n.args[1]) v.user = n.args[1].text;
    if (n.args[2]) v.group = n.args[2].text;
    put(t, field, v, n, c, p);
  };

/** `vrrp_priority`, `checker_rt_priority`, … write into the `vrrpProcess`/`checkerProcess`/`bfdProcess` object. */
function tuning(proc: 'vrrpProcess' | 'checkerProcess' | 'bfdProcess'): KeywordTable {
  const prefix = proc.replace('Process', '');
  const sub =
    (field: string, read: (n: Node, c: Ctx) => unknown): Handler =>
    (n, t, c, p) => {
      const obj = (t[proc] ??= {}) as Obj;
      put(obj, field, read(n, c), n, c, `${p}.${proc}`);
    };
  const int = (min: number, max: number) => (n: Node, c: Ctx) => {
    noBlock(n, c);
    const a = arg(n, c, `an integer ${min}..${max}`);
    maxArgs(n, 1, c);
    return a ? readIntToken(a, n.keyword.text, min, max, c) : undefined;
  };
  const rttime = sub('rlimitRttime', int(0, 2 ** 31 - 1));
  return {
    [`${prefix}_priority`]: sub('priority', int(-20, 19)),
    [`${prefix}_rt_priority`]: sub('rtPriority', int(1, 99)),
    [`${prefix}_rlimit_rttime`]: rttime,
    [`${prefix}_rlimit_rtime`]: deprecated(rttime, `${prefix}_rlimit_rttime`),
    [`${prefix}_no_swap`]: sub('noSwap', (n, c) => readFlag(n, c)),
    [`${prefix}_cpu_affinity`]: sub('cpuAffinity', (n, c) => {
      noBlock(n, c);
      const cpus = n.args.map((a) => readIntToken(a, n.keyword.text, 0, 4095, c));
      return cpus.every((x) => x !== undefined) ? cpus : undefined;
    }),
  };
}

const rcvBufs = (name: string): KeywordTable => ({
  [name]: (n, t, c, _p) => {
    const v = readInt(n, c);
    if (v === undefined) return;
    const map = (t.netlinkRcvBufs ??= {}) as Record<string, Obj>;
    const key = name.replace(/_rcv_bufs$/, '');
    map[key] = { ...(map[key] ?? { force: false }), size: v };
    c.mark(map, key, n.keyword);
  },
  [`${name}_force`]: (n, t, c) => {
    const v = readFlag(n, c);
    if (v === undefined) return;
    const map = (t.netlinkRcvBufs ??= {}) as Record<string, Obj>;
    const key = name.replace(/_rcv_bufs$/, '');
    map[key] = { ...(map[key] ?? { size: 0 }), force: v };
  },
});

function readInt(n: Node, c: Ctx): number | undefined {
  noBlock(n, c);
  const a = arg(n, c, 'an integer');
  maxArgs(n, 1, c);
  return a ? readIntToken(a, n.keyword.text, 0, 2 ** 31 - 1, c) : undefined;
}

const garpExtraIf: Handler = (n, t, c, p) => {
  noBlock(n, c);
  let i = 0;
  let all = false;
  if (n.args[0]?.text === 'all') {
    all = true;
    i = 1;
  }
  const s = arg(n, c, 'seconds 0..86400', i);
  if (!s) return;
  maxArgs(n, i + 1, c);
  const interval = readNumToken(s, n.keyword.text, 0, 86400, c);
  if (interval !== undefined) put(t, 'vrrpGarpExtraIf', { all, interval }, n, c, p);
};

/**
 * vrrp_garp_interval / vrrp_gna_interval: keepalived's range starts at 0.000001 s, so it reports 0 as
 * invalid (a configuration error for keepalived -t) and keeps no interval, which is what 0 means here.
 */
const positiveSecs =
  (keyword: string, field: string): Handler =>
  (n, t, c, p) => {
    if (n.args.length === 1 && Number(n.args[0]?.text) === 0) {
      c.warn(
        n.args[0] ?? n.keyword,
        keyword,
        "'0' is below keepalived's minimum of 0.000001 s; it keeps no interval",
        'ignored',
        true,
      );
      return;
    }
    h.secs(field, 0, 4294.967295)(n, t, c, p);
  };

export const globalDefsTable: KeywordTable = {
  router_id: h.str('routerId', 'a router id'),
  instance: h.str('instance'),
  net_namespace: h.str('netNamespace', 'a network namespace name'),
  net_namespace_ipvs: h.str('netNamespaceIpvs', 'a network namespace name'),
  use_pid_dir: h.flag('usePidDir'),
  notification_email: (n, t, c, p) => {
    maxArgs(n, 0, c);
    const list = words(block(n, c)).map((w) => w.text);
    put(t, 'notificationEmail', [...((t.notificationEmail as string[] | undefined) ?? []), ...list], n, c, p);
  },
  notification_email_from: h.str('notificationEmailFrom', 'an email address'),
  smtp_server: (n, t, c, p) => {
    noBlock(n, c);
    const host = arg(n, c, 'an address or host name [port]');
    if (!host) return;
    maxArgs(n, 2, c);
    const port = n.args[1] ? readIntToken(n.args[1], 'smtp_server port', 1, 65535, c) : 25;
    if (port !== undefined) put(t, 'smtpServer', { host: host.text, port }, n, c, p);
  },
  smtp_helo_name: h.str('smtpHeloName'),
  smtp_connect_timeout: h.secs('smtpConnectTimeout'),
  smtp_alert: h.flag('smtpAlert'),
  smtp_alert_vrrp: h.flag('smtpAlertVrrp'),
  smtp_alert_checker: h.flag('smtpAlertChecker'),
  no_email_faults: h.bare('noEmailFaults'),
  vrrp_version: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, '2 or 3');
    if (!a) return;
    maxArgs(n, 1, c);
    const v = readEnumToken(a, 'vrrp_version', ['2', '3'], c);
    if (v !== undefined) put(t, 'vrrpVersion', Number(v), n, c, p);
  },
  vrrp_mcast_group4: h.ip('vrrpMcastGroup4'),
  vrrp_mcast_group6: h.ip('vrrpMcastGroup6'),
  default_interface: h.str('defaultInterface', 'an interface name'),
  vrrp_garp_master_delay: h.secs('vrrpGarpMasterDelay'),
  vrrp_garp_master_repeat: h.int('vrrpGarpMasterRepeat', 0, 2 ** 31 - 1),
  vrrp_garp_master_refresh: h.secs('vrrpGarpMasterRefresh'),
  vrrp_garp_master_refresh_repeat: h.int('vrrpGarpMasterRefreshRepeat', 0, 2 ** 31 - 1),
  vrrp_garp_lower_prio_delay: h.secs('vrrpGarpLowerPrioDelay'),
  vrrp_garp_lower_prio_repeat: h.int('vrrpGarpLowerPrioRepeat', 0, 2 ** 31 - 1),
  vrrp_garp_interval: positiveSecs('vrrp_garp_interval', 'vrrpGarpInterval'),
  vrrp_gna_interval: positiveSecs('vrrp_gna_interval', 'vrrpGnaInterval'),

  vrrp_min_garp: h.flag('vrrpMinGarp'),
  vrrp_garp_extra_if: garpExtraIf,
  vrrp_vmac_garp_intvl: deprecated(garpExtraIf, 'vrrp_garp_extra_if'),
  vrrp_down_timer_adverts: h.int('vrrpDownTimerAdverts', 1, 100),
  vrrp_lower_prio_no_advert: h.flag('vrrpLowerPrioNoAdvert'),
  vrrp_higher_prio_send_advert: h.flag('vrrpHigherPrioSendAdvert'),
  vrrp_owner_ignore_adverts: h.flag('vrrpOwnerIgnoreAdverts'),
  vrrp_strict: h.bare('vrrpStrict'),
  vrrp_check_unicast_src: h.bare('vrrpCheckUnicastSrc'),
  vrrp_skip_check_adv_addr: h.flag('vrrpSkipCheckAdvAddr'),
  v3_checksum_as_v2: h.flag('v3ChecksumAsV2'),
  vrrp_startup_delay: h.secs('vrrpStartupDelay'),
  vrrp_delay_after_boot: h.secs('vrrpDelayAfterBoot'),
  vrrp_notify_priority_changes: h.flag('vrrpNotifyPriorityChanges'),
  log_unknown_vrids: h.flag('logUnknownVrids'),
  dynamic_interfaces: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    const a = n.args[0];
    const v = a ? readEnumToken(a, 'dynamic_interfaces', ['allow_if_changes'], c) : 'on';
    put(t, 'dynamicInterfaces', v, n, c, p);
  },
  vmac_prefix: h.str('vmacPrefix'),
  vmac_addr_prefix: h.str('vmacAddrPrefix'),
  vrrp_rx_bufs_policy: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, 'MTU, ADVERT or a size');
    if (!a) return;
    maxArgs(n, 1, c);
    const v = /^\d+$/.test(a.text)
      ? readIntToken(a, n.keyword.text, 1, 2 ** 31 - 1, c)
      : readEnumToken(a, n.keyword.text, ['MTU', 'ADVERT'], c);
    put(t, 'vrrpRxBufsPolicy', v, n, c, p);
  },
  vrrp_rx_bufs_multiplier: h.int('vrrpRxBufsMultiplier', 1, 2 ** 31 - 1),
  vrrp_iptables: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 2, c);
    const v: Obj = {};
    if (n.args[0]) v.in = n.args[0].text;
    if (n.args[1]) v.out = n.args[1].text;
    put(t, 'vrrpIptables', v, n, c, p);
  },
  vrrp_ipsets: (n, t, c, p) => {
    noBlock(n, c);
    put(
      t,
      'vrrpIpsets',
      n.args.map((a) => a.text),
      n,
      c,
      p,
    );
  },
  nftables: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    put(t, 'nftables', n.args[0] ? { table: n.args[0].text } : {}, n, c, p);
  },
  nftables_priority: h.int('nftablesPriority', -(2 ** 31), 2 ** 31 - 1),
  nftables_counters: h.bare('nftablesCounters'),
  nftables_ifindex: h.flag('nftablesIfindex'),
  notify_fifo: fifo('notifyFifo'),
  notify_fifo_script: h.script('notifyFifoScript'),
  vrrp_notify_fifo: fifo('vrrpNotifyFifo'),
  vrrp_notify_fifo_script: h.script('vrrpNotifyFifoScript'),
  lvs_notify_fifo: fifo('lvsNotifyFifo'),
  lvs_notify_fifo_script: h.script('lvsNotifyFifoScript'),
  fifo_write_vrrp_states_on_reload: h.bare('fifoWriteVrrpStatesOnReload'),
  script_user: h.runAs('scriptUser'),
  enable_script_security: h.bare('enableScriptSecurity'),
  startup_script: h.script('startupScript'),
  startup_script_timeout: h.secs('startupScriptTimeout', 1, 1000),
  shutdown_script: h.script('shutdownScript'),
  shutdown_script_timeout: h.secs('shutdownScriptTimeout', 1, 1000),
  max_auto_priority: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    const a = n.args[0];
    put(t, 'maxAutoPriority', a ? readIntToken(a, n.keyword.text, -1, 99, c) : 99, n, c, p);
  },
  min_auto_priority_delay: h.int('minAutoPriorityDelay', 0, 2 ** 31 - 1),
  ...tuning('vrrpProcess'),
  ...tuning('checkerProcess'),
  ...tuning('bfdProcess'),
  ...rcvBufs('vrrp_netlink_cmd_rcv_bufs'),
  ...rcvBufs('vrrp_netlink_monitor_rcv_bufs'),
  ...rcvBufs('lvs_netlink_cmd_rcv_bufs'),
  ...rcvBufs('lvs_netlink_monitor_rcv_bufs'),
  ...rcvBufs('process_monitor_rcv_bufs'),
  child_wait_time: h.secs('childWaitTime'),
  process_names: h.bare('processNames'),
  umask: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, 'an octal mode such as 0077');
    if (!a) return;
    maxArgs(n, 1, c);
    if (!/^0?[0-7]{1,3}$/.test(a.text)) {
      c.error(a, 'umask', `'${a.text}' is not an octal umask`, { expected: 'an octal mode such as 0077' });
      return;
    }
    put(t, 'umask', parseInt(a.text, 8), n, c, p);
  },
  random_seed: h.int('randomSeed', 0, 2 ** 32 - 1),
  linkbeat_use_polling: h.bare('linkbeatUsePolling'),
  reload_check_config: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    put(t, 'reloadCheckConfig', n.args[0] ? { logFile: n.args[0].text } : {}, n, c, p);
  },
  reload_time_file: h.str('reloadTimeFile', 'a path'),
  reload_repeat: h.bare('reloadRepeat'),
  reload_file: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    put(t, 'reloadFile', n.args[0]?.text ?? '/run/keepalived/keepalived.reload', n, c, p);
  },
  config_save_dir: h.str('configSaveDir', 'a directory'),
  tmp_config_directory: h.str('tmpConfigDirectory', 'a directory'),
  include_check: (n, t, c, p) => {
    noBlock(n, c);
    put(
      t,
      'includeCheck',
      n.args.map((a) => a.text),
      n,
      c,
      p,
    );
  },
  data_use_instance: h.bare('dataUseInstance'),
  json_version: (n, t, c, p) => {
    noBlock(n, c);
    const a = arg(n, c, '1 or 2');
    if (!a) return;
    maxArgs(n, 1, c);
    const v = readEnumToken(a, 'json_version', ['1', '2'], c);
    if (v !== undefined) put(t, 'jsonVersion', Number(v), n, c, p);
  },
  state_dump_file: h.str('stateDumpFile', 'a path'),
  stats_dump_file: h.str('statsDumpFile', 'a path'),
  json_dump_file: h.str('jsonDumpFile', 'a path'),
  enable_dbus: h.bare('enableDbus'),
  dbus_service_name: h.str('dbusServiceName'),
  dbus_no_interface_name: h.bare('dbusNoInterfaceName'),
  snmp_socket: h.str('snmpSocket', 'an AgentX socket'),
  enable_snmp_vrrp: h.bare('enableSnmpVrrp'),
  enable_snmp_keepalived: deprecated(h.bare('enableSnmpVrrp'), 'enable_snmp_vrrp'),
  enable_snmp_checker: h.bare('enableSnmpChecker'),
  enable_snmp_rfc: h.bare('enableSnmpRfc'),
  enable_snmp_rfcv2: h.bare('enableSnmpRfcv2'),
  enable_snmp_rfcv3: h.bare('enableSnmpRfcv3'),
  enable_traps: h.bare('enableTraps'),
  snmp_vs_stats_update_interval: h.secs('snmpVsStatsUpdateInterval'),
  snmp_rs_stats_update_interval: h.secs('snmpRsStatsUpdateInterval'),
  lvs_sync_daemon: (n, t, c, p) => {
    noBlock(n, c);
    const ifName = arg(n, c, 'INTERFACE VRRP_INSTANCE [id N] [maxlen N] [port N] [ttl N] [group IP]');
    const inst = arg(n, c, 'the VRRP instance the sync daemon follows', 1);
    if (!ifName || !inst) return;
    const v: Obj = { interface: ifName.text, vrrpInstance: inst.text };
    c.mark(v, 'vrrpInstance', inst);
    const opts: Record<string, [string, number, number]> = {
      id: ['syncId', 0, 255],
      maxlen: ['maxlen', 1, 65535 - 28],
      port: ['port', 1, 65535],
      ttl: ['ttl', 1, 255],
    };
    for (let i = 2; i < n.args.length; i++) {
      const o = n.args[i]!;
      const val = n.args[i + 1];
      if (o.text === 'group') {
        if (val) v.group = val.text;
        i++;
        continue;
      }
      const spec = opts[o.text];
      if (!spec) {
        readEnumToken(o, 'lvs_sync_daemon option', ['id', 'maxlen', 'port', 'ttl', 'group'], c);
        continue;
      }
      if (!val) {
        c.error(o, n.keyword.text, `'${o.text}' needs a value`, {
          expected: `an integer ${spec[1]}..${spec[2]}`,
        });
        continue;
      }
      const num = readIntToken(val, `lvs_sync_daemon ${o.text}`, spec[1], spec[2], c);
      if (num !== undefined) v[spec[0]] = num;
      i++;
    }
    put(t, 'lvsSyncDaemon', v, n, c, p);
  },
  lvs_timeouts: (n, t, c, p) => {
    noBlock(n, c);
    const v: Obj = {};
    for (let i = 0; i < n.args.length; i += 2) {
      const k = n.args[i]!;
      const key = readEnumToken(k, 'lvs_timeouts', ['tcp', 'tcpfin', 'udp'], c);
      const val = n.args[i + 1];
      if (!val) {
        c.error(k, 'lvs_timeouts', `'${k.text}' needs a value`, { expected: 'seconds' });
        break;
      }
      const num = readNumToken(val, `lvs_timeouts ${k.text}`, 0, 86400 * 31, c);
      if (key && num !== undefined) v[key] = num;
    }
    put(t, 'lvsTimeouts', v, n, c, p);
  },
  lvs_flush: (n, t, c, p) => {
    // keepalived takes no value here and ignores one; `lvs_flush 0` (seen in the seed guides) still flushes.
    noBlock(n, c);
    const extra = n.args[0];
    if (extra) {
      c.warn(
        extra,
        'lvs_flush',
        `'lvs_flush' takes no value; keepalived ignores '${extra.text}' and flushes the IPVS table at start`,
        'ignored',
      );
    }
    put(t, 'lvsFlush', true, n, c, p);
  },
  lvs_flush_on_stop: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    const a = n.args[0];
    put(t, 'lvsFlushOnStop', a ? readEnumToken(a, n.keyword.text, ['VS'], c) && 'vs' : 'all', n, c, p);
  },
  lvs_flush_onstop: deprecated((n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    const a = n.args[0];
    put(t, 'lvsFlushOnStop', a ? readEnumToken(a, n.keyword.text, ['VS'], c) && 'vs' : 'all', n, c, p);
  }, 'lvs_flush_on_stop'),
  nftables_ipvs: (n, t, c, p) => {
    noBlock(n, c);
    maxArgs(n, 1, c);
    put(t, 'nftablesIpvs', n.args[0] ? { table: n.args[0].text } : {}, n, c, p);
  },
  nftables_ipvs_priority: h.int('nftablesIpvsPriority', -(2 ** 31), 2 ** 31 - 1),
  nftables_ipvs_start_fwmark: h.int('nftablesIpvsStartFwmark', 1, 2 ** 32 - 1),
  rs_init_notifies: h.bare('rsInitNotifies'),
  no_checker_emails: h.bare('noCheckerEmails'),
  checker_log_all_failures: h.flag('checkerLogAllFailures'),
};

export function translateGlobalDefs(node: Node, target: Obj, ctx: Ctx): void {
  maxArgs(node, 0, ctx);
  walk(block(node, ctx), globalDefsTable, target, ctx, 'globalDefs', 'global_defs');
}
