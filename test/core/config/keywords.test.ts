// One configuration that writes (almost) every keyword of reference keepalived.md §1-§3, checked against
// the model: a handler that reads the wrong field or drops a value fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kp, mustLoad } from './helpers.ts';

const text = `
global_defs {
  router_id r1
  notification_email {
    a@x
    b@x
  }
  notification_email_from k@x
  smtp_server 10.9.9.9 2525
  smtp_helo_name helo.x
  smtp_connect_timeout 12
  smtp_alert off
  smtp_alert_vrrp on
  smtp_alert_checker no
  no_email_faults
  vrrp_version 3
  vrrp_mcast_group4 224.0.0.19
  vrrp_mcast_group6 ff02::13
  default_interface bond0
  vrrp_garp_master_delay 2
  vrrp_garp_master_repeat 3
  vrrp_garp_master_refresh 60
  vrrp_garp_master_refresh_repeat 2
  vrrp_garp_lower_prio_delay 1
  vrrp_garp_lower_prio_repeat 4
  vrrp_garp_interval 0.001
  vrrp_gna_interval 0.002
  vrrp_min_garp true
  vrrp_garp_extra_if all 120
  vrrp_down_timer_adverts 4
  vrrp_lower_prio_no_advert
  vrrp_higher_prio_send_advert yes
  vrrp_owner_ignore_adverts
  vrrp_check_unicast_src
  vrrp_skip_check_adv_addr
  v3_checksum_as_v2
  vrrp_iptables IN OUT
  nftables kt
  nftables_priority -5
  nftables_counters
  nftables_ifindex
  vrrp_startup_delay 5.5
  dynamic_interfaces allow_if_changes
  vmac_prefix vm
  vmac_addr_prefix va
  vrrp_notify_priority_changes true
  notify_fifo /run/f root
  notify_fifo_script "/bin/fifo reader"
  vrrp_notify_fifo /run/vf
  lvs_notify_fifo /run/lf
  fifo_write_vrrp_states_on_reload
  script_user ks ksg
  enable_script_security
  startup_script /bin/up
  startup_script_timeout 20
  shutdown_script /bin/down
  max_auto_priority 50
  min_auto_priority_delay 2000000
  vrrp_priority -5
  vrrp_rt_priority 20
  vrrp_rlimit_rtime 5000
  vrrp_no_swap
  vrrp_cpu_affinity 0 1
  checker_priority 3
  bfd_rt_priority 10
  vrrp_rx_bufs_policy MTU
  vrrp_rx_bufs_multiplier 4
  vrrp_netlink_cmd_rcv_bufs 1048576
  vrrp_netlink_cmd_rcv_bufs_force
  log_unknown_vrids
  reload_check_config /tmp/rc.log
  reload_time_file /run/rt
  reload_repeat
  config_save_dir /var/lib/ka
  include_check
  data_use_instance
  json_version 2
  state_dump_file /tmp/s
  stats_dump_file /tmp/t
  json_dump_file /tmp/j
  enable_dbus
  dbus_service_name org.x
  snmp_socket tcp:localhost:705
  enable_snmp_vrrp
  enable_snmp_checker
  enable_snmp_rfcv3
  enable_traps
  net_namespace ns1
  instance i1
  use_pid_dir
  child_wait_time 7
  process_names
  umask 0077
  random_seed 42
  lvs_sync_daemon eth1 VI_1 id 5 maxlen 1400 port 8849 ttl 3 group 224.0.0.82
  lvs_timeouts tcp 900 tcpfin 120 udp 300
  lvs_flush
  lvs_flush_on_stop VS
  nftables_ipvs ki
  nftables_ipvs_priority -3
  nftables_ipvs_start_fwmark 2000
  rs_init_notifies
  no_checker_emails
  checker_log_all_failures
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 5
  priority 200
  advert_int 0.5
  nopreempt
  preempt_delay 10
  down_timer_adverts 5
  mcast_src_ip 10.0.0.2
  track_src_ip
  virtual_ipaddress {
    10.0.0.1/24 brd 10.0.0.255 dev eth0 scope global label eth0:1 home -nodad no_track preferred_lft forever
  }
  virtual_ipaddress_excluded {
    10.0.1.1 peer 10.0.1.2 autojoin mngtmpaddr
  }
  virtual_routes {
    10.2.0.0/16 via 10.0.0.254 dev eth0 no_track
  }
  virtual_rules {
    from 10.2.0.0/16 table 100
  }
  promote_secondaries
  no_accept
  use_vmac
  vmac_xmit_base
  dont_track_primary
  garp_master_refresh 30
  lower_prio_no_advert false
  higher_prio_send_advert
  skip_check_adv_addr off
  notify_master /bin/m
  notify_backup /bin/b
  notify_fault /bin/f
  notify_stop /bin/s
  notify_master_rx_lower_pri /bin/lp
  notify_priority_changes off
  smtp_alert
  kernel_rx_buf_size 65536
  debug 2
}
virtual_server fwmark 7 {
  lvs_sched mh
  mh-port
  ops
  lvs_method TUN type gue port 6080 csum
  persistence_timeout
  persistence_granularity 255.255.255.0
  persistence_engine sip
  ip_family inet6
  ha_suspend
  virtualhost www.x
  alpha
  omega
  quorum 2
  hysteresis 1
  quorum_up "/bin/qu 1"
  quorum_down /bin/qd
  sorry_server 2001:db8::99 80
  sorry_server_inhibit
  sorry_server_lvs_method DR
  weight 3
  inhibit_on_failure
  delay_loop 15
  connect_timeout 4
  retry 2
  delay_before_retry 6
  warmup 0
  smtp_alert on
  snmp_name fw7
  real_server 2001:db8::10 80 {
    weight 5
    uthreshold 100
    lthreshold 10
    inhibit_on_failure false
    notify_up /bin/up
    notify_down "/bin/down x" nobody
    alpha false
    smtp_alert off
    snmp_name rs10
    SSL_GET {
      url {
        path /a
        digest 0123456789ABCDEF0123456789abcdef
        status_code 200-204 301
        virtualhost v.x
        regex "ok|up"
        regex_no_match
        regex_options caseless
        regex_min_offset 1
        regex_max_offset 100
        regex_stack 1024 4096
      }
      http_protocol 1.1
      fast_recovery
      enable_sni
      tls_compliant
      bindto 2001:db8::1
      bind_if eth0
      bind_port 1000
      fwmark 9
      log_all_failures
    }
    UDP_CHECK {
      payload deadBEEF
      require_reply dEXX
      min_reply_length 2
      max_reply_length 64
    }
    DNS_CHECK {
      type AAAA
      name example.org
    }
    MISC_CHECK {
      misc_path "/bin/check 'a b'"
      misc_timeout 3
      misc_dynamic
      user nobody nogroup
    }
    FILE_CHECK {
      track_file tf
      dynamic
      weight -2 reverse
    }
    BFD_CHECK {
      name b1
      alpha
    }
  }
}
track_file tf {
  file /run/tf
}
bfd_instance b1 {
  neighbor_ip 2001:db8::10
  source_ip 2001:db8::1
  idle_tx 500
  multiplier 3
  passive
  ttl 10
  hoplimit 10
  max_hops 2
  multihop
  weight -20 reverse
  checker
}
track_group TG {
  group {
    VI_1
  }
}
interface_up_down_delays {
  eth0 2 5
}
linkbeat_interfaces {
  eth0 MII
  eth1
}
garp_group {
  garp_interval 0.01
  interfaces {
    eth0
    eth1
  }
}
static_ipaddress {
  192.168.0.1/24 dev eth1 track_group TG
}
static_routes {
  192.168.5.0/24 via 192.168.0.254
}
SSL {
  password pw
  ca /etc/ca.pem
  certificate /etc/c.pem
  key /etc/k.pem
}
`;

