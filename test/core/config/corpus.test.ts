// The corpus of real keepalived.conf files (test/fixtures/keepalived-corpus, origins in SOURCES.md) all
// load, mean what their comments say, and survive keepalived.conf -> model -> native -> model unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseNative, toNative } from '../../../core/config/index.ts';
import { corpusDir, errorsOf, loadFile, mustLoad, seedDir } from './helpers.ts';

/** Files that need options: lenient only where a sample uses syntax keepalived itself rejects. */
const options: Record<string, { lenient?: boolean; configId?: string }> = {
  'samples-vrrp.lvs_syncd.conf': { lenient: true },
  // `to 192.168.100./24`: keepalived reports "Invalid rule to address" and skips the line.
  'samples-vrrp.rules.conf': { lenient: true },
  'samples-conditional_conf.conf': { configId: 'high' },
};

const corpus = readdirSync(corpusDir).filter((f) => f.endsWith('.conf'));
const seeds = readdirSync(seedDir).filter((f) => f.endsWith('.conf') && !f.startsWith('bad-'));

test('the corpus has at least 15 real configurations', () => {
  assert.ok(corpus.length >= 15, `only ${corpus.length} files`);
});

for (const f of corpus) {
  test(`corpus ${f} loads and round-trips through YAML and JSON`, () => {
    const { config } = mustLoad(loadFile(join(corpusDir, f), options[f] ?? {}));
    assert.ok(
      Object.keys(config.vrrpInstances).length + config.virtualServers.length > 0,
      'defines something',
    );
    for (const format of ['yaml', 'json'] as const) {
      const back = parseNative(toNative(config, format), { file: `round-trip.${format}` });
      if (!back.ok) assert.fail(back.diagnostics.map((d) => d.message).join('\n'));
      assert.deepEqual(back.config, config);
    }
  });
}

for (const f of seeds) {
  test(`seed ${f} round-trips through YAML and JSON`, () => {
    const { config } = mustLoad(loadFile(join(seedDir, f)));
    for (const format of ['yaml', 'json'] as const) {
      const back = parseNative(toNative(config, format), { file: `round-trip.${format}` });
      if (!back.ok) assert.fail(back.diagnostics.map((d) => d.message).join('\n'));
      assert.deepEqual(back.config, config);
    }
  });
}

test('samples-conditional_conf: @high / @low lines pick the script and priority', () => {
  const high = mustLoad(
    loadFile(join(corpusDir, 'samples-conditional_conf.conf'), { configId: 'high' }),
  ).config;
  const low = mustLoad(
    loadFile(join(corpusDir, 'samples-conditional_conf.conf'), { configId: 'low' }),
  ).config;
  assert.equal(high.globalDefs.netNamespace, 'high');
  assert.equal(low.globalDefs.netNamespace, 'low');
  assert.deepEqual(high.vrrpScripts['check_VI_0']?.script.argv, [
    '/etc/keepalived/scripts/check_high_VI_0.sh',
  ]);
  assert.deepEqual(low.vrrpScripts['check_VI_0']?.script.argv, ['/etc/keepalived/scripts/check_low_VI_0.sh']);
  assert.equal(high.vrrpInstances['VI_0']?.priority, 170);
  assert.equal(low.vrrpInstances['VI_0']?.priority, 85);
  const vi = high.vrrpInstances['VI_0']!;
  assert.equal(vi.version, 3);
  assert.equal(vi.advertInt, 12);
  assert.deepEqual(vi.useVmac, { netlinkNotifyMsg: false });
  assert.deepEqual(
    vi.trackInterface.map((t) => [t.name, t.weight]),
    [
      ['eth3', 0],
      ['eth2', 20],
    ],
  );
  // Without a matching id neither script line is kept: keepalived removes the script, floatip refuses it.
  const errors = errorsOf(loadFile(join(corpusDir, 'samples-conditional_conf.conf'), { configId: 'other' }));
  assert.deepEqual(
    errors.map((e) => [e.line, e.keyword]),
    [
      [6, 'script'],
      [25, 'track_script'],
    ],
  );
});

