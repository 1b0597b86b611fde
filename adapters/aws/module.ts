import type { ProviderModule } from '../../core/failover/index.ts';
import { awsConfig } from './config.ts';
import { knownAwsCodes } from './errors.ts';
import { awsPreflight } from './preflight.ts';
import { AwsVipProvider } from './provider.ts';

/** The `aws` provider: its schemas and its factory. */
export const awsModule: ProviderModule = {
  ...awsConfig,
  knownCodes: knownAwsCodes,
  // floatip cloud preflight: DryRun writes and topology reads (adapters/aws/preflight.ts)
  preflight: (s, rt) =>
    awsPreflight({
      region: s['region'] as string,
      sleep: rt.sleep,
      ...(typeof s['endpoint'] === 'string' ? { endpoint: s['endpoint'] } : {}),
    }),
  make: (s, members, rt) =>
    new AwsVipProvider({
      name: rt.name,
      region: s['region'] as string,
      ...(typeof s['endpoint'] === 'string' ? { endpoint: s['endpoint'] } : {}),
      members,
      policy: rt.policy,
      random: rt.random,
      clock: rt.clock,
      sleep: rt.sleep,
    }),
};
