import * as z from 'zod';
import type { ProviderSchemas } from '../../core/failover/index.ts';
import { awsHolderSpec, elasticIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';

/** The `aws` provider's configuration (no SDK loaded). Credentials come from the SDK's default chain. */
export const awsConfig: ProviderSchemas = {
  type: 'aws',
  settings: z.lazy(() =>
    z.strictObject({
      region: z.string().min(1),
      /** An emulator or a VPC endpoint; the SDK's own endpoint otherwise. */
      endpoint: z.url().optional(),
    }),
  ),
  member: awsHolderSpec,
  kinds: { 'elastic-ip': elasticIpSpec, 'secondary-ip': secondaryIpSpec, route: routeSpec },
  // EC2 calls are synchronous; the read-back is bounded by the verify policy (about 30 s at most).
  expectedWriteMs: 30_000,
};
