// keepalived's defaults, exactly (reference keepalived.md §1-§3), filled into the resolved model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kp, mustLoad } from './helpers.ts';

test('a bare virtual_server: UDP, wlc, NAT, delay_loop 60, connect_timeout 5, weight 1, quorum 1 (with warnings)', () => {
  const { config, warnings } = mustLoad(
    kp('virtual_server 10.0.0.1 53 {\n  real_server 10.0.0.2 53 {\n    TCP_CHECK {\n    }\n  }\n}\n'),
  );
  const vs = config.virtualServers[0]!;
  assert.equal(vs.protocol, 'UDP');
  assert.equal(vs.lvsSched, 'wlc');
  assert.deepEqual(vs.forwarding, { method: 'NAT' });
  assert.equal(vs.delayLoop, 60);
  assert.equal(vs.connectTimeout, 5);
  assert.equal(vs.weight, 1);
  assert.equal(vs.quorum, 1);
  assert.equal(vs.hysteresis, 0);
  assert.equal(vs.persistenceTimeout, undefined);
  const rs = vs.realServers[0]!;
  assert.deepEqual(
    [rs.weight, rs.port, rs.inhibitOnFailure, rs.smtpAlert, rs.uthreshold, rs.lthreshold],
    [1, 53, false, true, 0, 0],
  );
  const ck = rs.checkers[0]!;
  if (ck.type !== 'TCP_CHECK') assert.fail();
  assert.deepEqual(
    [
      ck.connectTimeout,
      ck.retry,
      ck.delayBeforeRetry,
      ck.delayLoop,
      ck.warmup,
      ck.alpha,
      ck.connectIp,
      ck.connectPort,
    ],
    [5, 1, 1, 60, 60, false, '10.0.0.2', 53],
  );
  assert.deepEqual(
    warnings.map((w) => w.keyword),
    ['protocol', 'lvs_sched', 'lvs_method'],
  );
});

test('checker retry and delay_before_retry defaults per checker type; the VS -> RS -> checker cascade', () => {
  const text = [
    'virtual_server 10.0.0.1 80 {',
    '  protocol TCP',
    '  delay_loop 10',
    '  real_server 10.0.0.2 80 {',
    '    HTTP_GET {\n      url {\n        path /\n      }\n    }',
    '    MISC_CHECK {\n      misc_path /bin/true\n    }',
    '    DNS_CHECK {\n    }',
    '    SMTP_CHECK {\n    }',
    '    UDP_CHECK {\n    }',
    '    PING_CHECK {\n    }',
    '  }',
    '  real_server 10.0.0.3 80 {',
    '    retry 7',
    '    connect_timeout 2',
    '    TCP_CHECK {\n      connect_port 8080\n    }',
    '  }',
    '}',
  ].join('\n');
  const vs = mustLoad(kp(text)).config.virtualServers[0]!;
  const byType = Object.fromEntries(vs.realServers[0]!.checkers.map((c) => [c.type, c]));
  const get = (t: string, k: string) => (byType[t] as unknown as Record<string, unknown>)[k];
  assert.deepEqual(
    ['HTTP_GET', 'MISC_CHECK', 'DNS_CHECK', 'SMTP_CHECK', 'UDP_CHECK', 'PING_CHECK'].map((t) => [
      t,
      get(t, 'retry'),
      get(t, 'delayBeforeRetry'),
    ]),
    [
      ['HTTP_GET', 1, 3],
      ['MISC_CHECK', 0, 1],
      ['DNS_CHECK', 3, 10],
      ['SMTP_CHECK', 1, 1],
      ['UDP_CHECK', 1, 1],
      ['PING_CHECK', 1, 1],
    ],
  );
  assert.equal(get('DNS_CHECK', 'queryType'), 'SOA');
  assert.equal(get('DNS_CHECK', 'name'), '.');
  assert.equal(get('SMTP_CHECK', 'heloName'), 'smtpchecker.keepalived.org');
  assert.equal(get('UDP_CHECK', 'maxReplyLength'), 255);
  assert.equal(get('MISC_CHECK', 'miscTimeout'), 10);
  assert.equal(get('HTTP_GET', 'httpProtocol'), '1.0');
  assert.deepEqual((get('HTTP_GET', 'url') as Array<{ statusCode: unknown }>)[0]?.statusCode, [
    { from: 200, to: 299 },
  ]);
  const tcp = vs.realServers[1]!.checkers[0]!;
  if (tcp.type !== 'TCP_CHECK') assert.fail();
  assert.deepEqual([tcp.retry, tcp.connectTimeout, tcp.connectPort, tcp.delayLoop], [7, 2, 8080, 10]);
});

