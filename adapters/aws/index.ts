export { AwsVipProvider } from './provider.ts';
export { realSleep } from '../system/index.ts';
export type { AwsProviderOptions } from './provider.ts';
export { classifyAwsError } from './errors.ts';
export { awsHolderSpec, elasticIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';
