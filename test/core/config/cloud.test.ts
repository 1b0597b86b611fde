import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCloudSection } from '../../../core/config/cloud.ts';

const good = {
  providers: { aws: { type: 'aws', region: 'eu-west-1' }, dns: { type: 'dns' } },
  members: {
    a: { aws: { networkInterfaceId: 'eni-a' }, dns: { address: '192.0.2.1' } },
    b: { aws: {}, dns: {} },
  },
  resources: [
    { id: 'eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } },
    { id: 'rec', provider: 'dns', kind: 'record', spec: {} },
  ],
};

test('a valid section passes with documented defaults', () => {
  const r = validateCloudSection(good);
  assert.ok(r.ok);
  assert.equal(r.value.group, 'default');
});

test('cross-references: unknown provider, duplicate id, member without an entry, self not a member', () => {
  const r = validateCloudSection({
    ...good,
    self: 'c',
    members: { a: { aws: {} }, b: { aws: {}, dns: {} } },
    resources: [...good.resources, { id: 'eip', provider: 'gcp', kind: 'route', spec: {} }],
  });
  assert.ok(!r.ok);
  assert.deepEqual(
    r.problems.map((p) => [p.path.join('.'), p.message.split(' ').slice(0, 3).join(' ')]),
    [
      ['resources.2.id', 'duplicate resource id'],
      ['resources.2.provider', 'unknown provider gcp'],
      ['members.a.dns', 'member a has'],
      ['self', 'self c is'],
    ],
  );
});

test('schema errors carry the field path; unknown fields are refused, not ignored', () => {
  const r = validateCloudSection({ ...good, providers: { aws: { type: 'aws', region: 'x', regoin: 'y' } } });
  assert.ok(!r.ok);
  assert.deepEqual(r.problems[0]?.path, ['providers', 'aws']);
  const t = validateCloudSection({ ...good, providers: { aws: { type: 'ovh' } } });
  assert.ok(!t.ok && t.problems[0]?.path.join('.') === 'providers.aws.type');
});
