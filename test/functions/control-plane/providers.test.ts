import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseControlPlaneConfig } from '../../../core/config/control-plane.ts';
import { ControlConfigError } from '../../../functions/control-plane/index.ts';
import { buildProviders } from '../../../functions/control-plane/providers.ts';

const config = (
  provider: string,
  providers: Record<string, unknown> = {},
  memberSpec: Record<string, unknown> = {},
) => {
  const r = parseControlPlaneConfig({
    providers,
    groups: [
      {
        id: 'g',
        members: [{ id: 'a', spec: memberSpec }],
        resources: [{ id: 'r', provider, kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } }],
      },
    ],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
};

const problem = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof ControlConfigError, String(err));
    return err.lines.join('\n');
  }
  return 'no error';
};

test('providers are built from config; a missing or bad setting is a start-up error naming the field', () => {
  assert.deepEqual(Object.keys(buildProviders(config('memory'))), ['memory']);
  const aws = buildProviders(
    config('aws', { aws: { region: 'eu-west-1' } }, { networkInterfaceId: 'eni-1' }),
  );
  assert.equal(aws.aws?.name, 'aws');
  assert.equal(
    problem(() => buildProviders(config('aws'))),
    'controlPlane.providers.aws: missing',
  );
  assert.match(
    problem(() => buildProviders(config('aws', { aws: { region: 7 } }))),
    /^controlPlane\.providers\.aws\.region: /,
  );
  assert.match(
    problem(() => buildProviders(config('aws', { aws: { region: 'eu-west-1' } }, { nic: 'x' }))),
    /^controlPlane\.groups: aws member a: /,
  );
  assert.match(
    problem(() => buildProviders(config('openstack'))),
    /provider 'openstack' is not available in the control plane \(supported: memory, aws, dns, gcp, azure\)/,
  );
});

const azureMember = { privateIp: '10.1.0.4', networkInterface: { resourceGroup: 'rg', name: 'nic-a' } };

test('azure is built from config: subscription, CA file and service-principal secret from the environment', () => {
  assert.equal(
    problem(() => buildProviders(config('azure'))),
    'controlPlane.providers.azure: missing',
  );
  assert.match(
    problem(() => buildProviders(config('azure', { azure: { subscriptionId: '' } }, azureMember))),
    /^controlPlane\.providers\.azure\.subscriptionId: /,
  );
  assert.match(
    problem(() =>
      buildProviders(
        config('azure', { azure: { subscriptionId: 's', caFile: '/nonexistent/ca.pem' } }, azureMember),
      ),
    ),
    /^controlPlane\.providers\.azure\.caFile: cannot read \/nonexistent\/ca\.pem/,
  );
  const sp = {
    subscriptionId: 's',
    clientSecret: { tenantId: 't', clientId: 'c', secretEnv: 'FIP_AZ_SECRET' },
  };
  // The secret's variable is named when missing; its value never appears in any error.
  assert.equal(
    problem(() => buildProviders(config('azure', { azure: sp }, azureMember), { env: {} })),
    'controlPlane.providers.azure.clientSecret.secretEnv: environment variable FIP_AZ_SECRET is not set',
  );
  const built = buildProviders(config('azure', { azure: sp }, azureMember), {
    env: { FIP_AZ_SECRET: 'very-secret-value' },
  });
  assert.equal(built.azure?.name, 'azure');
  assert.match(
    problem(() => buildProviders(config('azure', { azure: { subscriptionId: 's' } }, { nic: 'x' }))),
    /^controlPlane\.groups: azure member a: /,
  );
});
