import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import type { ProviderSchemas } from '../../core/failover/index.ts';
import { azureHolderSpec, publicIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';

/** The `azure` provider's configuration (no SDK loaded). */
export const azureConfig: ProviderSchemas = {
  type: 'azure',
  settings: z.strictObject({
    subscriptionId: z.string().min(1),
    /** ARM endpoint (an emulator, a sovereign cloud); https://management.azure.com otherwise. */
    endpoint: z.url().optional(),
    /** A PEM file of an extra CA to trust for `endpoint`. */
    caFile: z.string().min(1).optional(),
    /** Poll interval of long-running operations (ms). */
    lroPollMs: z.number().int().positive().optional(),
    /** A service principal (secret from the environment); DefaultAzureCredential when absent. */
    clientSecret: z
      .strictObject({
        tenantId: z.string().min(1),
        clientId: z.string().min(1),
        secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
      })
      .optional(),
    /** An environment variable holding a bearer token (emulators, tests only: it is never renewed). */
    tokenEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
  }),
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
    if (typeof s['caFile'] === 'string')
      try {
        accessSync(s['caFile'], constants.R_OK);
      } catch (err) {
        out.push(`caFile: cannot read ${s['caFile']}: ${(err as Error).message}`);
      }
    return out;
  },
};
