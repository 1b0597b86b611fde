import * as z from 'zod';

/** A DNS record floatip points at the active member (cross-cloud failover where no address can move). */
export const recordSpec = z.lazy(() =>
  z.strictObject({
    hostedZoneId: z.string().min(1),
    name: z.string().min(1),
    type: z.enum(['A', 'AAAA']),
    ttl: z.number().int().min(0).max(86_400).default(10),
  }),
);
export const dnsHolderSpec = z.lazy(() => z.strictObject({ address: z.union([z.ipv4(), z.ipv6()]) }));

export type RecordSpec = z.infer<typeof recordSpec>;
export type DnsHolderSpec = z.infer<typeof dnsHolderSpec>;

export { parseSpec } from '../../core/failover/index.ts';
