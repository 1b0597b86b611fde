import { accessSync, constants } from 'node:fs';
import * as z from 'zod';
import type { ProviderSchemas } from '../../core/failover/index.ts';
import { azureHolderSpec, publicIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';

/** The `azure` provider's configuration (no SDK loaded). */
export const azureConfig: ProviderSchemas = {
  type: 'azure',
  settings: z.lazy(() =>
    z.strictObject({
      subscriptionId: z.string().min(1),
      /** ARM endpoint (an emulator, a sovereign cloud); https://management.azure.com otherwise. */
      endpoint: z.url().optional(),
      /** A PEM file of an extra CA to trust for `endpoint`. */
      caFile: z.string().min(1).optional(),
      /** Poll interval of long-running operations (ms). */
      lroPollMs: z.number().int().positive().optional(),
      /** A user-assigned managed identity's client id (the system-assigned one when absent). */
      managedIdentityClientId: z.string().min(1).optional(),
      /** A service principal (secret from the environment); the managed-identity-first chain when absent. */
      clientSecret: z
        .strictObject({
          tenantId: z.string().min(1),
          clientId: z.string().min(1),
          secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
        })
        .optional(),
      /** An environment variable holding a bearer token (emulators, tests only: it is never renewed; needs `endpoint`). */
      tokenEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/)
        .optional(),
    }),
  ),
  member: azureHolderSpec,
  kinds: { route: routeSpec, 'public-ip': publicIpSpec, 'secondary-ip': secondaryIpSpec },
  // NIC and route updates are long-running operations: 30-90 s is common.
  expectedWriteMs: 180_000,
  check(s, env) {
    const out: string[] = [];
    const sp = s['clientSecret'] as { secretEnv?: string } | undefined;
    if (sp?.secretEnv && !env[sp.secretEnv])
      out.push(`clientSecret.secretEnv: environment variable ${sp.secretEnv} is not set`);
    if (typeof s['tokenEnv'] === 'string' && !env[s['tokenEnv']])
      out.push(`tokenEnv: environment variable ${s['tokenEnv']} is not set`);
    if (typeof s['tokenEnv'] === 'string' && typeof s['endpoint'] !== 'string')
      out.push(
        'tokenEnv: a static token is for an emulator or a test (it is never renewed) and needs an explicit endpoint; against Azure leave it out (managed identity, then the other credentials)',
      );
    if (typeof s['tokenEnv'] === 'string' && (s['clientSecret'] || s['managedIdentityClientId']))
      out.push('tokenEnv: cannot be combined with clientSecret or managedIdentityClientId');
    if (typeof s['caFile'] === 'string')
      try {
        accessSync(s['caFile'], constants.R_OK);
      } catch (err) {
        out.push(`caFile: cannot read ${s['caFile']}: ${(err as Error).message}`);
      }
    return out;
  },
};
