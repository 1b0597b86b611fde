// Every seed configuration loads with the meaning keepalived 2.2.7 gives it (checked field by field,
// including what keepalived does silently or with a warning), and the bad one is rejected as the seed
// README describes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { errorsOf, loadFile, mustLoad, seedDir } from './helpers.ts';

const seed = (name: string) => loadFile(join(seedDir, name));

test('vrrp-only.master.conf: globals, PASS auth and vrrp_strict consequences', () => {
  const { config, warnings } = mustLoad(seed('vrrp-only.master.conf'));
  const g = config.globalDefs;
  assert.deepEqual(g.notificationEmail, ['root@localhost']);
  assert.equal(g.notificationEmailFrom, 'bbders@localhost');
  assert.deepEqual(g.smtpServer, { host: '127.0.0.1', port: 25 });
  assert.equal(g.smtpConnectTimeout, 30);
  assert.equal(g.routerId, 'LVS_DEVEL');
  assert.equal(g.vrrpSkipCheckAdvAddr, true);
  assert.equal(g.vrrpStrict, true);
  assert.equal(g.vrrpGarpInterval, 0);
  assert.equal(g.vrrpGnaInterval, 0);
  assert.equal(g.vrrpLowerPrioNoAdvert, true, 'strict turns lower_prio_no_advert on');
  const vi = config.vrrpInstances['VI_1'];
  assert.ok(vi);
  assert.equal(vi.interface, 'ens192');
  assert.equal(vi.virtualRouterId, 51);
  assert.equal(vi.priority, 100);
  assert.equal(vi.advertInt, 1);
  assert.equal(vi.version, 2);
  // vrrp_strict: MASTER needs priority 255, auth is removed, accept is off, skip_check_adv_addr from global.
  assert.equal(vi.state, 'BACKUP');
  assert.equal(vi.authentication, undefined);
  assert.equal(vi.accept, false);
  assert.equal(vi.strictMode, true);
  assert.equal(vi.skipCheckAdvAddr, true);
  assert.equal(vi.lowerPrioNoAdvert, true);
  assert.equal(vi.garpLowerPrioRepeat, 0);
  assert.deepEqual(
    vi.virtualIpaddress.map((v) => [v.address, v.prefix, v.dev, v.scope]),
    [['192.168.112.160', 32, 'ens192', 'global']],
  );
  assert.equal(vi.mcastDstIp, '224.0.0.18');
  assert.deepEqual(
    warnings.map((w) => [w.line, w.keyword]),
    [
      // 0 is below keepalived's minimum for both: it reports them (keepalived -t exits 5).
      [11, 'vrrp_garp_interval'],
      [12, 'vrrp_gna_interval'],
      [16, 'state'],
      [21, 'authentication'],
    ],
  );
  assert.equal(config.virtualServers.length, 0);
});

test('lvs-nat-http-get.master.conf: NAT rr with HTTP_GET, nb_get_retry as retry', () => {
  const { config, warnings } = mustLoad(seed('lvs-nat-http-get.master.conf'));
  const vi = config.vrrpInstances['VI_1']!;
  assert.equal(vi.state, 'MASTER');
  assert.deepEqual(vi.authentication, { type: 'PASS', password: '1111' });
  assert.equal(vi.accept, true);
  assert.equal(config.virtualServers.length, 1);
  const vs = config.virtualServers[0]!;
  assert.deepEqual(vs.service, { kind: 'address', address: '192.168.112.160', port: 80 });
  assert.equal(vs.delayLoop, 3);
  assert.equal(vs.lvsSched, 'rr');
  assert.deepEqual(vs.forwarding, { method: 'NAT' });
  assert.equal(vs.protocol, 'TCP');
  assert.equal(vs.connectTimeout, 5);
  assert.equal(vs.persistenceTimeout, undefined);
  assert.deepEqual(
    vs.realServers.map((r) => [r.address, r.port, r.weight]),
    [
      ['192.168.112.153', 80, 1],
      ['192.168.112.154', 80, 1],
    ],
  );
  for (const rs of vs.realServers) {
    assert.equal(rs.checkers.length, 1);
    const ck = rs.checkers[0]!;
    assert.equal(ck.type, 'HTTP_GET');
    if (ck.type !== 'HTTP_GET') continue;
    assert.deepEqual(ck.url, [
      { path: '/', statusCode: [{ from: 200, to: 200 }], regexNoMatch: false, regexOptions: [] },
    ]);
    assert.equal(ck.connectTimeout, 1);
    assert.equal(ck.retry, 3, 'nb_get_retry 3 is retry 3 in HTTP_GET');
    assert.equal(ck.delayBeforeRetry, 1);
    assert.equal(ck.delayLoop, 3);
    assert.equal(ck.warmup, 3, 'warmup defaults to delay_loop');
    assert.equal(ck.httpProtocol, '1.0');
    assert.equal(ck.connectIp, rs.address);
    assert.equal(ck.connectPort, 80);
  }
  const deprecated = warnings.filter((w) => w.code === 'deprecated').map((w) => w.keyword);
  assert.deepEqual(deprecated, ['lb_algo', 'lb_kind', 'nb_get_retry', 'nb_get_retry']);
});