test('every global_defs keyword reaches its model field', () => {
  const { config } = mustLoad(kp(text));
  const g = config.globalDefs;
  assert.deepEqual(
    [
      g.routerId,
      g.notificationEmail,
      g.notificationEmailFrom,
      g.smtpServer,
      g.smtpHeloName,
      g.smtpConnectTimeout,
    ],
    ['r1', ['a@x', 'b@x'], 'k@x', { host: '10.9.9.9', port: 2525 }, 'helo.x', 12],
  );
  assert.deepEqual(
    [g.smtpAlert, g.smtpAlertVrrp, g.smtpAlertChecker, g.noEmailFaults],
    [false, true, false, true],
  );
  assert.deepEqual(
    [g.vrrpVersion, g.vrrpMcastGroup4, g.vrrpMcastGroup6, g.defaultInterface],
    [3, '224.0.0.19', 'ff02::13', 'bond0'],
  );
  assert.deepEqual(
    [
      g.vrrpGarpMasterDelay,
      g.vrrpGarpMasterRepeat,
      g.vrrpGarpMasterRefresh,
      g.vrrpGarpMasterRefreshRepeat,
      g.vrrpGarpLowerPrioDelay,
      g.vrrpGarpLowerPrioRepeat,
      g.vrrpGarpInterval,
      g.vrrpGnaInterval,
      g.vrrpMinGarp,
      g.vrrpGarpExtraIf,
    ],
    [2, 3, 60, 2, 1, 4, 0.001, 0.002, true, { all: true, interval: 120 }],
  );
  assert.deepEqual(
    [g.vrrpDownTimerAdverts, g.vrrpLowerPrioNoAdvert, g.vrrpHigherPrioSendAdvert, g.vrrpOwnerIgnoreAdverts],
    [4, true, true, true],
  );
  assert.deepEqual([g.vrrpCheckUnicastSrc, g.vrrpSkipCheckAdvAddr, g.v3ChecksumAsV2], [true, true, true]);
  assert.deepEqual(
    [g.vrrpIptables, g.nftables, g.nftablesPriority, g.nftablesCounters, g.nftablesIfindex],
    [{ in: 'IN', out: 'OUT' }, { table: 'kt' }, -5, true, true],
  );
  assert.deepEqual(
    [g.vrrpStartupDelay, g.dynamicInterfaces, g.vmacPrefix, g.vmacAddrPrefix, g.vrrpNotifyPriorityChanges],
    [5.5, 'allow_if_changes', 'vm', 'va', true],
  );
  assert.deepEqual(g.notifyFifo, { path: '/run/f', user: 'root' });
  assert.deepEqual(g.notifyFifoScript?.argv, ['/bin/fifo', 'reader']);
  assert.deepEqual(
    [g.vrrpNotifyFifo?.path, g.lvsNotifyFifo?.path, g.fifoWriteVrrpStatesOnReload],
    ['/run/vf', '/run/lf', true],
  );
  assert.deepEqual([g.scriptUser, g.enableScriptSecurity], [{ user: 'ks', group: 'ksg' }, true]);
  assert.deepEqual(
    [g.startupScript?.command, g.startupScriptTimeout, g.shutdownScript?.command, g.shutdownScriptTimeout],
    ['/bin/up', 20, '/bin/down', 10],
  );
  assert.deepEqual([g.maxAutoPriority, g.minAutoPriorityDelay], [50, 2000000]);
  assert.deepEqual(g.vrrpProcess, {
    priority: -5,
    rtPriority: 20,
    rlimitRttime: 5000,
    noSwap: true,
    cpuAffinity: [0, 1],
  });
  assert.deepEqual([g.checkerProcess.priority, g.bfdProcess.rtPriority], [3, 10]);
  assert.deepEqual([g.vrrpRxBufsPolicy, g.vrrpRxBufsMultiplier], ['MTU', 4]);
  assert.deepEqual(g.netlinkRcvBufs, { vrrp_netlink_cmd: { size: 1048576, force: true } });
  assert.deepEqual(
    [
      g.logUnknownVrids,
      g.reloadCheckConfig,
      g.reloadTimeFile,
      g.reloadRepeat,
      g.configSaveDir,
      g.includeCheck,
    ],
    [true, { logFile: '/tmp/rc.log' }, '/run/rt', true, '/var/lib/ka', []],
  );
  assert.deepEqual(
    [g.dataUseInstance, g.jsonVersion, g.stateDumpFile, g.statsDumpFile, g.jsonDumpFile],
    [true, 2, '/tmp/s', '/tmp/t', '/tmp/j'],
  );
  assert.deepEqual(
    [
      g.enableDbus,
      g.dbusServiceName,
      g.snmpSocket,
      g.enableSnmpVrrp,
      g.enableSnmpChecker,
      g.enableSnmpRfcv3,
      g.enableTraps,
    ],
    [true, 'org.x', 'tcp:localhost:705', true, true, true, true],
  );
  assert.deepEqual(
    [g.netNamespace, g.instance, g.usePidDir, g.childWaitTime, g.processNames, g.umask, g.randomSeed],
    ['ns1', 'i1', true, 7, true, 0o77, 42],
  );
  assert.deepEqual(g.lvsSyncDaemon, {
    interface: 'eth1',
    vrrpInstance: 'VI_1',
    syncId: 5,
    maxlen: 1400,
    port: 8849,
    ttl: 3,
    group: '224.0.0.82',
  });
  assert.deepEqual(g.lvsTimeouts, { tcp: 900, tcpfin: 120, udp: 300 });
  assert.deepEqual([g.lvsFlush, g.lvsFlushOnStop], [true, 'vs']);
  assert.deepEqual(
    [
      g.nftablesIpvs,
      g.nftablesIpvsPriority,
      g.nftablesIpvsStartFwmark,
      g.rsInitNotifies,
      g.noCheckerEmails,
      g.checkerLogAllFailures,
    ],
    [{ table: 'ki' }, -3, 2000, true, true, true],
  );
});

