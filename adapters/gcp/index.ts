export { GcpVipProvider } from './provider.ts';
export type { GcpProviderOptions } from './provider.ts';
export { classifyGcpError } from './errors.ts';
export { accessConfigSpec, aliasIpSpec, gcpHolderSpec, routeSpec } from './specs.ts';
