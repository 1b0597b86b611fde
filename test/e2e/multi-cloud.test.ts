// @needs redis
/**
 * One group spanning clouds: an AWS member (elastic IP), an Azure member (public IP) and a Route 53
 * record both point at, through the real SDKs against the emulators. It fails over both ways from each
 * entry point: the CLI (`floatip cloud failover`, a real process), the control-plane worker (manual
 * switchover over HTTP) and the agent's cloud mode (VRRP MASTER/BACKUP turned into moves). A member only
 * holds what it has settings for: the EIP stays with the AWS member, the public IP with the Azure one,
 * the record follows the failover.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { stringify } from 'yaml';
import { ManualClock, silentLogger } from '../../adapters/memory/index.ts';
import type { StateChange } from '../../core/ports/index.ts';
import { openCloudMode } from '../../functions/agent/cloud-mode.ts';
import { startServe } from '../../functions/serve/index.ts';
import { startWorker } from '../../functions/worker/index.ts';
import { armSubscription, startArmEmulator } from '../emulators/arm.ts';
import { startEc2Emulator } from '../emulators/ec2.ts';
import { startRoute53Emulator } from '../emulators/route53.ts';
import { loopbackCertificate } from '../emulators/tls.ts';
import { controlFixture, eventually, opsToken } from './control-plane/fixture.ts';

const bin = join(import.meta.dirname, '../../bin/floatip.mjs');
const pipId = `/subscriptions/${armSubscription}/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip-web`;
const env = {
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  FIP_AZ_TOKEN: 'fip-az-test-token',
};

async function clouds(t: TestContext) {
  const ec2 = await startEc2Emulator();
  ec2.state.addEni({ id: 'eni-aws', privateIps: ['10.0.1.10'], sourceDestCheck: false });
  ec2.state.addAddress({ allocationId: 'eipalloc-1', publicIp: '203.0.113.10' });
  const cert = loopbackCertificate();
  const arm = await startArmEmulator({ lroPolls: 1, retryAfterMs: 5, tls: cert });
  arm.addNic('rg', 'nic-az', [
    {
      name: 'ipconfig1',
      privateIPAddress: '10.1.0.4',
      privateIPAllocationMethod: 'Static',
      primary: true,
      subnet: {
        id: `/subscriptions/${armSubscription}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s`,
      },
    },
  ]);
  const r53 = await startRoute53Emulator({ changePolls: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'fip-multi-'));
  const caFile = join(dir, 'arm-ca.pem');
  writeFileSync(caFile, cert.cert);
  t.after(async () => {
    await Promise.all([ec2.close(), arm.close(), r53.close()]);
    rmSync(dir, { recursive: true, force: true });
  });
  const providers = {
    aws: { region: 'us-east-1', endpoint: ec2.url },
    azure: {
      subscriptionId: armSubscription,
      endpoint: arm.url,
      caFile,
      tokenEnv: 'FIP_AZ_TOKEN',
      lroPollMs: 2,
    },
    r53: { type: 'dns', endpoint: r53.url },
  };
  const members = {
    'lb-aws': { priority: 200, aws: { networkInterfaceId: 'eni-aws' }, r53: { address: '203.0.113.10' } },
    'lb-az': {
      priority: 100,
      azure: { privateIp: '10.1.0.4', networkInterface: { resourceGroup: 'rg', name: 'nic-az' } },
      r53: { address: '198.51.100.7' },
    },
  };
  const resources = [
    { id: 'eip', provider: 'aws', kind: 'elastic-ip', spec: { allocationId: 'eipalloc-1' } },
    { id: 'pip', provider: 'azure', kind: 'public-ip', spec: { publicIpId: pipId } },
    {
      id: 'rec',
      provider: 'r53',
      kind: 'record',
      spec: { hostedZoneId: 'Z0FIPTEST', name: 'web.example.com', type: 'A', ttl: 10 },
    },
  ];
  const policy = {
    call: { baseMs: 1, capMs: 5 },
    verify: { baseMs: 1, capMs: 5 },
    action: { baseMs: 1, capMs: 5 },
  };
  const where = () => ({
    eip: ec2.state.addresses.get('eipalloc-1')?.eniId ?? null,
    pip: arm.nics.get('rg/nic-az')?.ipConfigurations.find((c) => c.publicIPAddress?.id === pipId)
      ? 'nic-az'
      : null,
    rec: r53.zones.get('Z0FIPTEST')?.get('web.example.com.|A')?.values[0] ?? null,
  });
  /** Writes the group as an agent's `cloud:` section (extra fields: vrrpInstance, ...) and returns its path. */
  const section = (extra: Record<string, unknown> = {}): string => {
    const file = join(dir, 'floatip.yaml');
    writeFileSync(
      file,
      stringify({ cloud: { group: 'web', ...extra, providers, members, resources, policy } }),
    );
    return file;
  };
  return { dir, providers, members, resources, policy, where, section };
}