test('every vrrp_instance keyword reaches its model field (VRRPv3 from global_defs)', () => {
  const vi = mustLoad(kp(text)).config.vrrpInstances['VI_1']!;
  assert.deepEqual(
    [vi.state, vi.priority, vi.advertInt, vi.version, vi.nopreempt, vi.preemptDelay, vi.downTimerAdverts],
    ['BACKUP', 200, 0.5, 3, true, 0, 5],
    'preempt_delay is cleared by nopreempt, as keepalived does',
  );
  assert.deepEqual([vi.mcastSrcIp, vi.trackSrcIp, vi.mcastDstIp], ['10.0.0.2', true, '224.0.0.19']);
  assert.deepEqual(vi.virtualIpaddress[0], {
    address: '10.0.0.1',
    prefix: 24,
    brd: '10.0.0.255',
    dev: 'eth0',
    scope: 'global',
    label: 'eth0:1',
    home: true,
    nodad: true,
    mngtmpaddr: false,
    noprefixroute: false,
    autojoin: false,
    noTrack: true,
    useVmac: false,
    preferredLft: 'forever',
  });
  assert.deepEqual(
    [vi.virtualIpaddressExcluded[0]?.peer, vi.virtualIpaddressExcluded[0]?.autojoin],
    ['10.0.1.2', true],
  );
  assert.deepEqual(vi.virtualRoutes, [
    { words: ['10.2.0.0/16', 'via', '10.0.0.254', 'dev', 'eth0'], noTrack: true },
  ]);
  // A rule without a preference gets keepalived's automatic one, written into its words.
  assert.deepEqual(vi.virtualRules, [
    { words: ['from', '10.2.0.0/16', 'table', '100', 'preference', '16384'], noTrack: false },
  ]);
  assert.deepEqual(
    [vi.promoteSecondaries, vi.accept, vi.useVmac, vi.vmacXmitBase, vi.dontTrackPrimary],
    [true, false, { netlinkNotifyMsg: false }, true, true],
  );
  assert.deepEqual(
    [
      vi.garpMasterRefresh,
      vi.garpMasterDelay,
      vi.lowerPrioNoAdvert,
      vi.higherPrioSendAdvert,
      vi.skipCheckAdvAddr,
      vi.ownerIgnoreAdverts,
    ],
    [30, 2, false, true, false, true],
  );
  assert.deepEqual(
    [
      vi.notifyMaster?.command,
      vi.notifyBackup?.command,
      vi.notifyFault?.command,
      vi.notifyStop?.command,
      vi.notifyMasterRxLowerPri?.command,
    ],
    ['/bin/m', '/bin/b', '/bin/f', '/bin/s', '/bin/lp'],
  );
  assert.deepEqual(
    [vi.notifyPriorityChanges, vi.smtpAlert, vi.kernelRxBufSize, vi.debug],
    [false, true, 65536, 2],
  );
});

