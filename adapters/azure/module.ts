import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import type { ProviderModule } from '../../core/failover/index.ts';
import { azureConfig } from './config.ts';
import { knownAzureCodes } from './errors.ts';
import { azureCredential, staticTokenCredential, type ClientSecretSettings } from './credential.ts';
import { azurePreflight } from './preflight.ts';
import { AzureVipProvider } from './provider.ts';

function credentialOf(
  s: Record<string, unknown>,
  rt: Parameters<ProviderModule['make']>[2],
): TokenCredential {
  const override = rt.overrides?.['azureCredential'] as TokenCredential | undefined;
  if (override) return override;
  if (typeof s['tokenEnv'] === 'string') return staticTokenCredential(s['tokenEnv'], rt.env);
  return azureCredential(
    s['clientSecret'] as ClientSecretSettings | undefined,
    rt.env,
    'clientSecret.secretEnv',
    typeof s['managedIdentityClientId'] === 'string' ? s['managedIdentityClientId'] : undefined,
  );
}

function caOf(s: Record<string, unknown>): string | undefined {
  if (typeof s['caFile'] !== 'string') return undefined;
  try {
    return readFileSync(s['caFile'], 'utf8');
  } catch (err) {
    throw new Error(`caFile: cannot read ${s['caFile']}: ${(err as Error).message}`);
  }
}

/** The `azure` provider: its schemas and its factory. */
export const azureModule: ProviderModule = {
  ...azureConfig,
  knownCodes: knownAzureCodes,
  // floatip cloud preflight: NIC / table reads and the permissions API (adapters/azure/preflight.ts)
  preflight: (s, rt) => {
    const ca = caOf(s);
    return azurePreflight({
      subscriptionId: s['subscriptionId'] as string,
      credential: credentialOf(s, rt),
      sleep: rt.sleep,
      ...(typeof s['endpoint'] === 'string' ? { endpoint: s['endpoint'] } : {}),
      ...(ca === undefined ? {} : { ca }),
    });
  },
  make: (s, members, rt) => {
    const ca = caOf(s);
    return new AzureVipProvider({
      name: rt.name,
      subscriptionId: s['subscriptionId'] as string,
      credential: credentialOf(s, rt),
      ...(typeof s['endpoint'] === 'string' ? { endpoint: s['endpoint'] } : {}),
      ...(ca === undefined ? {} : { ca }),
      ...(typeof s['lroPollMs'] === 'number' ? { lroPollMs: s['lroPollMs'] } : {}),
      members,
      policy: rt.policy,
      random: rt.random,
      clock: rt.clock,
      sleep: rt.sleep,
    });
  },
};
