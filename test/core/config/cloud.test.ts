import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCloudSection } from '../../../core/config/cloud.ts';

const good = {
  providers: { aws: { type: 'aws', region: 'eu-west-1' }, dns: { type: 'dns' } },
  members: {
    a: { aws: { networkInterfaceId: 'eni-a' }, dns: { address: '192.0.2.1' } },
    b: { priority: 50, aws: {}, dns: {} },
  },
  resources: [
    { id: 'eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } },
    { id: 'rec', provider: 'dns', kind: 'record', spec: {} },
  ],
};

test('a valid section passes with documented defaults, members normalized with their settings per provider', () => {
  const r = validateCloudSection(good);
  assert.ok(r.ok);
  assert.equal(r.value.group.id, 'default');
  assert.equal(r.value.holdDownMs, 30_000);
  assert.deepEqual(r.value.group.members[1], { id: 'b', priority: 50, settings: { aws: {}, dns: {} } });
  assert.deepEqual(r.value.providers.aws, { type: 'aws', settings: { region: 'eu-west-1' } });
});

test('a provider type defaults to its name', () => {
  const r = validateCloudSection({ ...good, providers: { aws: { region: 'x' }, dns: {} } });
  assert.ok(r.ok);
  assert.equal(r.value.providers.dns?.type, 'dns');
});

test('cross-references: unknown provider, duplicate id, a member naming an unconfigured provider, self not a member', () => {
  const r = validateCloudSection({
    ...good,
    self: 'c',
    members: { a: { aws: {}, asw: {} }, b: { aws: {}, dns: {} } },
    resources: [...good.resources, { id: 'eip', provider: 'gcp', kind: 'route', spec: {} }],
  });
  assert.ok(!r.ok);
  assert.deepEqual(
    r.problems.map((p) => [p.path.join('.'), p.message.split(' ').slice(0, 3).join(' ')]),
    [
      ['resources.2.id', 'duplicate resource id'],
      ['resources.2.provider', "unknown provider 'gcp'"],
      ['members.a.asw', "unknown provider 'asw'"],
      ['self', 'self c is'],
    ],
  );
});

test('schema errors carry the field path; a member key that is not a mapping is refused', () => {
  const r = validateCloudSection({ ...good, members: { a: { aws: 'eni-a' } } });
  assert.ok(!r.ok);
  assert.deepEqual(r.problems[0]?.path, ['members', 'a', 'aws']);
  const t = validateCloudSection({ ...good, providers: { AWS: { type: 'aws' } } });
  assert.ok(!t.ok && t.problems[0]?.path.join('.') === 'providers.AWS');
});
