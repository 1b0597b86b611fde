import * as z from 'zod';

/** Config shapes of the GCP resource kinds and of a GCP member; checked before any API call. */
const cidr = z.lazy(() => z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'a CIDR like 10.9.9.9/32'));

export const aliasIpSpec = z.lazy(() =>
  z.strictObject({ ipCidrRange: cidr, subnetworkRangeName: z.string().optional() }),
);
export const accessConfigSpec = z.lazy(() =>
  z.strictObject({ natIp: z.ipv4(), name: z.string().default('external-nat') }),
);
export const routeSpec = z.lazy(() =>
  z.strictObject({
    /** Route names are `<namePrefix>-a` (priority) and `<namePrefix>-b` (priority + 1): two slots. */
    namePrefix: z.string().regex(/^[a-z]([-a-z0-9]{0,50}[a-z0-9])?$/, 'a lowercase GCE name prefix'),
    network: z.string().min(1),
    destRange: cidr,
    priority: z.number().int().min(0).max(65534).default(1000),
  }),
);
export const gcpHolderSpec = z.lazy(() =>
  z.strictObject({
    zone: z.string().min(1),
    instance: z.string().min(1),
    networkInterface: z.string().default('nic0'),
  }),
);

export type AliasIpSpec = z.infer<typeof aliasIpSpec>;
export type AccessConfigSpec = z.infer<typeof accessConfigSpec>;
export type RouteSpec = z.infer<typeof routeSpec>;
export type GcpHolderSpec = z.infer<typeof gcpHolderSpec>;

export { parseSpec } from '../../core/failover/index.ts';
