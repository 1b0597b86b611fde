export { AwsVipProvider } from './provider.ts';
export { realSleep } from '../system/index.ts';
export type { AwsProviderOptions } from './provider.ts';
export { classifyAwsError, knownAwsCodes } from './errors.ts';
export { awsHolderSpec, elasticIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';
export { awsModule } from './module.ts';
export { awsConfig } from './config.ts';
