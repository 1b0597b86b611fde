// Property tests: whatever the input, the front ends return diagnostics instead of throwing; deep
// nesting, huge files and include cycles end in clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseKeepalived, parseNative } from '../../../core/config/index.ts';
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
