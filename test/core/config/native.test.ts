// The native YAML/JSON format: same model, same validation, errors located by line/column/field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, parseConfigText, parseNative, toNative } from '../../../core/config/index.ts';
import { kp, mustFail, mustLoad } from './helpers.ts';

const yaml = `# floatip native configuration
globalDefs:
  routerId: lb1
vrrpInstances:
  VI_1:
    interface: eth0
    virtualRouterId: 51
    priority: 150
    virtualIpaddress:
      - { address: 10.0.0.1, prefix: 24 }
virtualServers:
  - service: { kind: address, address: 10.0.0.1, port: 80 }
    protocol: TCP
    lvsSched: rr
    realServers:
      - address: 10.0.1.1
        checkers:
          - type: HTTP_GET
            url:
              - path: /health
cloud:
  provider: aws
  anything: [1, 2]
`;

test('a native YAML file resolves with the same defaults as keepalived.conf', () => {
  const { config } = mustLoad(parseNative(yaml, { file: 'floatip.yaml' }));
  const vi = config.vrrpInstances['VI_1']!;
  assert.deepEqual(
    [vi.state, vi.advertInt, vi.version, vi.virtualIpaddress[0]?.dev],
    ['BACKUP', 1, 2, 'eth0'],
  );
  const vs = config.virtualServers[0]!;
  assert.deepEqual(
    [vs.delayLoop, vs.forwarding.method, vs.realServers[0]?.port, vs.realServers[0]?.weight],
    [60, 'NAT', 80, 1],
  );
  const ck = vs.realServers[0]!.checkers[0]!;
  assert.equal(ck.type === 'HTTP_GET' ? ck.delayBeforeRetry : -1, 3);
  assert.deepEqual(
    config.cloud,
    { provider: 'aws', anything: [1, 2] },
    'cloud: is passed through (extension point)',
  );
});

test('the same configuration written as keepalived.conf gives the same model', () => {
  const conf = [
    'global_defs {\n  router_id lb1\n}',
    'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 150\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}',
    'virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lvs_sched rr\n  real_server 10.0.1.1 80 {\n    HTTP_GET {\n      url {\n        path /health\n      }\n    }\n  }\n}',
  ].join('\n');
  const fromConf = mustLoad(kp(conf)).config;
  const fromYaml = mustLoad(parseNative(yaml.replace(/cloud:[\s\S]*$/, ''), { file: 'f.yaml' })).config;
  assert.deepEqual(fromYaml, fromConf);
});

test('schema errors carry the line and column of the offending node and the field path', () => {
  const bad = yaml.replace('priority: 150', 'priority: 300').replace('lvsSched: rr', 'lvsSched: roundrobin');
  const errors = mustFail(parseNative(bad, { file: 'floatip.yaml' })).filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((e) => [e.line, e.column, e.keyword]),
    [
      [8, 15, 'vrrpInstances.VI_1.priority'],
      [14, 15, 'virtualServers.0.lvsSched'],
    ],
  );
  assert.match(errors[1]!.expected!, /wrr/);
});

test('unknown fields are errors with a suggestion; lenient drops them with a warning', () => {
  const bad = yaml.replace('priority: 150', 'priorty: 150');
  const [e] = mustFail(parseNative(bad, { file: 'floatip.yaml' }));
  assert.deepEqual([e?.line, e?.column, e?.suggestion], [8, 5, 'priority']);
  const { warnings, config } = mustLoad(parseNative(bad, { file: 'floatip.yaml', lenient: true }));
  assert.equal(warnings[0]?.code, 'unknown-keyword');
  assert.equal(config.vrrpInstances['VI_1']?.priority, 100);
});

test('cross-reference errors in native files point at the name', () => {
  const bad = `${yaml}vrrpSyncGroups:\n  G:\n    group: [VI_1, VI_2]\n`;
  const [e] = mustFail(parseNative(bad, { file: 'floatip.yaml' }));
  assert.deepEqual([e?.line, e?.column, e?.code, e?.suggestion], [26, 19, 'unknown-name', 'VI_1']);
});

test('YAML and JSON syntax errors are located; JSON is checked as JSON', () => {
  const [y] = mustFail(parseNative('vrrpInstances:\n  VI_1: [\n', { file: 'x.yaml' }));
  assert.equal(y?.code, 'syntax');
  assert.ok((y?.line ?? 0) >= 2);
  const [dup] = mustFail(parseNative('globalDefs: {}\nglobalDefs: {}\n', { file: 'x.yaml' }));
  assert.equal(dup?.line, 2);
  const [j] = mustFail(parseNative('{"globalDefs": {}, }', { file: 'x.json' }));
  assert.equal(j?.code, 'syntax');
  const json = toNative(mustLoad(parseNative(yaml, { file: 'f.yaml' })).config, 'json');
  assert.ok(mustLoad(parseNative(json, { file: 'f.json' })).config.vrrpInstances['VI_1']);
});

test('format detection by extension, then by content', () => {
  assert.equal(detectFormat('/etc/keepalived/keepalived.conf', ''), 'keepalived');
  assert.equal(detectFormat('a.yml', ''), 'yaml');
  assert.equal(detectFormat('a.json', ''), 'json');
  assert.equal(detectFormat('cfg', '# c\nvrrpInstances:\n'), 'yaml');
  assert.equal(detectFormat('cfg', '{ "a": 1 }'), 'json');
  assert.equal(detectFormat('cfg', '! c\nglobal_defs {\n}'), 'keepalived');
  assert.ok(parseConfigText(yaml, { file: 'cfg' }).ok);
});

test('toNative(yaml) writes a header comment and every default', () => {
  const config = mustLoad(parseNative(yaml, { file: 'f.yaml' })).config;
  const text = toNative(config, 'yaml', 'converted from x');
  assert.match(text, /^# converted from x\n/);
  assert.match(text, /delayLoop: 60/);
  assert.match(text, /garpMasterRepeat: 5/);
});

test('examples/floatip.yaml means the same as examples/keepalived.conf', async () => {
  const { readFileSync } = await import('node:fs');
  const root = new URL('../../../examples/', import.meta.url);
  const fromYaml = mustLoad(
    parseNative(readFileSync(new URL('floatip.yaml', root), 'utf8'), { file: 'floatip.yaml' }),
  );
  const fromConf = mustLoad(kp(readFileSync(new URL('keepalived.conf', root), 'utf8')));
  assert.deepEqual(fromYaml.config, fromConf.config);
  assert.deepEqual(fromYaml.warnings, []);
});
