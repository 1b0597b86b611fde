import type { ProviderModule } from '../../core/failover/index.ts';
import { dnsConfig } from './config.ts';
import { knownRoute53Codes } from './errors.ts';
import { dnsPreflight } from './preflight.ts';
import { DnsVipProvider } from './provider.ts';

/** The `dns` (Route 53) provider: its schemas and its factory. */
export const dnsModule: ProviderModule = {
  ...dnsConfig,
  knownCodes: knownRoute53Codes,
  // floatip cloud preflight: zone and record reads; the write is unproven (adapters/dns/preflight.ts)
  preflight: (s, rt) =>
    dnsPreflight({
      sleep: rt.sleep,
      ...(typeof s['region'] === 'string' ? { region: s['region'] } : {}),
      ...(typeof s['endpoint'] === 'string' ? { endpoint: s['endpoint'] } : {}),
    }),
  make: (s, members, rt) =>
    new DnsVipProvider({
      name: rt.name,
      ...(typeof s['region'] === 'string' ? { region: s['region'] } : {}),
      ...(typeof s['endpoint'] === 'string' ? { endpoint: s['endpoint'] } : {}),
      members,
      policy: rt.policy,
      random: rt.random,
      clock: rt.clock,
      sleep: rt.sleep,
    }),
};
