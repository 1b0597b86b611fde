import * as z from 'zod';
import type { ProviderSchemas } from '../../core/failover/index.ts';
import { accessConfigSpec, aliasIpSpec, gcpHolderSpec, routeSpec } from './specs.ts';

/** The `gcp` provider's configuration (no SDK loaded). Credentials: application default credentials. */
export const gcpConfig: ProviderSchemas = {
  type: 'gcp',
  settings: z.lazy(() =>
    z.strictObject({
      project: z.string().min(1),
      endpoint: z.url().optional(),
      /** An environment variable holding an OAuth access token (emulators, tests); ADC when absent. */
      tokenEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/)
        .optional(),
      /** Pause between `wait` calls while an operation is still RUNNING (ms). */
      opPollMs: z.number().int().positive().optional(),
    }),
  ),
  member: gcpHolderSpec,
  kinds: { 'alias-ip': aliasIpSpec, 'access-config': accessConfigSpec, route: routeSpec },
  // Zonal and global operations are awaited; instance updates take tens of seconds.
  expectedWriteMs: 120_000,
  check: (s, env) =>
    typeof s['tokenEnv'] === 'string' && !env[s['tokenEnv']]
      ? [`tokenEnv: environment variable ${s['tokenEnv']} is not set`]
      : [],
};
