import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsCli, awsCliLab } from '../../helpers/aws-cli-lab.ts';

/** The lab as the failover tests want it: the route on eni-b, both ENIs forwarding already. */
const lab = (t: { after(fn: () => Promise<void> | void): void }) =>
  awsCliLab(t, {
    eniBSourceDestCheck: false,
    routeVia: 'eni-b',
    routeTableIds: ['rtb-1'],
    disableSourceDestCheck: false,
  });

test('cli: cloud inspect prints the owners; failover --dry-run prints the exact calls and writes nothing', async (t) => {
  const { ec2, file } = await lab(t);
  const seen = await awsCli(['cloud', 'inspect', '--config', file, '--json']);
  assert.equal(seen.code, 0, seen.err);
  const inspected = JSON.parse(seen.out) as { resources: Array<{ resource: string; holder: string | null }> };
  assert.deepEqual(
    inspected.resources.map((r) => [r.resource, r.holder]),
    [
      ['web-eip', null],
      ['vip-route', 'lb-2'],
    ],
  );
  const dry = await awsCli(['cloud', 'failover', '--config', file, '--to', 'lb-1', '--dry-run']);
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
  const real = await awsCli(['cloud', 'failover', '--config', file, '--to', 'lb-1']);
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
  const out = await awsCli(['cloud', 'inspect', '--config', bad]);
  assert.equal(out.code, 5);
  assert.match(out.err, /bad\.yaml:7: cloud\.resources\.0\.provider: unknown provider 'amazon'/);
  assert.equal(ec2.requests.length, 0);
});
