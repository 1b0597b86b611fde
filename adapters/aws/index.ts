export { AwsVipProvider, realSleep } from './provider.ts';
export type { AwsProviderOptions } from './provider.ts';
export { classifyAwsError } from './errors.ts';
export { awsHolderSpec, elasticIpSpec, routeSpec, secondaryIpSpec } from './specs.ts';
