import { OAuth2Client } from 'google-auth-library';
import type { ProviderModule } from '../../core/failover/index.ts';
import { gcpConfig } from './config.ts';
import { knownGcpCodes } from './errors.ts';
import { gcpPreflight } from './preflight.ts';
import { GcpVipProvider } from './provider.ts';

/** A fixed access token from the environment (emulators, tests); application default credentials otherwise. */
function tokenClient(name: string, env: Record<string, string | undefined>): OAuth2Client {
  const token = env[name];
  if (!token) throw new Error(`environment variable ${name} (tokenEnv) is not set`);
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  return client;
}

/** The `gcp` provider: its schemas and its factory. */
export const gcpModule: ProviderModule = {
  ...gcpConfig,
  knownCodes: knownGcpCodes,
  // floatip cloud preflight: instance reads and testIamPermissions (adapters/gcp/preflight.ts)
  preflight: (s, rt) =>
    gcpPreflight({
      project: s['project'] as string,
      sleep: rt.sleep,
      ...(typeof s['endpoint'] === 'string' ? { endpoint: s['endpoint'] } : {}),
      ...(typeof s['tokenEnv'] === 'string' ? { authClient: tokenClient(s['tokenEnv'], rt.env) } : {}),
    }),
  make: (s, members, rt) =>
    new GcpVipProvider({
      name: rt.name,
      project: s['project'] as string,
      ...(typeof s['endpoint'] === 'string' ? { endpoint: s['endpoint'] } : {}),
      ...(typeof s['tokenEnv'] === 'string' ? { authClient: tokenClient(s['tokenEnv'], rt.env) } : {}),
      ...(typeof s['opPollMs'] === 'number' ? { opPollMs: s['opPollMs'] } : {}),
      members,
      policy: rt.policy,
      random: rt.random,
      clock: rt.clock,
      sleep: rt.sleep,
    }),
};
