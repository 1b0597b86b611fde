import * as z from 'zod';
import { checkCidr } from '../../core/model/index.ts';

/**
 * Config shapes of the AWS resource kinds and of an AWS member; checked before any API call.
 *
 * A route destination is an IPv4 or IPv6 CIDR block in the form EC2 stores it: EC2 clears host bits
 * (`10.0.0.1/18` becomes `10.0.0.0/18`), so a block with host bits set would never match what
 * DescribeRouteTables shows and every failover would end in RouteAlreadyExists. It is refused, naming the
 * network to write instead; IPv6 text is made canonical (RFC 5952). Test: "aws: a route destination
 * with host bits set is refused at config time" in test/adapters/aws/real-api.test.ts.
 */
const destination = z.lazy(() =>
  z.string().transform((text, ctx) => {
    const c = checkCidr(text);
    if (c.ok) return c.cidr;
    ctx.addIssue({
      code: 'custom',
      message: `${c.message}${c.canonical ? ` (EC2 would store ${c.canonical}: write that)` : ''}; an IPv4 CIDR like 10.9.9.9/32 or an IPv6 CIDR like fd00::9/128`,
    });
    return z.NEVER;
  }),
);

export const elasticIpSpec = z.lazy(() =>
  z.strictObject({ allocationId: z.string().startsWith('eipalloc-') }),
);
export const secondaryIpSpec = z.lazy(() => z.strictObject({ privateIp: z.ipv4() }));
export const routeSpec = z.lazy(() =>
  z.strictObject({
    routeTableIds: z.array(z.string().startsWith('rtb-')).min(1),
    destination,
    /** Turn the next hop's source/dest check off when it is on (a NAT/router ENI needs it off). */
    disableSourceDestCheck: z.boolean().optional(),
  }),
);
export const awsHolderSpec = z.lazy(() =>
  z.strictObject({
    networkInterfaceId: z.string().startsWith('eni-'),
    /** Private IP of the ENI an elastic IP maps to; the primary one when absent. */
    privateIp: z.ipv4().optional(),
    instanceId: z.string().optional(),
  }),
);

export type ElasticIpSpec = z.infer<typeof elasticIpSpec>;
export type SecondaryIpSpec = z.infer<typeof secondaryIpSpec>;
export type RouteSpec = z.infer<typeof routeSpec>;
export type AwsHolderSpec = z.infer<typeof awsHolderSpec>;

/** Parses `value` or returns one line naming the resource, the field and the problem. */
export { parseSpec } from '../../core/failover/index.ts';