for (const role of ['master', 'backup'] as const) {
  test(`lvs-dr-wrr-persistence.${role}.conf: DR wrr, persistence, TCP_CHECK connect_port, accept, lvs_flush`, () => {
    const { config, warnings } = mustLoad(seed(`lvs-dr-wrr-persistence.${role}.conf`));
    assert.equal(config.globalDefs.routerId, role === 'master' ? 'LVS_128' : 'LVS_129');
    assert.equal(
      config.globalDefs.lvsFlush,
      true,
      'lvs_flush takes no value; "0" is ignored as keepalived does',
    );
    const vi = config.vrrpInstances['VI_1']!;
    assert.equal(vi.state, role === 'master' ? 'MASTER' : 'BACKUP');
    assert.equal(vi.priority, role === 'master' ? 100 : 50);
    assert.equal(vi.virtualRouterId, 41);
    assert.equal(vi.accept, true);
    const vs = config.virtualServers[0]!;
    assert.equal(vs.delayLoop, 6);
    assert.equal(vs.lvsSched, 'wrr');
    assert.deepEqual(vs.forwarding, { method: 'DR' });
    assert.equal(vs.persistenceTimeout, 5);
    // keepalived rejects the granularity "src_ip+src_port" (not a netmask) and keeps /32.
    assert.equal(vs.persistenceGranularity, undefined);
    assert.equal(vs.protocol, 'TCP');
    for (const rs of vs.realServers) {
      assert.equal(rs.weight, 1);
      assert.deepEqual(rs.forwarding, { method: 'DR' });
      const ck = rs.checkers[0]!;
      assert.equal(ck.type, 'TCP_CHECK');
      if (ck.type !== 'TCP_CHECK') continue;
      assert.equal(ck.connectPort, 80);
      assert.equal(ck.connectTimeout, 2);
      // nb_get_retry is not a TCP_CHECK keyword in keepalived 2.x: ignored, retry keeps its default 1.
      assert.equal(ck.retry, 1);
      assert.equal(ck.delayBeforeRetry, 3);
    }
    assert.deepEqual(
      warnings.filter((w) => w.code === 'ignored').map((w) => [w.line, w.keyword]),
      [
        [5, 'lvs_flush'],
        [34, 'persistence_granularity'],
        [45, 'nb_get_retry'],
        [54, 'nb_get_retry'],
      ],
    );
  });
}

test('lvs-dr-rr-tcp-check.master.conf: comment after a VIP, DR rr, TCP_CHECK', () => {
  const { config } = mustLoad(seed('lvs-dr-rr-tcp-check.master.conf'));
  const vi = config.vrrpInstances['VI_1']!;
  assert.equal(vi.state, 'MASTER');
  assert.equal(vi.priority, 150);
  assert.deepEqual(
    vi.virtualIpaddress.map((v) => v.address),
    ['192.168.1.100'],
    'the # comment (non-ASCII) after the VIP is not part of it',
  );
  const vs = config.virtualServers[0]!;
  assert.equal(vs.delayLoop, 3);
  assert.equal(vs.lvsSched, 'rr');
  assert.equal(vs.forwarding.method, 'DR');
  assert.deepEqual(
    vs.realServers.map((r) => [r.address, r.port, r.weight, r.checkers[0]?.type]),
    [
      ['192.168.1.20', 80, 1, 'TCP_CHECK'],
      ['192.168.1.21', 80, 1, 'TCP_CHECK'],
    ],
  );
  const ck = vs.realServers[0]!.checkers[0]!;
  if (ck.type !== 'TCP_CHECK') assert.fail('TCP_CHECK expected');
  assert.equal(ck.connectTimeout, 3);
  assert.equal(ck.retry, 1);
  assert.equal(ck.delayBeforeRetry, 1);
});

test('nat-sync-group.lb1.conf: sync group of two instances, lowercase protocol, RS without weight', () => {
  const { config, warnings } = mustLoad(seed('nat-sync-group.lb1.conf'));
  assert.deepEqual(config.vrrpSyncGroups['VG1']?.group, ['VRRP_EXT', 'VRRP_INT']);
  const ext = config.vrrpInstances['VRRP_EXT']!;
  const int = config.vrrpInstances['VRRP_INT']!;
  assert.deepEqual(
    [ext.interface, ext.virtualRouterId, int.interface, int.virtualRouterId],
    ['eth0', 50, 'eth1', 2],
  );
  // keepalived sends only the first 8 characters of a PASS password.
  assert.equal(ext.authentication?.password, 'password');
  assert.equal(int.authentication?.password, 'password');
  assert.equal(config.globalDefs.smtpConnectTimeout, 60);
  const vs = config.virtualServers[0]!;
  assert.equal(vs.protocol, 'TCP', 'keepalived compares the protocol case-insensitively');
  assert.deepEqual(vs.forwarding, { method: 'NAT' });
  assert.equal(vs.realServers.length, 4);
  for (const rs of vs.realServers) {
    assert.equal(rs.weight, 1, 'an RS without weight takes the VS weight (1)');
    assert.equal(rs.port, 80);
    const ck = rs.checkers[0]!;
    if (ck.type !== 'TCP_CHECK') assert.fail('TCP_CHECK expected');
    assert.equal(ck.connectTimeout, 10);
    assert.equal(ck.delayLoop, 6);
  }
  assert.ok(warnings.some((w) => w.keyword === 'auth_pass' && w.line === 27));
});

test('bad-sync-group-unknown-instance.conf is rejected: file, line, name, and VRRP_ENT suggested', () => {
  const errors = errorsOf(seed('bad-sync-group-unknown-instance.conf'));
  assert.equal(errors.length, 1);
  const e = errors[0]!;
  assert.equal(e.file, join(seedDir, 'bad-sync-group-unknown-instance.conf'));
  assert.equal(e.line, 15);
  assert.equal(e.column, 9);
  assert.equal(e.code, 'unknown-name');
  assert.match(e.message, /VRRP_INT/);
  assert.equal(e.suggestion, 'VRRP_ENT');
});
