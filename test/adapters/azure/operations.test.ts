// @needs openssl
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAzureError } from '../../../adapters/azure/index.ts';
import { LroFailure } from '../../../adapters/azure/lro.ts';
import type { VipResource } from '../../../core/ports/index.ts';
import { azureLab, members } from './fixture.ts';

const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
const udr: VipResource = {
  id: 'udr',
  provider: 'azure',
  kind: 'route',
  spec: { routeTables: [{ resourceGroup: 'rg', name: 'rt-1' }], route: 'vip', addressPrefix: '10.9.9.9/32' },
};
const secondary = (privateIp: string): VipResource => ({
  id: 'sec',
  provider: 'azure',
  kind: 'secondary-ip',
  spec: { privateIp, ipConfigurationName: 'vip' },
});

test('azure: an LRO that ends Failed gives up with the operation error code as its cause (not a plain Error)', async () => {
  const { arm, provider } = await azureLab();
  try {
    arm.failOperations({ code: 'InvalidResourceReference', match: /^PUT .*\/routes\/vip$/ });
    const out = await provider.acquire(udr, a, 1);
    assert.equal(out.kind, 'give-up', JSON.stringify(out));
    assert.deepEqual(out.kind === 'give-up' ? out.cause : null, {
      provider: 'azure',
      service: 'network',
      operation: 'routes.createOrUpdate',
      code: 'InvalidResourceReference',
      class: 'fatal',
    });
    assert.equal(arm.tables.get('rg/rt-1')?.routes.has('vip'), false, 'a failed operation changed nothing');
  } finally {
    await arm.close();
  }
});

test('azure: an LRO that ends Canceled (no error body) or Failed with InternalServerError is retried and lands', async () => {
  const { arm, provider } = await azureLab();
  try {
    arm.failOperations({ code: null, status: 'Canceled', match: /^PUT .*\/routes\/vip$/ });
    const out = await provider.acquire(udr, a, 1);
    assert.ok(out.kind === 'ok' && out.value.after.holder === 'a', JSON.stringify(out));
    assert.equal(arm.requests.filter((r) => r.method === 'PUT').length, 2);

    arm.failOperations({ code: 'InternalServerError', match: /^PUT .*\/networkInterfaces\/nic-b$/ });
    const moved = await provider.acquire(secondary('10.1.0.99'), b, 2);
    assert.ok(moved.kind === 'ok' && moved.value.after.holder === 'b', JSON.stringify(moved));
    assert.equal(arm.requests.filter((r) => /nic-b$/.test(r.path) && r.method === 'PUT').length, 2);
  } finally {
    await arm.close();
  }
});

test('azure: PrivateIPAddressIsAllocated (the old NIC still holds the address) is retried until it is released', async () => {
  const { arm, provider } = await azureLab();
  try {
    assert.equal((await provider.acquire(secondary('10.1.0.99'), a, 1)).kind, 'ok');
    const held = arm.nics.get('rg/nic-a')?.ipConfigurations.find((c) => c.name === 'vip');
    assert.ok(held);
    // The old NIC's release has not taken effect when the new NIC's PUT arrives; it has by the retry.
    arm.faults.beforeNext(/^PUT .*\/networkInterfaces\/nic-b$/, () => {
      arm.nics.get('rg/nic-a')?.ipConfigurations.push({ ...held });
    });
    arm.faults.beforeNext(/^PUT .*\/networkInterfaces\/nic-b$/, () => {
      const nic = arm.nics.get('rg/nic-a');
      if (nic) nic.ipConfigurations = nic.ipConfigurations.filter((c) => c.name !== 'vip');
    });
    const out = await provider.acquire(secondary('10.1.0.99'), b, 2, { takeover: true });
    assert.ok(out.kind === 'ok' && out.value.after.holder === 'b', JSON.stringify(out));
    assert.deepEqual(
      arm.requests.filter((r) => /nic-b$/.test(r.path) && r.method === 'PUT').map((r) => r.status),
      [400, 200],
    );
  } finally {
    await arm.close();
  }
});

test('azure: an IPv6 secondary IP is sent with privateIPAddressVersion IPv6 and moves both ways', async () => {
  const { arm, provider } = await azureLab();
  try {
    const r = secondary('fd00:1::99');
    assert.equal((await provider.acquire(r, a, 1)).kind, 'ok');
    assert.equal(
      arm.nics.get('rg/nic-a')?.ipConfigurations.find((c) => c.name === 'vip')?.privateIPAddressVersion,
      'IPv6',
    );
    const out = await provider.acquire(r, b, 2, { takeover: true });
    assert.ok(out.kind === 'ok' && out.value.after.holder === 'b', JSON.stringify(out));
    assert.equal(
      arm.nics.get('rg/nic-a')?.ipConfigurations.some((c) => c.name === 'vip'),
      false,
    );
  } finally {
    await arm.close();
  }
});

test('azure: classes of an operation that ended badly, and of PrivateIPAddressIsAllocated', () => {
  const e = (status: 'Failed' | 'Canceled', code: string) =>
    classifyAzureError(new LroFailure(status, code, 'x'));
  assert.equal(e('Failed', 'InternalServerError').class, 'transient');
  assert.equal(e('Canceled', 'LongRunningOperationCanceled').class, 'transient');
  assert.equal(e('Failed', 'AnotherOperationInProgress').class, 'throttling');
  assert.equal(e('Failed', 'PrivateIPAddressInUse').class, 'conflict');
  assert.equal(e('Failed', 'AuthorizationFailed').class, 'fatal');
  const allocated = Object.assign(new Error('x'), { statusCode: 400, code: 'PrivateIPAddressIsAllocated' });
  assert.equal(classifyAzureError(allocated).class, 'transient');
});
