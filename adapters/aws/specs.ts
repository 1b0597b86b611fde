import { z } from 'zod';

/** Config shapes of the AWS resource kinds and of an AWS member; checked before any API call. */
const cidr4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 CIDR like 10.9.9.9/32');
const cidr6 = z.string().regex(/^[0-9a-fA-F:]+\/\d{1,3}$/, 'an IPv6 CIDR like fd00::9/128');

export const elasticIpSpec = z.strictObject({ allocationId: z.string().startsWith('eipalloc-') });
export const secondaryIpSpec = z.strictObject({ privateIp: z.ipv4() });
export const routeSpec = z.strictObject({
  routeTableIds: z.array(z.string().startsWith('rtb-')).min(1),
  destination: z.union([cidr4, cidr6]),
  /** Turn the next hop's source/dest check off when it is on (a NAT/router ENI needs it off). */
  disableSourceDestCheck: z.boolean().optional(),
});
export const awsHolderSpec = z.strictObject({
  networkInterfaceId: z.string().startsWith('eni-'),
  /** Private IP of the ENI an elastic IP maps to; the primary one when absent. */
  privateIp: z.ipv4().optional(),
  instanceId: z.string().optional(),
});

export type ElasticIpSpec = z.infer<typeof elasticIpSpec>;
export type SecondaryIpSpec = z.infer<typeof secondaryIpSpec>;
export type RouteSpec = z.infer<typeof routeSpec>;
export type AwsHolderSpec = z.infer<typeof awsHolderSpec>;

/** Parses `value` or returns one line naming the resource, the field and the problem. */
export { parseSpec } from '../../core/failover/index.ts';