const onAws = { eip: 'eni-aws', pip: null, rec: '203.0.113.10' };
const onAz = { eip: 'eni-aws', pip: 'nic-az', rec: '198.51.100.7' };

test('one group across AWS, Azure and Route 53 fails over both ways from the CLI', async (t) => {
  const c = await clouds(t);
  const file = c.section();
  // Async: the emulators answer from this process, so it must not block while the CLI runs.
  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => resolve({ code, out }));
    });
  const check = await cli('check-config', file);
  assert.equal(check.code, 0, check.out);
  // Nobody holds anything yet: to lb-az (the EIP has no Azure side: it stays unassociated), then back.
  for (const [to, want] of [
    ['lb-az', { ...onAz, eip: null }],
    ['lb-aws', { ...onAws, pip: 'nic-az' }],
  ] as const) {
    const r = await cli('cloud', 'failover', '--config', file, '--to', to);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(c.where(), want, `after --to ${to}:\n${r.out}`);
  }
  const inspect = await cli('cloud', 'inspect', '--config', file, '--json');
  const rows = (
    JSON.parse(inspect.out) as { resources: Array<{ resource: string; holder: string; state: string }> }
  ).resources;
  assert.deepEqual(
    rows.map((r) => [r.resource, r.holder, r.state]),
    [
      ['eip', 'lb-aws', 'held'],
      ['pip', 'lb-az', 'held'],
      ['rec', 'lb-aws', 'held'],
    ],
  );
});

test('the same group fails over both ways through the control-plane worker', async (t) => {
  const c = await clouds(t);
  for (const [k, v] of Object.entries(env)) process.env[k] ??= v;
  const { cp, defer } = await controlFixture(t, {
    providers: 'from-config',
    patch: {
      providers: c.providers,
      policy: c.policy,
      worker: { concurrency: 2, lockTtlMs: 180_000, attempts: 3, backoffMs: 50 },
      alerts: [],
      groups: [{ id: 'web', members: c.members, resources: c.resources }],
    },
  });
  const server = await startServe(cp, { port: 0 });
  defer(() => server.close());
  const worker = await startWorker(cp, { schedule: false });
  defer(() => worker.close());
  for (const [to, want] of [
    ['lb-aws', onAws],
    ['lb-az', onAz],
    ['lb-aws', { ...onAws, pip: 'nic-az' }],
  ] as const) {
    const res = await fetch(`${server.url}/v1/groups/web/switchover`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to }),
    });
    assert.equal(res.status, 202, await res.text());
    await eventually(
      async () => (JSON.stringify(c.where()) === JSON.stringify(want) ? true : undefined),
      `group on ${to}`,
    );
    await eventually(async () => {
      const s = await cp.api.state.get('web');
      return s.kind === 'ok' && s.value?.holder === to ? true : undefined;
    }, `${to} recorded`);
  }
  const audit = await cp.api.audit.list({ group: 'web', limit: 10 });
  assert.deepEqual(
    (audit.kind === 'ok' ? audit.value : []).reverse().map((e) => [e.from, e.to, e.outcome]),
    [
      [null, 'lb-aws', 'ok'],
      ['lb-aws', 'lb-az', 'ok'],
      ['lb-az', 'lb-aws', 'ok'],
    ],
  );
});

test('the same group fails over both ways from two agents in cloud mode (VRRP MASTER/BACKUP)', async (t) => {
  const c = await clouds(t);
  const file = c.section({ vrrpInstance: 'VI_1', reconcileMs: 3_600_000 });
  const agent = (self: string) => {
    const mode = openCloudMode(file, {
      logger: silentLogger,
      clock: new ManualClock(),
      env: { ...process.env, ...env, FLOATIP_MEMBER: self },
    });
    assert.ok(mode);
    t.after(() => mode.stop());
    const n = mode.notifier({ notify: () => undefined, idle: async () => {} });
    return {
      say: async (what: StateChange['what']) => {
        n.notify({ target: { type: 'instance', name: 'VI_1' }, what, priority: 100 });
        await mode.agent.idle();
      },
    };
  };
  const aws = agent('lb-aws');
  const az = agent('lb-az');
  await aws.say('MASTER');
  assert.deepEqual(c.where(), onAws);
  await aws.say('BACKUP');
  await az.say('MASTER');
  assert.deepEqual(c.where(), onAz);
  await az.say('BACKUP');
  await aws.say('MASTER');
  assert.deepEqual(c.where(), { ...onAws, pip: 'nic-az' });
});
