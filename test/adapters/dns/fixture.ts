import { DnsVipProvider } from '../../../adapters/dns/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import type { Holder } from '../../../core/ports/index.ts';
import type { FaultOptions } from '../../emulators/faults.ts';
import { startRoute53Emulator, type Route53Emulator } from '../../emulators/route53.ts';
import { testPolicy } from '../aws/fixture.ts';

export const members: Holder[] = [
  { id: 'a', spec: { address: '198.51.100.10' } },
  { id: 'b', spec: { address: '203.0.113.20' } },
];

export async function dnsLab(
  faults: FaultOptions = {},
): Promise<{ r53: Route53Emulator; provider: DnsVipProvider }> {
  const r53 = await startRoute53Emulator({ changePolls: 1, ...faults });
  const provider = new DnsVipProvider({
    endpoint: r53.url,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    members,
    policy: testPolicy,
    random: seededRandom(3),
  });
  return { r53, provider };
}
