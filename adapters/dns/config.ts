import * as z from 'zod';
import type { ProviderSchemas } from '../../core/failover/index.ts';
import { dnsHolderSpec, recordSpec } from './specs.ts';

/** The `dns` (Route 53) provider's configuration (no SDK loaded). */
export const dnsConfig: ProviderSchemas = {
  type: 'dns',
  settings: z.lazy(() =>
    z.strictObject({
      /** Route 53 is global; the SDK still wants a region for signing. */
      region: z.string().min(1).optional(),
      endpoint: z.url().optional(),
    }),
  ),
  member: dnsHolderSpec,
  kinds: { record: recordSpec },
  // A change reaches INSYNC on every Route 53 server "usually within 60 seconds" (GetChange docs).
  expectedWriteMs: 120_000,
};