test('every virtual_server, real_server and checker keyword reaches its model field', () => {
  const config = mustLoad(kp(text)).config;
  const vs = config.virtualServers[0]!;
  assert.deepEqual(vs.service, { kind: 'fwmark', fwmark: 7 });
  assert.deepEqual(
    [vs.lvsSched, vs.schedulerFlags, vs.ops],
    ['mh', { flag1: false, flag2: true, flag3: false }, true],
  );
  assert.deepEqual(vs.forwarding, {
    method: 'TUN',
    tunnelType: 'gue',
    tunnelPort: 6080,
    tunnelChecksum: 'csum',
  });
  assert.deepEqual(
    [
      vs.persistenceTimeout,
      vs.persistenceGranularity,
      vs.persistenceEngine,
      vs.ipFamily,
      vs.haSuspend,
      vs.virtualhost,
    ],
    [360, '255.255.255.0', 'sip', 'inet6', true, 'www.x'],
  );
  assert.deepEqual(
    [vs.alpha, vs.omega, vs.quorum, vs.hysteresis, vs.quorumUp?.argv, vs.quorumDown?.command],
    [true, true, 2, 1, ['/bin/qu', '1'], '/bin/qd'],
  );
  assert.deepEqual(
    [vs.sorryServer, vs.sorryServerInhibit, vs.sorryServerForwarding],
    [{ address: '2001:db8::99', port: 80 }, true, { method: 'DR' }],
  );
  assert.deepEqual(
    [
      vs.weight,
      vs.inhibitOnFailure,
      vs.delayLoop,
      vs.connectTimeout,
      vs.retry,
      vs.delayBeforeRetry,
      vs.warmup,
      vs.smtpAlert,
      vs.snmpName,
    ],
    [3, true, 15, 4, 2, 6, 0, true, 'fw7'],
  );
  const rs = vs.realServers[0]!;
  assert.deepEqual(
    [
      rs.address,
      rs.port,
      rs.weight,
      rs.uthreshold,
      rs.lthreshold,
      rs.inhibitOnFailure,
      rs.alpha,
      rs.smtpAlert,
      rs.snmpName,
    ],
    ['2001:db8::10', 0, 5, 100, 10, false, false, false, 'rs10'],
  );
  assert.deepEqual(
    [rs.notifyUp?.command, rs.notifyDown?.argv, rs.notifyDown?.user],
    ['/bin/up', ['/bin/down', 'x'], 'nobody'],
  );
  const [ssl, udp, dns, misc, file, bfd] = rs.checkers;
  if (ssl?.type !== 'SSL_GET') assert.fail();
  assert.deepEqual(ssl.url[0], {
    path: '/a',
    digest: '0123456789abcdef0123456789abcdef',
    statusCode: [
      { from: 200, to: 204 },
      { from: 301, to: 301 },
    ],
    virtualhost: 'v.x',
    regex: 'ok|up',
    regexNoMatch: true,
    regexOptions: ['caseless'],
    regexMinOffset: 1,
    regexMaxOffset: 100,
    regexStack: { start: 1024, max: 4096 },
  });
  assert.deepEqual(
    [
      ssl.httpProtocol,
      ssl.fastRecovery,
      ssl.enableSni,
      ssl.tlsCompliant,
      ssl.bindto,
      ssl.bindIf,
      ssl.bindPort,
      ssl.fwmark,
      ssl.logAllFailures,
    ],
    ['1.1', true, true, true, '2001:db8::1', 'eth0', 1000, 9, true],
  );
  assert.deepEqual(
    [ssl.retry, ssl.delayBeforeRetry, ssl.warmup, ssl.alpha, ssl.virtualhost],
    [2, 6, 0, false, 'www.x'],
  );
  if (udp?.type !== 'UDP_CHECK') assert.fail();
  assert.deepEqual(
    [udp.payload, udp.requireReply, udp.minReplyLength, udp.maxReplyLength],
    ['deadbeef', { pattern: 'dexx' }, 2, 64],
  );
  if (dns?.type !== 'DNS_CHECK') assert.fail();
  assert.deepEqual([dns.queryType, dns.name, dns.retry], ['AAAA', 'example.org', 2]);
  if (misc?.type !== 'MISC_CHECK') assert.fail();
  assert.deepEqual(
    [misc.miscPath.argv, misc.miscTimeout, misc.miscDynamic, misc.user],
    [['/bin/check', 'a b'], 3, true, { user: 'nobody', group: 'nogroup' }],
  );
  assert.deepEqual(file, { type: 'FILE_CHECK', trackFile: 'tf', dynamic: true, weight: -2, reverse: true });
  assert.deepEqual(bfd, { type: 'BFD_CHECK', name: 'b1', alpha: true });
});

