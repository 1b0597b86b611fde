/**
 * The CLI's AWS lab: an EC2 emulator with two ENIs (eni-a 10.0.1.10, eni-b 10.0.1.20), the elastic IP
 * eipalloc-1 (unassociated) and route table rtb-1 with 10.9.9.9/32, plus a `floatip.yaml` whose cloud
 * section moves both (group web, members lb-1 on eni-a and lb-2 on eni-b). Used by the cloud CLI tests and
 * the AWS pre-flight tests, which differ only in the options below.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEc2Emulator, type Ec2Emulator } from '../emulators/ec2.ts';
import { runCli, type CliRun } from './cli.ts';

/** The secret access key the CLI gets; a test may check that it is never printed. */
export const awsTestSecret = 'test-secret-do-not-print';

/** The CLI in-process with AWS test credentials in the environment, capturing its output. */
export const awsCli = (args: string[]): Promise<CliRun> =>
  runCli(args, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: awsTestSecret });

export interface AwsCliLabOptions {
  /** eni-b's sourceDestCheck (eni-a's is always off). */
  eniBSourceDestCheck: boolean;
  /** The ENI rtb-1's 10.9.9.9/32 points at before the test. */
  routeVia: 'eni-a' | 'eni-b';
  /** The route resource's routeTableIds (rtb-1 is the only table that exists). */
  routeTableIds: string[];
  /** Whether the route resource asks for disableSourceDestCheck. */
  disableSourceDestCheck: boolean;
}

export async function awsCliLab(
  t: { after(fn: () => Promise<void> | void): void },
  o: AwsCliLabOptions,
): Promise<{ ec2: Ec2Emulator; file: string; dir: string }> {
  const ec2 = await startEc2Emulator();
  ec2.state.addEni({ id: 'eni-a', privateIps: ['10.0.1.10'], sourceDestCheck: false });
  ec2.state.addEni({ id: 'eni-b', privateIps: ['10.0.1.20'], sourceDestCheck: o.eniBSourceDestCheck });
  ec2.state.addAddress({ allocationId: 'eipalloc-1', publicIp: '198.51.100.7' });
  ec2.state.addTable({ id: 'rtb-1', routes: [{ destination: '10.9.9.9/32', eniId: o.routeVia }] });
  const dir = mkdtempSync(join(tmpdir(), 'fip-cloud-cli-'));
  const file = join(dir, 'floatip.yaml');
  const routeSpec = [
    `routeTableIds: [${o.routeTableIds.join(', ')}]`,
    'destination: 10.9.9.9/32',
    ...(o.disableSourceDestCheck ? ['disableSourceDestCheck: true'] : []),
  ].join(', ');
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
      `    - { id: vip-route, provider: aws, kind: route, spec: { ${routeSpec} } }`,
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
