// What keepalived would log and then run on defaults, floatip refuses: each error names file, line,
// column, keyword, what was expected and, where something close exists, what was probably meant. Every
// error of a file is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDiagnostic } from '../../../core/config/index.ts';
import { errorsOf, kp, mustLoad } from './helpers.ts';

const vs = (body: string) => `virtual_server 10.0.0.1 80 {\n  protocol TCP\n${body}\n}\n`;
const vi = (body: string) =>
  `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    10.0.0.1\n  }\n${body}\n}\n`;

test('state Master: bad value, with the expected values and MASTER suggested', () => {
  const [e, ...rest] = errorsOf(kp(vi('  state Master')));
  assert.equal(rest.length, 0);
  assert.deepEqual(
    { file: e!.file, line: e!.line, column: e!.column, keyword: e!.keyword, suggestion: e!.suggestion },
    { file: '/etc/keepalived/test.conf', line: 7, column: 9, keyword: 'state', suggestion: 'MASTER' },
  );
  assert.equal(e!.expected, 'MASTER, BACKUP');
  assert.equal(
    formatDiagnostic(e!),
    "/etc/keepalived/test.conf:7:9: error: 'Master' is not a valid state (expected MASTER, BACKUP) (did you mean MASTER?)",
  );
});

test('lb_algo loadbalance: lists the schedulers, and rr-like typos get a suggestion', () => {
  const [e] = errorsOf(kp(vs('  lb_algo loadbalance')));
  assert.equal(e?.line, 3);
  assert.equal(e?.column, 11);
  assert.match(e!.expected!, /rr, wrr, lc, wlc/);
  assert.equal(e?.suggestion, undefined, 'nothing is close to "loadbalance"');
  assert.equal(errorsOf(kp(vs('  lvs_sched wrrr')))[0]?.suggestion, 'wrr');
  assert.equal(errorsOf(kp(vs('  lvs_method dr')))[0]?.suggestion, 'DR');
});

test('unknown keywords: error with the closest keyword of that block; lenient makes them warnings', () => {
  const errors = errorsOf(kp(vi('  priorty 100\n  advert_intt 1')));
  assert.deepEqual(
    errors.map((e) => [e.line, e.column, e.keyword, e.suggestion]),
    [
      [7, 3, 'priorty', 'priority'],
      [8, 3, 'advert_intt', 'advert_int'],
    ],
  );
  const r = kp(vi('  priorty 100'), { lenient: true });
  const { warnings, config } = mustLoad(r);
  assert.equal(warnings[0]?.code, 'unknown-keyword');
  assert.equal(
    config.vrrpInstances['VI_1']?.priority,
    100,
    'the unknown keyword is ignored: default priority',
  );
  assert.equal(errorsOf(kp('vrrp_instanse VI_1 {\n}\n'))[0]?.suggestion, 'vrrp_instance');
});

test('every error of a file is reported, in file order', () => {
  const text = [
    'global_defs {',
    '  vrrp_version 4',
    '}',
    'vrrp_instance VI_1 {',
    '  state SLAVE',
    '  interface eth0',
    '  virtual_router_id 256',
    '  priority 0',
    '  advert_int fast',
    '  virtual_ipaddress {',
    '    10.0.0.300',
    '  }',
    '}',
    'virtual_server 10.0.0.1 80 {',
    '  protocol TCPP',
    '  lb_kind NATT',
    '  real_server 10.0.1.1 80 {',
    '    weight -1',
    '    TCP_CHECK {',
    '      connect_timeout soon',
    '    }',
    '  }',
    '}',
  ].join('\n');
  const errors = errorsOf(kp(text));
  assert.deepEqual(
    errors.map((e) => [e.line, e.keyword]),
    [
      [2, 'vrrp_version'],
      [5, 'state'],
      [7, 'virtual_router_id'],
      [8, 'priority'],
      [9, 'advert_int'],
      [11, 'virtual_ipaddress'],
      [15, 'protocol'],
      [16, 'lb_kind'],
      [18, 'weight'],
      [20, 'connect_timeout'],
    ],
  );
  assert.equal(errors.find((e) => e.keyword === 'protocol')?.suggestion, 'TCP');
  assert.equal(errors.find((e) => e.keyword === 'lb_kind')?.suggestion, 'NAT');
  assert.equal(errors.find((e) => e.keyword === 'virtual_router_id')?.expected, 'an integer 1..255');
});

