export { AzureVipProvider } from './provider.ts';
export type { AzureProviderOptions } from './provider.ts';
export { classifyAzureError, knownAzureCodes, retryAfterMs } from './errors.ts';
export { azureHolderSpec, publicIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';
export { azureModule } from './module.ts';
export { azureConfig } from './config.ts';
export { azureCredential, staticTokenCredential } from './credential.ts';
