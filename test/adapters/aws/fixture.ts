import { AwsVipProvider } from '../../../adapters/aws/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import { defaultFailoverPolicy, type FailoverPolicy } from '../../../core/failover/index.ts';
import type { Holder } from '../../../core/ports/index.ts';
import { startEc2Emulator, type Ec2Emulator, type Ec2Options } from '../../emulators/ec2.ts';

/** Small waits so tests stay fast; the bench uses the real defaults. */
export const testPolicy: FailoverPolicy = {
  ...defaultFailoverPolicy,
  call: { attempts: 6, baseMs: 2, capMs: 20, factor: 2, jitter: 'full' },
  verify: { attempts: 8, baseMs: 2, capMs: 20, factor: 2, jitter: 'equal' },
  action: { attempts: 2, baseMs: 2, capMs: 10, factor: 2, jitter: 'full' },
  rate: { perSecond: 10_000, burst: 10_000 },
};

export const members: Holder[] = [
  { id: 'a', spec: { networkInterfaceId: 'eni-a' } },
  { id: 'b', spec: { networkInterfaceId: 'eni-b' } },
];

/** An EC2 emulator with two members' ENIs, an elastic IP, and route tables; plus a provider on it. */
export async function awsLab(
  faults: Ec2Options = {},
  tables = 2,
): Promise<{ ec2: Ec2Emulator; provider: AwsVipProvider }> {
  const ec2 = await startEc2Emulator(faults);
  ec2.state.addEni({ id: 'eni-a', instanceId: 'i-a', privateIps: ['10.0.1.10'], sourceDestCheck: false });
  ec2.state.addEni({ id: 'eni-b', instanceId: 'i-b', privateIps: ['10.0.1.20'], sourceDestCheck: false });
  ec2.state.addEni({ id: 'eni-x', instanceId: 'i-x', privateIps: ['10.0.1.30'], sourceDestCheck: false });
  ec2.state.addAddress({ allocationId: 'eipalloc-1', publicIp: '198.51.100.7' });
  for (let i = 1; i <= tables; i++)
    ec2.state.addTable({ id: `rtb-${i}`, routes: [{ destination: '10.0.0.0/16', gatewayId: 'local' }] });
  const provider = new AwsVipProvider({
    region: 'us-east-1',
    endpoint: ec2.url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    members,
    policy: testPolicy,
    random: seededRandom(7),
  });
  return { ec2, provider };
}

/** The resources the contract runs on, with the emulator's ids (contract-moto.test.ts maps them to moto's). */
export const awsContractKinds: Record<string, Record<string, unknown>> = {
  'elastic-ip': { allocationId: 'eipalloc-1' },
  'secondary-ip': { privateIp: '10.0.1.99' },
  'route (IPv4, 2 tables)': { routeTableIds: ['rtb-1', 'rtb-2'], destination: '10.9.9.9/32' },
  'route (IPv6, 2 tables)': { routeTableIds: ['rtb-1', 'rtb-2'], destination: 'fd00:9::9/128' },
};
