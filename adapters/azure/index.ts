export { AzureVipProvider } from './provider.ts';
export type { AzureProviderOptions } from './provider.ts';
export { classifyAzureError, retryAfterMs } from './errors.ts';
export { azureHolderSpec, publicIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';
