import { OAuth2Client } from 'google-auth-library';
import { GcpVipProvider } from '../../../adapters/gcp/index.ts';
import { seededRandom } from '../../../adapters/memory/index.ts';
import type { Holder, VipResource } from '../../../core/ports/index.ts';
import type { FaultOptions } from '../../emulators/faults.ts';
import { startGceEmulator, type GceEmulator } from '../../emulators/gce.ts';
import { testPolicy } from '../aws/fixture.ts';

export const members: Holder[] = [
  { id: 'a', spec: { zone: 'europe-west1-b', instance: 'vm-a' } },
  { id: 'b', spec: { zone: 'europe-west1-c', instance: 'vm-b' } },
];

/** The alias-ip resource of the scenario tests: 10.2.9.9/32 as an alias range on the member's NIC. */
export const alias: VipResource = {
  id: 'al',
  provider: 'gcp',
  kind: 'alias-ip',
  spec: { ipCidrRange: '10.2.9.9/32' },
};

/** A real google-auth-library client holding one static test token (no metadata server, no key file). */
export function staticAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'fip-cloud-test-token', expiry_date: Date.now() + 3_600_000 });
  return auth;
}

export interface GcpLab {
  gce: GceEmulator;
  provider: GcpVipProvider;
  close(): Promise<void>;
}

export async function gcpLab(faults: FaultOptions & { opPolls?: number } = {}): Promise<GcpLab> {
  const gce = await startGceEmulator({ opPolls: 1, ...faults });
  seed(gce);
  const provider = new GcpVipProvider({
    project: gce.project,
    endpoint: gce.url,
    authClient: staticAuth(),
    members,
    policy: testPolicy,
    opPollMs: 2,
    random: seededRandom(5),
  });
  return {
    gce,
    provider,
    close: async () => {
      await provider.close();
      await gce.close();
    },
  };
}

function seed(gce: GceEmulator): void {
  gce.addInstance('europe-west1-b', 'vm-a', '10.2.0.4');
  gce.addInstance('europe-west1-c', 'vm-b', '10.2.0.5');
}

let shared: Promise<GcpLab> | undefined;

/**
 * One emulator and one provider for a whole test file (building the Compute clients costs ~0.2 s), reset
 * to the seeded state for each test. The file calls `after(closeSharedGcpLab)` at its top level.
 */
export async function sharedGcpLab(): Promise<GcpLab> {
  shared ??= gcpLab();
  const lab = await shared;
  lab.gce.reset();
  seed(lab.gce);
  return lab;
}

export async function closeSharedGcpLab(): Promise<void> {
  const lab = shared;
  shared = undefined;
  await (await lab)?.close();
}
