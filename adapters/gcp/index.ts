export { GcpVipProvider } from './provider.ts';
export type { GcpProviderOptions } from './provider.ts';
export { classifyGcpError, knownGcpCodes } from './errors.ts';
export { accessConfigSpec, aliasIpSpec, gcpHolderSpec, routeSpec } from './specs.ts';
export { gcpModule } from './module.ts';
export { gcpConfig } from './config.ts';