test('trackers, groups and the other top-level blocks reach the model', () => {
  const c = mustLoad(kp(text)).config;
  const b = c.bfdInstances['b1']!;
  assert.deepEqual(
    [
      b.sourceIp,
      b.idleTx,
      b.multiplier,
      b.passive,
      b.ttl,
      b.hoplimit,
      b.maxHops,
      b.multihop,
      b.weight,
      b.reverse,
      b.notify,
    ],
    ['2001:db8::1', 500, 3, true, 10, 10, 2, true, -20, true, 'checker'],
  );
  assert.deepEqual(c.trackGroups, { TG: { group: ['VI_1'] } });
  assert.deepEqual(c.interfaceUpDownDelays, { eth0: { down: 2, up: 5 } });
  assert.deepEqual(c.linkbeatInterfaces, { eth0: 'MII', eth1: 'auto' });
  assert.deepEqual(c.garpGroups, [{ garpInterval: 0.01, interfaces: ['eth0', 'eth1'] }]);
  assert.equal(c.staticIpaddress[0]?.trackGroup, 'TG');
  assert.equal(c.staticIpaddress[0]?.dev, 'eth1');
  assert.deepEqual(c.staticRoutes, [{ words: ['192.168.5.0/24', 'via', '192.168.0.254'], noTrack: false }]);
  assert.deepEqual(c.ssl, {
    password: 'pw',
    ca: '/etc/ca.pem',
    certificate: '/etc/c.pem',
    key: '/etc/k.pem',
  });
});
