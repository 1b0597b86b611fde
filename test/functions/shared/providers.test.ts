/** The one provider composition: schemas per cloud, one registry, the same checks for agent and control plane. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseControlPlaneConfig } from '../../../core/config/control-plane.ts';
import { validateCloudSection } from '../../../core/config/cloud.ts';
import { controlPlaneProblems } from '../../../functions/control-plane/problems.ts';
import { checkProviders } from '../../../functions/shared/provider-schemas.ts';
import { buildProviders } from '../../../functions/shared/providers.ts';

const controlPlane = (
  providers: Record<string, unknown>,
  members: Record<string, unknown>,
  resources: unknown[],
  worker = {},
) => {
  const r = parseControlPlaneConfig({ providers, worker, groups: [{ id: 'g', members, resources }] });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
};
const eip = { id: 'eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } };
const rec = {
  id: 'rec',
  provider: 'r53',
  kind: 'record',
  spec: { hostedZoneId: 'Z1', name: 'web.example.com', type: 'A' },
};
const pip = { id: 'pip', provider: 'azure', kind: 'public-ip', spec: { publicIpId: '/subscriptions/s/x' } };

test('a group spans providers: each member carries settings per provider, each checked by its own schema', () => {
  const config = controlPlane(
    {
      aws: { region: 'eu-west-1' },
      azure: { subscriptionId: 's', endpoint: 'https://127.0.0.1:9', tokenEnv: 'AZ_TOKEN' },
      r53: { type: 'dns' },
    },
    {
      'lb-aws': { priority: 200, aws: { networkInterfaceId: 'eni-1' }, r53: { address: '192.0.2.1' } },
      'lb-az': {
        azure: { privateIp: '10.1.0.4', networkInterface: { resourceGroup: 'rg', name: 'nic' } },
        r53: { address: '192.0.2.2' },
      },
    },
    [eip, pip, rec],
    { lockTtlMs: 180_000 },
  );
  assert.deepEqual(controlPlaneProblems(config), []);
  const built = buildProviders(config.providers, config.groups, { env: { AZ_TOKEN: 't' } });
  assert.ok(built.ok, built.ok ? '' : built.errors.join('\n'));
  assert.deepEqual([...built.value.keys()].sort(), ['aws', 'azure', 'r53']);
  assert.equal(built.value.get('r53')?.name, 'r53', 'the configured name labels the provider');
});

test('every problem names its path: provider settings, a member block, a resource spec, a kind', () => {
  const config = controlPlane(
    { aws: { region: 7 }, r53: { type: 'dns', zone: 'x' } },
    { a: { aws: { networkInterfaceId: 'nope' }, r53: { address: '192.0.2.1' } } },
    [
      { ...eip, spec: { allocationId: 'x' } },
      { ...rec, kind: 'cname' },
    ],
  );
  const problems = controlPlaneProblems(config);
  for (const want of [
    /^controlPlane\.providers\.aws\.region: /,
    /^controlPlane\.providers\.r53: unknown field\(s\): zone/,
    /^controlPlane\.groups\.0\.members\.a\.aws\.networkInterfaceId: /,
    /^controlPlane\.groups\.0\.resources\.0\.spec\.allocationId: /,
    /^controlPlane\.groups\.0\.resources\.1\.kind: unknown dns kind 'cname' \(record\)/,
  ])
    assert.ok(
      problems.some((p) => want.test(p)),
      `${want}: ${problems.join('\n')}`,
    );
});

test('cross-references: unknown provider of a resource or a member, a resource nobody can hold, duplicates', () => {
  const r = parseControlPlaneConfig({
    providers: { aws: { region: 'x' } },
    groups: [
      {
        id: 'g',
        members: { a: { asw: {} } },
        resources: [eip, { ...eip, provider: 'gcp' }],
      },
    ],
  });
  assert.ok(!r.ok);
  assert.deepEqual(
    r.errors.map((e) => e.path),
    [
      'controlPlane.groups[0].resources[0].provider',
      'controlPlane.groups[0].resources[1].id',
      'controlPlane.groups[0].resources[1].provider',
      'controlPlane.groups[0].members.a.asw',
    ],
  );
  assert.match(r.errors[0]?.message ?? '', /no member can hold 'eip': none has 'aws' settings/);
});

test('the group lock must outlive one write of the slowest provider the group uses', () => {
  const config = controlPlane(
    { azure: { subscriptionId: 's', endpoint: 'https://127.0.0.1:9', tokenEnv: 'AZ_TOKEN' } },
    { a: { azure: { privateIp: '10.1.0.4' } } },
    [
      {
        id: 'rt',
        provider: 'azure',
        kind: 'route',
        spec: { routeTables: [{ resourceGroup: 'rg', name: 't' }], route: 'r', addressPrefix: '10.9.9.9/32' },
      },
    ],
    { lockTtlMs: 30_000 },
  );
  assert.deepEqual(controlPlaneProblems(config), [
    "controlPlane.worker.lockTtlMs: 30000 ms is shorter than one write of group 'g' may take (180000 ms); a lock that expires during a write could let two decisions overlap: set at least 180000",
  ]);
});

test('the agent section goes through the same registry', () => {
  const v = validateCloudSection({
    providers: { aws: { region: 'x', regoin: 'y' } },
    members: { a: { aws: { networkInterfaceId: 'eni-a' } } },
    resources: [eip],
  });
  assert.ok(v.ok);
  assert.deepEqual(checkProviders(v.value.providers, [{ group: v.value.group, at: [] }]), [
    { path: ['providers', 'aws'], message: 'unknown field(s): regoin' },
  ]);
});

test('building: a missing credential variable is named, its value never is', () => {
  const config = controlPlane(
    {
      azure: {
        subscriptionId: 's',
        clientSecret: { tenantId: 't', clientId: 'c', secretEnv: 'FIP_AZ_SECRET' },
      },
    },
    { a: { azure: { privateIp: '10.1.0.4' } } },
    [pip],
  );
  const missing = buildProviders(config.providers, config.groups, { env: {} });
  assert.deepEqual(missing.ok ? [] : missing.errors, [
    'providers.azure: clientSecret.secretEnv: environment variable FIP_AZ_SECRET is not set',
  ]);
  const built = buildProviders(config.providers, config.groups, {
    env: { FIP_AZ_SECRET: 'very-secret-value' },
  });
  assert.ok(built.ok);
  const ca = controlPlane(
    {
      azure: {
        subscriptionId: 's',
        endpoint: 'https://127.0.0.1:9',
        caFile: '/nonexistent/ca.pem',
        tokenEnv: 'T',
      },
    },
    { a: { azure: { privateIp: '10.1.0.4' } } },
    [pip],
  );
  const bad = buildProviders(ca.providers, ca.groups, { env: { T: 'x' } });
  assert.match(
    bad.ok ? '' : (bad.errors[0] ?? ''),
    /^providers\.azure: caFile: cannot read \/nonexistent\/ca\.pem/,
  );
});
