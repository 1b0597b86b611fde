import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEc2Emulator, type Ec2Emulator } from '../../emulators/ec2.ts';
import { runCli, type CliRun } from '../../helpers/cli.ts';

/** The CLI in-process with AWS test credentials in the environment, capturing its output. */
const cli = (args: string[]): Promise<CliRun> =>
  runCli(args, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' });

async function lab(t: {
  after(fn: () => Promise<void> | void): void;
}): Promise<{ ec2: Ec2Emulator; file: string; dir: string }> {
  const ec2 = await startEc2Emulator();
  ec2.state.addEni({ id: 'eni-a', privateIps: ['10.0.1.10'], sourceDestCheck: false });
  ec2.state.addEni({ id: 'eni-b', privateIps: ['10.0.1.20'], sourceDestCheck: false });
  ec2.state.addAddress({ allocationId: 'eipalloc-1', publicIp: '198.51.100.7' });
  ec2.state.addTable({ id: 'rtb-1', routes: [{ destination: '10.9.9.9/32', eniId: 'eni-b' }] });
  const dir = mkdtempSync(join(tmpdir(), 'fip-cloud-cli-'));
  const file = join(dir, 'floatip.yaml');
  writeFileSync(
    file,
    [
      'cloud:',
      '  group: web',
      '  providers:',
      `    aws: { type: aws, region: us-east-1, endpoint: "${ec2.url}" }`,
      '  members:',
      '    lb-1: { aws: { networkInterfaceId: eni-a } }',
      '    lb-2: { aws: { networkInterfaceId: eni-b } }',
      '  resources:',
      '    - { id: web-eip, provider: aws, kind: elastic-ip, spec: { allocationId: eipalloc-1 } }',
      '    - { id: vip-route, provider: aws, kind: route, spec: { routeTableIds: [rtb-1], destination: 10.9.9.9/32 } }',
      '  policy: { call: { baseMs: 1, capMs: 5 }, verify: { baseMs: 1, capMs: 5 } }',
      '',
    ].join('\n'),
  );
  t.after(async () => {
    await ec2.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { ec2, file, dir };
}

test('cli: cloud inspect prints the owners; failover --dry-run prints the exact calls and writes nothing', async (t) => {
  const { ec2, file } = await lab(t);
  const seen = await cli(['cloud', 'inspect', '--config', file, '--json']);
  assert.equal(seen.code, 0, seen.err);
  const inspected = JSON.parse(seen.out) as { resources: Array<{ resource: string; holder: string | null }> };
  assert.deepEqual(
    inspected.resources.map((r) => [r.resource, r.holder]),
    [
      ['web-eip', null],
      ['vip-route', 'lb-2'],
    ],
  );
  const dry = await cli(['cloud', 'failover', '--config', file, '--to', 'lb-1', '--dry-run']);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /DRY RUN/);
  assert.match(
    dry.out,
    /ec2 AssociateAddress \{"AllocationId":"eipalloc-1","NetworkInterfaceId":"eni-a","AllowReassociation":false\}/,
  );
  assert.match(
    dry.out,
    /ec2 ReplaceRoute \{"RouteTableId":"rtb-1","DestinationCidrBlock":"10.9.9.9\/32","NetworkInterfaceId":"eni-a"\}/,
  );
  assert.ok(
    ec2.requests.every((r) => r.action.startsWith('Describe')),
    'a dry run only reads',
  );
  const real = await cli(['cloud', 'failover', '--config', file, '--to', 'lb-1']);
  assert.equal(real.code, 0, real.err);
  assert.equal(ec2.state.route('rtb-1', '10.9.9.9/32')?.eniId, 'eni-a');
  assert.equal(ec2.state.addresses.get('eipalloc-1')?.eniId, 'eni-a');
});

test('cli: a bad cloud section names the file, line and field, and calls nothing', async (t) => {
  const { ec2, dir } = await lab(t);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    [
      'cloud:',
      '  providers:',
      '    aws: { type: aws, region: us-east-1 }',
      '  members:',
      '    lb-1: { aws: { networkInterfaceId: eni-a } }',
      '  resources:',
      '    - { id: web-eip, provider: amazon, kind: elastic-ip, spec: {} }',
      '',
    ].join('\n'),
  );
  const out = await cli(['cloud', 'inspect', '--config', bad]);
  assert.equal(out.code, 5);
  assert.match(out.err, /bad\.yaml:7: cloud\.resources\.0\.provider: unknown provider 'amazon'/);
  assert.equal(ec2.requests.length, 0);
});
