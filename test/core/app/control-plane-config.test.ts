import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseControlPlaneConfig } from '../../../core/config/control-plane.ts';
import { testConfigInput } from '../../e2e/control-plane/fixture.ts';

test('control-plane config: defaults filled, valid config accepted', () => {
  const r = parseControlPlaneConfig({
    groups: [
      { id: 'web', members: { a: {} }, resources: [{ id: 'v', provider: 'memory', kind: 'address' }] },
    ],
  });
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.config.redis.url, 'redis://127.0.0.1:6379');
  assert.equal(r.config.http.bodyLimitBytes, 65536);
  assert.equal(r.config.groups[0]?.members[0]?.priority, 100);
  assert.equal(parseControlPlaneConfig(testConfigInput('p')).ok, true);
});

test('control-plane config: every error names its path, nothing is defaulted over a bad value', () => {
  const r = parseControlPlaneConfig({
    redis: { url: 'http://x', prefix: 'a:b' },
    http: { port: 70000, extra: 1 },
    tokens: [{ name: 'ops', scopes: ['admin'] }],
    webhooks: { sns: { topicArns: ['nope'], certUrlPattern: 'https://evil' } },
    alerts: [{ match: { a: 'b' }, group: 'nope', groupLabel: 'g' }],
    groups: [
      { id: 'web', members: { a: {}, b: { priority: 0 } }, resources: [] },
      { id: 'web', members: { x: {} }, resources: [{ id: 'r', provider: 'AWS', kind: 'eip' }] },
    ],
  });
  assert.equal(r.ok, false);
  const got = r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
  for (const want of [
    'controlPlane.redis.url: must match ^rediss?:\\/\\/',
    'controlPlane.redis.prefix: must match ^[A-Za-z0-9_.-]+$',
    'controlPlane.http.extra: unknown key',
    'controlPlane.http.port: must be an integer from 0 to 65535',
    "controlPlane.tokens[0].scopes[0]: must be 'read', 'failover' or 'report'",
    'controlPlane.tokens[0]: needs exactly one of value, env',
    'controlPlane.webhooks.sns.topicArns[0]: must match ^arn:aws[a-z-]*:sns:',
    "controlPlane.webhooks.sns.certUrlPattern: must be anchored (start with '^')",
    "controlPlane.alerts[0].group: unknown group 'nope'",
    'controlPlane.alerts[0]: needs exactly one of group, groupLabel',
    'controlPlane.groups[0].members.b.priority: must be an integer from 1 to 254',
    'controlPlane.groups[0].resources: at least one resource is needed',
    'controlPlane.groups[1].resources[0].provider: provider names are lower-case words (a-z, 0-9, -)',
  ])
    assert.ok(got.includes(want), `missing: ${want}\ngot:\n${got.join('\n')}`);
});

test('control-plane config: duplicate group ids are refused', () => {
  const g = {
    id: 'web',
    members: { a: {} },
    resources: [{ id: 'v', provider: 'memory', kind: 'address' }],
  };
  const r = parseControlPlaneConfig({ groups: [g, g] });
  assert.deepEqual(r.ok ? [] : r.errors, [
    { path: 'controlPlane.groups[1].id', message: "duplicate group id 'web'" },
  ]);
});

test('control-plane config: shapes, unknown keys, provider names and duplicate tokens each name their path', () => {
  const g = [{ id: 'w', members: { a: {} }, resources: [{ id: 'v', provider: 'memory', kind: 'address' }] }];
  const errors = (input: unknown) => {
    const r = parseControlPlaneConfig(input);
    return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
  };
  assert.deepEqual(errors([]), ['controlPlane: must be a mapping']);
  assert.deepEqual(errors({ groups: g, bogus: 1, redis: { port: 1 } }), [
    'controlPlane.redis.port: unknown key',
    'controlPlane.bogus: unknown key',
  ]);
  assert.deepEqual(errors({ groups: g, providers: { AWS: {}, aws: 3 } }), [
    'controlPlane.providers.AWS: provider names are lower-case words (a-z, 0-9, -)',
    'controlPlane.providers.aws: must be a mapping',
  ]);
  assert.deepEqual(
    errors({
      groups: g,
      tokens: [
        { name: 't', value: 'x', scopes: ['read'] },
        { name: 't', env: 'T', scopes: ['read'] },
      ],
    }),
    ["controlPlane.tokens[1].name: duplicate token name 't'"],
  );
  assert.deepEqual(
    errors({
      groups: [{ id: 'w', members: 'x', resources: [{ id: 'v', provider: 'm', kind: 'k', spec: [] }] }],
      http: { port: 1.5 },
      alerts: [{ group: 'w', memberMap: { a: 1 } }],
    }).sort(),
    [
      'controlPlane.alerts[0].memberMap.a: must be a string',
      'controlPlane.groups[0].members: must be a mapping of member id to settings',
      'controlPlane.groups[0].resources[0].spec: must be a mapping',
      'controlPlane.http.port: must be an integer from 0 to 65535',
    ],
  );
});
