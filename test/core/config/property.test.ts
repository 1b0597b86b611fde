// Property tests: whatever the input, the front ends return diagnostics instead of throwing; deep
// nesting, huge files and include cycles end in clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseKeepalived, parseNative, toNative } from '../../../core/config/index.ts';
import { errorsOf, kp, memFs } from './helpers.ts';

const keywords = [
  'global_defs',
  'vrrp_instance',
  'virtual_server',
  'real_server',
  'TCP_CHECK',
  'HTTP_GET',
  'url',
  'path',
  'state',
  'MASTER',
  'priority',
  'interface',
  'virtual_router_id',
  'virtual_ipaddress',
  'include',
  '{',
  '}',
  '"',
  "'",
  '!',
  '#',
  '$X=',
  '$X',
  '${X}',
  '@a',
  '@^a',
  '~SEQ(i,1,1,3)',
  '~LST(',
  '\\',
  '10.0.0.1',
  '80',
  '\n',
  ' ',
  '\t',
];

const noThrow = (text: string): void => {
  const r = parseKeepalived(text, {
    file: '/etc/keepalived/f.conf',
    ...memFs({ '/etc/keepalived/x': text }),
  });
  assert.equal(typeof r.ok, 'boolean');
  if (!r.ok) {
    assert.ok(r.diagnostics.length > 0, 'a rejected config has at least one diagnostic');
    for (const d of r.diagnostics) {
      assert.ok(d.line >= 1 && d.column >= 1, `position ${d.line}:${d.column}`);
      assert.equal(typeof d.message, 'string');
    }
  }
};

test('arbitrary strings never throw', () => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), noThrow), { numRuns: 300 });
});

test('arbitrary bytes decoded as UTF-8 (with replacement characters) never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => noThrow(new TextDecoder().decode(bytes))),
    { numRuns: 300 },
  );
});

test('token soups of keepalived syntax never throw', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...keywords), { maxLength: 120 }), (words) =>
      noThrow(words.join(' ')),
    ),
    { numRuns: 400 },
  );
});

test('arbitrary native YAML/JSON text and values never throw', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (text) => {
      const r = parseNative(text, { file: 'f.yaml' });
      assert.equal(typeof r.ok, 'boolean');
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      const r = parseNative(JSON.stringify(value), { file: 'f.json' });
      assert.equal(typeof r.ok, 'boolean');
    }),
    { numRuns: 200 },
  );
});

test('deep nesting is a clear limit error, not a stack overflow', () => {
  const depth = 100_000;
  const errors = errorsOf(kp(`${'a {\n'.repeat(depth)}${'}\n'.repeat(depth)}`));
  assert.ok(errors.some((e) => e.code === 'limit' && /nested deeper than 64/.test(e.message)));
  const inline = errorsOf(kp(`${'a { '.repeat(depth)}${'} '.repeat(depth)}`));
  assert.ok(inline.some((e) => e.code === 'limit'));
  const yaml = parseNative(`${'['.repeat(5000)}${']'.repeat(5000)}`, { file: 'deep.yaml' });
  assert.equal(yaml.ok, false);
});

test('a huge file is refused with a clear error; a large valid one parses', () => {
  const huge = parseKeepalived('x'.repeat(2000), { file: 'big.conf', limits: { totalChars: 1000 } });
  assert.equal(huge.ok, false);
  if (!huge.ok) assert.match(huge.diagnostics[0]!.message, /larger than 1000 characters/);
  const many = Array.from(
    { length: 2000 },
    (_, i) =>
      `virtual_server 10.0.${i >> 8}.${i & 255} 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n  real_server 10.1.0.1 80 {\n  }\n}\n`,
  ).join('');
  const r = kp(many);
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.config.virtualServers.length, 2000);
});

test('random include graphs (cycles included) end in a result, never a throw', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), { minLength: 1, maxLength: 6 }),
      (graph) => {
        const files: Record<string, string> = {};
        graph.forEach((targets, i) => {
          files[`/c/f${i}.conf`] = targets.map((t) => `include f${t}.conf`).join('\n');
        });
        const r = parseKeepalived(files['/c/f0.conf'] ?? '', { file: '/c/f0.conf', ...memFs(files) });
        assert.equal(typeof r.ok, 'boolean');
      },
    ),
    { numRuns: 200 },
  );
});