test('vrrp_instance defaults: priority 100, advert_int 1, BACKUP, VRRPv2, GARP timing from global_defs', () => {
  const text = [
    'global_defs {',
    '  vrrp_garp_master_delay 3',
    '  vrrp_garp_master_repeat 2',
    '}',
    'vrrp_script s {\n  script /bin/true\n  weight -20\n}',
    'vrrp_instance VI_1 {',
    '  interface eth0',
    '  virtual_router_id 9',
    '  virtual_ipaddress {\n    10.0.0.1/24 dev eth1 label eth1:vip scope link brd + noprefixroute\n  }',
    '  track_script {\n    s\n  }',
    '}',
    'vrrp_instance OWNER {',
    '  interface eth0',
    '  virtual_router_id 10',
    '  priority 255',
    '  virtual_ipaddress {\n    fe80::1\n    2001:db8::1\n  }',
    '}',
  ].join('\n');
  const { config } = mustLoad(kp(text));
  const vi = config.vrrpInstances['VI_1']!;
  assert.deepEqual(
    [
      vi.priority,
      vi.advertInt,
      vi.state,
      vi.version,
      vi.accept,
      vi.nopreempt,
      vi.preemptDelay,
      vi.downTimerAdverts,
      vi.mcastDstIp,
    ],
    [100, 1, 'BACKUP', 2, true, false, 0, 3, '224.0.0.18'],
  );
  assert.deepEqual(
    [
      vi.garpMasterDelay,
      vi.garpMasterRepeat,
      vi.garpLowerPrioDelay,
      vi.garpLowerPrioRepeat,
      vi.garpMasterRefresh,
      vi.garpMasterRefreshRepeat,
    ],
    [3, 2, 3, 2, 0, 1],
  );
  assert.deepEqual(vi.virtualIpaddress[0], {
    address: '10.0.0.1',
    prefix: 24,
    dev: 'eth1',
    label: 'eth1:vip',
    scope: 'link',
    brd: '+',
    home: false,
    nodad: false,
    mngtmpaddr: false,
    noprefixroute: true,
    autojoin: false,
    noTrack: false,
    useVmac: false,
  });
  assert.deepEqual(
    vi.trackScript,
    [{ name: 's', weight: -20, reverse: false }],
    'weight inherited from the script',
  );
  assert.equal(config.vrrpScripts['s']?.timeout, 1, 'timeout defaults to interval');
  assert.deepEqual([config.vrrpScripts['s']?.rise, config.vrrpScripts['s']?.fall], [1, 1]);
  const owner = config.vrrpInstances['OWNER']!;
  assert.deepEqual([owner.state, owner.version, owner.mcastDstIp], ['MASTER', 3, 'ff02::12']);
  assert.equal(
    owner.virtualIpaddress[1]?.preferredLft,
    0,
    'an IPv6 /128 VIP is deprecated (preferred_lft 0)',
  );
});

