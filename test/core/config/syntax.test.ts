// keepalived.conf syntax (reference keepalived.md §4): comments, quotes, braces, includes, $NAME,
// @conditionals, ~SEQ/~LST, with positions tracked through all of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, kp, memFs, mustLoad } from './helpers.ts';

const instance = (body: string, name = 'VI_1') =>
  `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    10.0.0.1\n  }\n${body}\n}\n`;

test('! and # start comments anywhere outside quotes; \\# is literal; // is not a comment', () => {
  const { config } = mustLoad(
    kp(
      `global_defs { # trailing\n  router_id a\\#b ! comment\n  notification_email_from "x#y@z" # c\n}\n` +
        instance('  priority 120 ! the priority'),
    ),
  );
  assert.equal(config.globalDefs.routerId, 'a#b');
  assert.equal(config.globalDefs.notificationEmailFrom, 'x#y@z');
  assert.equal(config.vrrpInstances['VI_1']?.priority, 120);
  const errors = errorsOf(kp(instance('  priority 120 // not a comment')));
  assert.equal(errors[0]?.line, 7);
  assert.match(errors[0]?.message ?? '', /unexpected '\/\/'/);
});

test('quotes keep spaces, adjacent parts join, script commands split into argv', () => {
  const { config } = mustLoad(
    kp(
      `vrrp_script chk {\n  script "/usr/bin/check 'a b' c"\n}\n` +
        `global_defs {\n  router_id ab"c d"e\n}\n` +
        instance(
          '  notify_master "/bin/notify --flag \\"x\\"" root wheel\n  track_script {\n    chk weight 10 reverse\n  }',
        ),
    ),
  );
  assert.equal(config.globalDefs.routerId, 'abc de');
  assert.deepEqual(config.vrrpScripts['chk']?.script.argv, ['/usr/bin/check', 'a b', 'c']);
  const vi = config.vrrpInstances['VI_1']!;
  assert.deepEqual(vi.notifyMaster, {
    command: '/bin/notify --flag "x"',
    argv: ['/bin/notify', '--flag', 'x'],
    user: 'root',
    group: 'wheel',
  });
  assert.deepEqual(vi.trackScript, [{ name: 'chk', weight: 10, reverse: true }]);
});

test('an unterminated quote is an error at the quote', () => {
  const errors = errorsOf(kp('global_defs {\n  router_id "abc\n}\n'));
  assert.deepEqual(
    errors.map((e) => [e.line, e.column, e.code]),
    [[2, 13, 'syntax']],
  );
});

test('braces: on the next line, one-liners, extra and missing braces', () => {
  const { config } = mustLoad(
    kp(
      'vrrp_script chk\n{\n  script /bin/true\n}\n' +
        'vrrp_instance VI_1\n{\n  interface eth0\n  virtual_router_id 7\n  virtual_ipaddress { 10.0.0.9 }\n  track_script { chk }\n}\n',
    ),
  );
  assert.deepEqual(
    config.vrrpInstances['VI_1']?.virtualIpaddress.map((v) => v.address),
    ['10.0.0.9'],
  );
  assert.deepEqual(
    config.vrrpInstances['VI_1']?.trackScript.map((t) => t.name),
    ['chk'],
  );
  const extra = errorsOf(kp('global_defs {\n}\n}\n'));
  assert.deepEqual(
    extra.map((e) => [e.line, e.column, e.keyword]),
    [[3, 1, '}']],
  );
  const missing = errorsOf(kp('global_defs {\n  router_id x\n'));
  assert.deepEqual(
    missing.map((e) => [e.line, e.column, e.keyword]),
    [[1, 13, 'global_defs']],
  );
});

test('include: globs relative to the including file, braces, positions in the included file', () => {
  const fs = memFs({
    '/etc/keepalived/conf.d/10-vi1.conf': instance('  priority 110'),
    '/etc/keepalived/conf.d/20-vi2.conf': instance('  priority 90', 'VI_2').replace(
      'virtual_router_id 51',
      'virtual_router_id 52',
    ),
    '/etc/keepalived/conf.d/skip.txt': 'garbage {',
    '/etc/keepalived/globals/a.conf': 'global_defs {\n  router_id from_a\n}\n',
    '/etc/keepalived/bad.conf':
      'vrrp_instance BAD {\n  interface eth0\n  virtual_router_id 9\n  priority 300\n}\n',
  });
  const { config } = mustLoad(kp('include conf.d/*.conf\ninclude globals/{a,b}.conf\n', { ...fs }));
  assert.deepEqual(Object.keys(config.vrrpInstances), ['VI_1', 'VI_2']);
  assert.equal(config.globalDefs.routerId, 'from_a');
  const errors = errorsOf(kp('include bad.conf\n', { ...fs }));
  assert.deepEqual(
    errors.map((e) => [e.file, e.line, e.column, e.keyword]),
    [['/etc/keepalived/bad.conf', 4, 12, 'priority']],
  );
});

test('include: a missing file is an error (keepalived skips it), an empty glob a warning', () => {
  const fs = memFs({});
  const errors = errorsOf(kp('include nothere.conf\n', { ...fs }));
  assert.equal(errors[0]?.code, 'include');
  assert.match(errors[0]?.message ?? '', /\/etc\/keepalived\/nothere\.conf/);
  const r = kp('include conf.d/*.conf\n' + instance(''), { ...fs });
  assert.ok(r.ok);
  assert.equal(r.warnings[0]?.code, 'include');
});