test('variable expansion bombs are stopped by the line length limit', () => {
  const defs = ['$A0=xxxxxxxxxxxxxxxx'];
  for (let i = 1; i < 30; i++) defs.push(`$A${i}=\${A${i - 1}} \${A${i - 1}}`);
  const errors = errorsOf(kp(`${defs.join('\n')}\nglobal_defs {\n  router_id $A29\n}\n`));
  assert.ok(errors.some((e) => e.code === 'limit'));
});

test('generated keepalived.conf files round-trip through the native format unchanged', () => {
  const ip = fc
    .tuple(fc.integer({ min: 1, max: 254 }), fc.integer({ min: 0, max: 255 }))
    .map(([a, b]) => `10.${a}.${b}.1`);
  const checker = fc.oneof(
    fc
      .record({ t: fc.constant('TCP_CHECK'), timeout: fc.integer({ min: 1, max: 9 }) })
      .map((c) => `TCP_CHECK {\n connect_timeout ${c.timeout}\n }`),
    fc
      .record({ path: fc.constantFrom('/', '/health', '/a/b'), code: fc.constantFrom('200', '200-299 301') })
      .map((c) => `HTTP_GET {\n url {\n path ${c.path}\n status_code ${c.code}\n }\n }`),
    fc.constant('MISC_CHECK {\n misc_path "/bin/check a b"\n }'),
    fc.constant('DNS_CHECK {\n type A\n name example.org\n }'),
  );
  const rs = fc.record({
    ip,
    port: fc.integer({ min: 1, max: 65535 }),
    weight: fc.option(fc.integer({ min: 0, max: 100 })),
    checkers: fc.array(checker, { maxLength: 2 }),
  });
  const vs = fc.record({
    ip,
    port: fc.integer({ min: 1, max: 65535 }),
    sched: fc.constantFrom('rr', 'wrr', 'lc', 'wlc', 'sh'),
    method: fc.constantFrom('NAT', 'DR', 'TUN'),
    proto: fc.constantFrom('TCP', 'UDP', 'SCTP'),
    persistence: fc.option(fc.integer({ min: 1, max: 3600 })),
    rs: fc.uniqueArray(rs, { maxLength: 4, selector: (r) => `${r.ip}:${r.port}` }),
  });
  const inst = fc.record({
    prio: fc.integer({ min: 1, max: 255 }),
    state: fc.option(fc.constantFrom('MASTER', 'BACKUP')),
    advert: fc.integer({ min: 1, max: 10 }),
    nopreempt: fc.boolean(),
    vips: fc.uniqueArray(ip, { minLength: 1, maxLength: 3 }),
  });
  const conf = fc.record({
    strict: fc.boolean(),
    insts: fc.array(inst, { maxLength: 3 }),
    vss: fc.uniqueArray(vs, { maxLength: 3, selector: (v) => `${v.proto} ${v.ip}:${v.port}` }),
  });
  fc.assert(
    fc.property(conf, (c) => {
      const text = [
        `global_defs {\n${c.strict ? ' vrrp_strict\n' : ''}}`,
        ...c.insts.map(
          (i, k) =>
            `vrrp_instance VI_${k} {\n interface eth${k}\n virtual_router_id ${k + 1}\n priority ${i.prio}\n advert_int ${i.advert}\n` +
            `${i.state ? ` state ${i.state}\n` : ''}${i.nopreempt ? ' nopreempt\n' : ''} virtual_ipaddress {\n${i.vips.join('\n')}\n }\n}`,
        ),
        ...c.vss.map(
          (v) =>
            `virtual_server ${v.ip} ${v.port} {\n protocol ${v.proto}\n lvs_sched ${v.sched}\n lvs_method ${v.method}\n` +
            `${v.persistence ? ` persistence_timeout ${v.persistence}\n` : ''}` +
            v.rs
              .map(
                (r) =>
                  ` real_server ${r.ip} ${r.port} {\n${r.weight !== null ? ` weight ${r.weight}\n` : ''}${r.checkers.join('\n')}\n }`,
              )
              .join('\n') +
            '\n}',
        ),
      ].join('\n');
      const r = parseKeepalived(text, { file: 'gen.conf' });
      if (!r.ok)
        throw new Error(
          `generated config rejected:\n${text}\n${r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n')}`,
        );
      for (const format of ['yaml', 'json'] as const) {
        const back = parseNative(toNative(r.config, format), { file: `g.${format}` });
        assert.ok(back.ok);
        if (back.ok) assert.deepEqual(back.config, r.config);
      }
    }),
    { numRuns: 60 },
  );
});