test('keepalived adjustments are applied with a warning: nopreempt with MASTER, v2 fractional advert_int, quorum clamp', () => {
  const text = [
    'vrrp_instance VI_1 {',
    '  state MASTER',
    '  nopreempt',
    '  interface eth0',
    '  virtual_router_id 9',
    '  advert_int 1.6',
    '  virtual_ipaddress {\n    10.0.0.1\n  }',
    '}',
    'virtual_server 10.0.0.1 80 {',
    '  protocol TCP',
    '  lvs_method DR',
    '  quorum 5',
    '  real_server 10.0.0.2 8080 {\n    weight 2\n  }',
    '}',
  ].join('\n');
  const { config, warnings } = mustLoad(kp(text));
  const vi = config.vrrpInstances['VI_1']!;
  assert.equal(vi.nopreempt, false);
  assert.equal(vi.advertInt, 2);
  const vs = config.virtualServers[0]!;
  assert.equal(vs.quorum, 2);
  assert.equal(vs.realServers[0]?.port, 80, 'DR real server port follows the VS port');
  assert.deepEqual(
    warnings.map((w) => w.keyword).sort(),
    ['advert_int', 'lvs_sched', 'nopreempt', 'quorum', 'real_server'].sort(),
  );
});

test('unicast, tracking and notify keywords land in the model', () => {
  const text = [
    'vrrp_track_process haproxy {\n  process haproxy -f /etc/h.cfg\n  param_match initial\n  weight 10 reverse\n  quorum 2\n  delay 3\n}',
    'track_file tf {\n  file "/run/prio"\n  weight -2\n  init_file 5 overwrite\n}',
    'bfd_instance b1 {\n  neighbour_ip 10.0.0.9\n  min_rx 50\n}',
    'vrrp_instance VI_1 {',
    '  interface eth0',
    '  virtual_router_id 9',
    '  unicast_src_ip 10.0.0.2',
    '  unicast_peer {\n    10.0.0.3 min_ttl 250 max_ttl 255\n    10.0.0.4\n  }',
    '  virtual_ipaddress {\n    10.0.0.1\n  }',
    '  virtual_ipaddress_excluded {\n    2001:db8::5/64\n  }',
    '  track_interface {\n    eth1 weight -10\n  }',
    '  track_process {\n    haproxy\n  }',
    '  track_file {\n    tf weight 3\n  }',
    '  track_bfd {\n    b1\n  }',
    '  notify "/bin/n x"',
    '  notify_deleted',
    '  use_vmac vrrp.9 netlink_notify_msg',
    '  garp_extra_if all 30',
    '  timer_expired_backup',
    '}',
  ].join('\n');
  const { config } = mustLoad(kp(text));
  const vi = config.vrrpInstances['VI_1']!;
  assert.deepEqual(vi.unicastPeers, [
    { address: '10.0.0.3', minTtl: 250, maxTtl: 255 },
    { address: '10.0.0.4' },
  ]);
  assert.equal(vi.virtualIpaddressExcluded[0]?.prefix, 64);
  assert.deepEqual(vi.trackInterface, [{ name: 'eth1', weight: -10, reverse: false }]);
  assert.deepEqual(vi.trackProcess, [{ name: 'haproxy', weight: 10, reverse: true }]);
  assert.deepEqual(vi.trackFile, [{ name: 'tf', weight: 3, reverse: false }]);
  assert.deepEqual(vi.trackBfd, [{ name: 'b1', weight: 0, reverse: false }]);
  assert.deepEqual(vi.notify?.argv, ['/bin/n', 'x']);
  assert.deepEqual(vi.notifyDeleted, {});
  assert.deepEqual(vi.useVmac, { name: 'vrrp.9', netlinkNotifyMsg: true });
  assert.deepEqual(vi.garpExtraIf, { all: true, interval: 30 });
  assert.deepEqual(vi.timerExpiredBackup, {});
  const p = config.trackProcesses['haproxy']!;
  assert.deepEqual(
    [p.process, p.parameters, p.paramMatch, p.weight, p.reverse, p.quorum, p.forkDelay, p.terminateDelay],
    ['haproxy', ['-f', '/etc/h.cfg'], 'initial', 10, true, 2, 3, 3],
  );
  assert.deepEqual(config.trackFiles['tf'], {
    file: '/run/prio',
    weight: -2,
    reverse: false,
    initFile: { value: 5, overwrite: true },
  });
  const b = config.bfdInstances['b1']!;
  assert.deepEqual(
    [b.neighborIp, b.minRx, b.minTx, b.idleTx, b.multiplier, b.ttl],
    ['10.0.0.9', 50, 10, 1000, 5, 255],
  );
});
