import type { TokenCredential } from '@azure/core-auth';
import { AzureVipProvider } from '../../../adapters/azure/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import type { Holder } from '../../../core/ports/index.ts';
import { armSubscription, startArmEmulator, type ArmEmulator, type ArmOptions } from '../../emulators/arm.ts';
import { loopbackCertificate } from '../../emulators/tls.ts';
import { addNvaNics } from '../../helpers/azure-nva.ts';
import { testPolicy } from '../aws/fixture.ts';

/** A TokenCredential that hands out one static test token (no identity service involved). */
export const staticCredential: TokenCredential = {
  getToken: async () => ({ token: 'fip-cloud-test-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

export const members: Holder[] = [
  { id: 'a', spec: { privateIp: '10.1.0.4', networkInterface: { resourceGroup: 'rg', name: 'nic-a' } } },
  { id: 'b', spec: { privateIp: '10.1.0.5', networkInterface: { resourceGroup: 'rg', name: 'nic-b' } } },
];

let cert: { key: string; cert: string } | undefined;

/** The loopback certificate the emulators serve (made once per test process), as the client's CA. */
export function testCa(): string {
  cert ??= loopbackCertificate();
  return cert.cert;
}
export const pipId = `/subscriptions/${armSubscription}/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip-vip`;

/** An ARM emulator (TLS on loopback) with two NVA NICs and two route tables that carry other routes. */
export async function azureLab(
  faults: Omit<ArmOptions, 'tls'> = {},
): Promise<{ arm: ArmEmulator; provider: AzureVipProvider }> {
  cert ??= loopbackCertificate();
  const arm = await startArmEmulator({ lroPolls: 1, retryAfterMs: 5, ...faults, tls: cert });
  addNvaNics(arm);
  for (const t of ['rt-1', 'rt-2'])
    arm.addTable('rg', t, [
      { name: 'default', addressPrefix: '0.0.0.0/0', nextHopType: 'Internet' },
      { name: 'onprem', addressPrefix: '192.168.0.0/16', nextHopType: 'VirtualNetworkGateway' },
    ]);
  const provider = new AzureVipProvider({
    subscriptionId: armSubscription,
    credential: staticCredential,
    endpoint: arm.url,
    ca: cert.cert,
    members,
    policy: testPolicy,
    lroPollMs: 2,
    random: seededRandom(11),
  });
  return { arm, provider };
}