test('include cycles and depth limits are clear errors', () => {
  const fs = memFs({
    '/etc/keepalived/a.conf': 'include b.conf\n',
    '/etc/keepalived/b.conf': 'include a.conf\n',
  });
  const errors = errorsOf(kp('include a.conf\n', { ...fs }));
  assert.equal(errors.length, 1);
  assert.match(
    errors[0]!.message,
    /include cycle: \/etc\/keepalived\/a\.conf -> \/etc\/keepalived\/b\.conf -> \/etc\/keepalived\/a\.conf/,
  );
  const chain: Record<string, string> = {};
  for (let i = 0; i < 40; i++) chain[`/etc/keepalived/c${i}.conf`] = `include c${i + 1}.conf\n`;
  chain['/etc/keepalived/c40.conf'] = '';
  const deep = errorsOf(kp('include c0.conf\n', { ...memFs(chain) }));
  assert.equal(deep[0]?.code, 'limit');
  assert.match(deep[0]!.message, /nested deeper than 16/);
  const readErr = errorsOf(
    kp('include x.conf\n', {
      readFile: () => {
        throw new Error('EACCES: permission denied');
      },
    }),
  );
  assert.match(readErr[0]!.message, /permission denied/);
});

test('$NAME definitions: simple, ${NAME}, recursive, multi-line, undefined left verbatim', () => {
  const text = [
    '$IF=eth1',
    '$PRIO=1${TENS}',
    '$TENS=20',
    '$VIPS=\\',
    '    10.0.0.1 \\',
    '    10.0.0.2',
    'vrrp_instance VI_1 {',
    '  interface $IF',
    '  virtual_router_id 51',
    '  priority ${PRIO}',
    '  virtual_ipaddress {',
    '    $VIPS',
    '  }',
    '  notify_master "/bin/x $UNDEFINED"',
    '}',
  ].join('\n');
  const { config } = mustLoad(kp(text));
  const vi = config.vrrpInstances['VI_1']!;
  assert.equal(vi.interface, 'eth1');
  assert.equal(vi.priority, 120);
  assert.deepEqual(
    vi.virtualIpaddress.map((v) => v.address),
    ['10.0.0.1', '10.0.0.2'],
  );
  assert.deepEqual(vi.notifyMaster?.argv, ['/bin/x', '$UNDEFINED']);
  // An error inside an expansion is reported at the $NAME reference.
  const errors = errorsOf(kp(`$P=999\n${instance('  priority $P')}`));
  assert.deepEqual(
    errors.map((e) => [e.line, e.column, e.keyword]),
    [[8, 12, 'priority']],
  );
  const selfRef = errorsOf(kp(`$A=$A x\n${instance('  priority $A')}`));
  assert.equal(selfRef[0]?.code, 'limit');
});

test('predefined ${_HASH} ${_BANG} ${_PWD}; ${_RANDOM} needs an injected source', () => {
  const { config } = mustLoad(
    kp(`global_defs {\n  router_id a\${_HASH}b\${_BANG}\n  reload_file \${_PWD}/r\n}\n` + instance('')),
  );
  assert.equal(config.globalDefs.routerId, 'a#b!');
  assert.equal(config.globalDefs.reloadFile, '/etc/keepalived/r');
  const r = kp(instance('  priority ${_RANDOM 100 100}'), { random: () => 0.5 });
  assert.equal(mustLoad(r).config.vrrpInstances['VI_1']?.priority, 100);
  assert.equal(errorsOf(kp(instance('  priority ${_RANDOM 1 2}')))[0]?.keyword, '${_RANDOM}');
});

test('@ID / @^ID lines follow the config id', () => {
  const text = instance('@lb1 priority 150\n@^lb1 priority 50');
  assert.equal(mustLoad(kp(text, { configId: 'lb1' })).config.vrrpInstances['VI_1']?.priority, 150);
  assert.equal(mustLoad(kp(text, { configId: 'lb2' })).config.vrrpInstances['VI_1']?.priority, 50);
  assert.equal(mustLoad(kp(text)).config.vrrpInstances['VI_1']?.priority, 50);
});

test('~SEQ and ~LST generate lines', () => {
  const text = [
    'vrrp_instance VI_1 {',
    '  interface eth0',
    '  virtual_router_id 51',
    '  virtual_ipaddress {',
    '~SEQ(n,1,1,3)    10.0.0.$n',
    '~LST(x,7,9)    10.0.1.$x',
    '  }',
    '}',
    '~SEQ(v,10,10,30) virtual_server 10.1.0.$v 80 { protocol TCP }',
  ].join('\n');
  const { config } = mustLoad(kp(text));
  assert.deepEqual(
    config.virtualServers.map((vs) => (vs.service.kind === 'address' ? vs.service.address : '')),
    ['10.1.0.10', '10.1.0.20', '10.1.0.30'],
  );
  assert.deepEqual(
    config.vrrpInstances['VI_1']?.virtualIpaddress.map((v) => v.address),
    ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.7', '10.0.1.9'],
  );
});

test('CRLF line endings and a BOM-free file with tabs parse the same', () => {
  const text = instance('\tpriority\t130').replace(/\n/g, '\r\n');
  assert.equal(mustLoad(kp(text)).config.vrrpInstances['VI_1']?.priority, 130);
});

test('shell escapes inside double quotes: \\t \\x41 \\101 \\\\ \\" and \\c', () => {
  const { config } = mustLoad(
    kp(`global_defs {\n  router_id "a\\tb\\x41\\101\\\\\\"z"\n  smtp_helo_name "\\cA"\n}\n`),
  );
  assert.equal(config.globalDefs.routerId, 'a\tbAA\\"z');
  assert.equal(config.globalDefs.smtpHeloName, '\x01');
});