test('names: unknown track_script, sync group member, virtual_server group, lvs_sync_daemon instance', () => {
  const text = [
    'vrrp_script chk_haproxy {',
    '  script "/bin/true"',
    '}',
    vi('  track_script {\n    chk_haproxi\n  }'),
    'vrrp_sync_group G {',
    '  group {',
    '    VI_2',
    '  }',
    '}',
    'virtual_server_group WEB {',
    '  10.0.0.5 80',
    '}',
    'virtual_server group WEBB {',
    '  protocol TCP',
    '}',
    'global_defs {',
    '  lvs_sync_daemon eth0 VI_9',
    '}',
  ].join('\n');
  const errors = errorsOf(kp(text));
  assert.deepEqual(
    errors.map((e) => [e.line, e.code, e.suggestion]),
    [
      [11, 'unknown-name', 'chk_haproxy'],
      [17, 'unknown-name', 'VI_1'],
      [23, 'unknown-name', 'WEB'],
      [27, 'unknown-name', 'VI_1'],
    ],
  );
});

test('duplicates: instance names and VRIDs on one interface', () => {
  const twice = errorsOf(kp(vi('') + vi('')));
  assert.equal(twice[0]?.code, 'duplicate');
  assert.equal(twice[0]?.line, 9);
  const vrid = errorsOf(kp(vi('') + vi('').replace('VI_1', 'VI_2')));
  assert.equal(vrid[0]?.code, 'duplicate');
  assert.match(vrid[0]!.message, /virtual_router_id 51 is already used by vrrp_instance VI_1/);
});

test('missing required parts are named', () => {
  const errors = errorsOf(kp('vrrp_instance VI_1 {\n  priority 100\n}\nvrrp_script s {\n  interval 2\n}\n'));
  assert.deepEqual(
    errors.map((e) => [e.line, e.keyword]),
    [
      [1, 'virtual_router_id'],
      [4, 'script'],
    ],
  );
  const noIf = errorsOf(
    kp('vrrp_instance VI_1 {\n  virtual_router_id 5\n  virtual_ipaddress {\n 10.0.0.1\n }\n}\n'),
  );
  assert.equal(noIf[0]?.keyword, 'interface');
  const http = errorsOf(
    kp(vs('  real_server 10.0.0.2 80 {\n    HTTP_GET {\n      connect_timeout 3\n    }\n  }')),
  );
  assert.equal(http[0]?.keyword, 'HTTP_GET');
  assert.match(http[0]!.message, /needs url/);
});

test('scheduler flags are refused for the wrong scheduler; values outside checker ranges too', () => {
  const e = errorsOf(kp(vs('  lvs_sched rr\n  sh-port')));
  assert.match(e[0]!.message, /only applies to the sh scheduler/);
  const ok = mustLoad(kp(vs('  lvs_sched sh\n  sh-port\n  sh-fallback'))).config.virtualServers[0]!;
  assert.deepEqual(ok.schedulerFlags, { flag1: true, flag2: true, flag3: false });
  const st = errorsOf(
    kp(
      vs(
        '  real_server 10.0.0.2 80 {\n    HTTP_GET {\n      url {\n        path /\n        status_code 99\n      }\n    }\n  }',
      ),
    ),
  );
  assert.equal(st[0]?.keyword, 'status_code');
});

test('deprecated aliases are accepted with a warning naming the new keyword', () => {
  const { config, warnings } = mustLoad(
    kp(
      'vrrp_track_file tf {\n  file /run/x\n}\n' +
        vs(
          '  lb_algo rr\n  lb_kind DR\n  real_server 10.0.0.2 80 {\n    SSL_GET {\n      url {\n        path /\n      }\n      nb_get_retry 4\n    }\n  }',
        ),
    ),
  );
  assert.deepEqual(
    warnings.filter((w) => w.code === 'deprecated').map((w) => w.keyword),
    ['vrrp_track_file', 'lb_algo', 'lb_kind', 'nb_get_retry'],
  );
  assert.equal(config.trackFiles['tf']?.file, '/run/x');
  const ck = config.virtualServers[0]!.realServers[0]!.checkers[0]!;
  assert.equal(ck.type === 'SSL_GET' ? ck.retry : -1, 4);
});

test('huge counts of errors are capped with a final note', () => {
  const text = vi(Array.from({ length: 800 }, () => '  bogus 1').join('\n'));
  const errors = errorsOf(kp(text));
  assert.equal(errors.length, 501);
  assert.equal(errors.at(-1)?.code, 'limit');
});

test('an unquoted script command with arguments is refused (keepalived would run only the first word)', () => {
  const [e] = errorsOf(kp('vrrp_script chk {\n  script killall -0 haproxy\n}\n'));
  assert.deepEqual([e?.line, e?.column, e?.keyword], [2, 18, 'script']);
  assert.match(e!.message, /runs only 'killall' and ignores '-0 haproxy'/);
  assert.equal(e!.expected, 'the whole command in quotes: script "killall -0 haproxy"');
});

test('the same virtual service twice is an error at the second one', () => {
  const [e] = errorsOf(kp(vs('  lvs_sched rr\n  lvs_method NAT') + vs('  lvs_sched wrr\n  lvs_method NAT')));
  assert.deepEqual([e?.line, e?.code], [6, 'duplicate']);
  assert.match(e!.message, /repeats virtual_server #1 \(TCP 10\.0\.0\.1 80\)/);
});
