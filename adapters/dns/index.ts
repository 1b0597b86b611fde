export { DnsVipProvider } from './provider.ts';
export type { DnsProviderOptions } from './provider.ts';
export { classifyRoute53Error } from './errors.ts';
export { dnsHolderSpec, recordSpec } from './specs.ts';
