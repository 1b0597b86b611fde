export { DnsVipProvider } from './provider.ts';
export type { DnsProviderOptions } from './provider.ts';
export { classifyRoute53Error, knownRoute53Codes } from './errors.ts';
export { dnsHolderSpec, recordSpec } from './specs.ts';
export { dnsModule } from './module.ts';
export { dnsConfig } from './config.ts';