test('samples-vrrp.lvs_syncd needs lenient: its sync group lists members without group { }', () => {
  const errors = errorsOf(loadFile(join(corpusDir, 'samples-vrrp.lvs_syncd.conf')));
  assert.deepEqual(
    errors.filter((e) => e.code === 'unknown-keyword').map((e) => [e.line, e.keyword]),
    [
      [4, 'VI_2'],
      [5, 'VI_3'],
    ],
  );
  const { config, warnings } = mustLoad(
    loadFile(join(corpusDir, 'samples-vrrp.lvs_syncd.conf'), { lenient: true }),
  );
  assert.deepEqual(Object.keys(config.vrrpSyncGroups), []);
  assert.equal(config.vrrpInstances['VI_1']?.lvsSyncDaemonInterface, 'eth1');
  assert.ok(warnings.some((w) => w.code === 'deprecated' && w.keyword === 'lvs_sync_daemon_interface'));
});

test('corpus semantics: checkers, groups, routes, quorum and scripts read as written', () => {
  const load = (f: string) => mustLoad(loadFile(join(corpusDir, f), options[f] ?? {})).config;
  const smtp = load('samples-SMTP_CHECK.conf').virtualServers[0]!;
  const c2 = smtp.realServers[1]!.checkers[0]!;
  if (c2.type !== 'SMTP_CHECK') assert.fail('SMTP_CHECK expected');
  assert.equal(c2.heloName, 'foo.bar.com');
  assert.equal(c2.retry, 2);
  assert.deepEqual(
    c2.hosts.map((h) => h.connectIp),
    ['172.16.1.11', '192.168.155.10', '64.233.167.99'],
  );
  const misc = load('samples-misc_check_arg.conf').virtualServers[0]!.realServers[0]!.checkers[0]!;
  if (misc.type !== 'MISC_CHECK') assert.fail('MISC_CHECK expected');
  assert.deepEqual(misc.miscPath.argv, ['/usr/local/bin/script.sh', 'arg1', 'arg2']);
  assert.equal(misc.retry, 0, 'MISC_CHECK retry defaults to 0');
  assert.equal(misc.miscTimeout, 6, 'misc_timeout defaults to delay_loop');
  const vsg = load('samples-virtual_server_group.conf');
  assert.deepEqual(vsg.virtualServers[0]!.service, { kind: 'group', group: 'VSG_1' });
  assert.deepEqual(vsg.virtualServerGroups['VSG_1']!.entries[3], {
    kind: 'address',
    address: '192.168.200.3',
    rangeEnd: '192.168.200.10',
    port: 80,
  });
  assert.deepEqual(vsg.virtualServerGroups['VSG_1']!.entries[4], { kind: 'fwmark', fwmark: 1 });
  const routes = load('samples-vrrp.routes.conf').vrrpInstances['VI_1']!.virtualRoutes;
  assert.deepEqual(routes.at(-1)?.words, ['0.0.0.0/0', 'gw', '192.168.0.1', 'table', '100']);
  assert.deepEqual(
    load('samples-vrrp.routes.conf').vrrpInstances['VI_1']!.virtualIpaddress.map((v) => v.dev),
    ['eth0', 'eth1', 'eth2'],
  );
  const quorum = load('samples-quorum.conf').virtualServers[0]!;
  assert.ok(quorum.quorumUp && quorum.quorumDown);
  const fw = load('samples-fwmark.conf').virtualServers[0]!;
  assert.equal(fw.service.kind, 'fwmark');
  const sync = load('samples-vrrp.sync.conf');
  assert.deepEqual(sync.vrrpSyncGroups['G1']?.notifyMaster?.argv, [
    '/usr/local/bin/vrrp.mast',
    'arg1',
    'arg2',
  ]);
  const udp = load('samples-UDP_CHECK.conf').virtualServers[0]!;
  assert.equal(udp.protocol, 'UDP');
  const etc = load('etc-keepalived.conf.sample.conf').vrrpInstances['VI_1']!;
  assert.deepEqual(
    [etc.state, etc.accept, etc.authentication],
    ['BACKUP', false, undefined],
    'vrrp_strict with v2',
  );
  // `!` starts a comment anywhere outside quotes, also inside a password: keepalived reads 'k@l'.
  const mixing = load('userguide-mixing.conf');
  assert.equal(mixing.vrrpInstances['VI_1']?.authentication?.password, 'k@l');
  assert.deepEqual(mixing.vrrpSyncGroups['VG2']?.group, ['VI_3', 'VI_4']);
  const ssl = load('samples-SSL_GET.conf');
  assert.equal(ssl.vrrpInstances['VI_1']?.state, 'BACKUP', 'AH authentication clears state MASTER');
});
