import * as z from 'zod';

/** Config shapes of the Azure resource kinds and of an Azure member; checked before any API call. */
const ref = z.lazy(() => z.strictObject({ resourceGroup: z.string().min(1), name: z.string().min(1) }));
const prefix = z.lazy(() =>
  z.string().regex(/^[0-9a-fA-F.:]+\/\d{1,3}$/, 'an address prefix like 10.9.9.9/32 or fd00::9/128'),
);

export const routeSpec = z.lazy(() =>
  z.strictObject({
    /** Every table holding the route; only the `routes/{route}` child is written, never the table. */
    routeTables: z.array(ref).min(1),
    route: z.string().min(1),
    addressPrefix: prefix,
  }),
);
export const publicIpSpec = z.lazy(() =>
  z.strictObject({ publicIpId: z.string().startsWith('/subscriptions/') }),
);
export const secondaryIpSpec = z.lazy(() =>
  z.strictObject({
    privateIp: z.union([z.ipv4(), z.ipv6()]),
    /** Name of the IP configuration that carries it on whichever NIC holds it. */
    ipConfigurationName: z.string().min(1),
  }),
);
export const azureHolderSpec = z.lazy(() =>
  z.strictObject({
    /** The member's address that routes point at (VirtualAppliance next hop). */
    privateIp: z.union([z.ipv4(), z.ipv6()]),
    networkInterface: ref.optional(),
    /** IP configuration that gets the public IP; the primary one when absent. */
    ipConfiguration: z.string().optional(),
  }),
);

export type RouteSpec = z.infer<typeof routeSpec>;
export type PublicIpSpec = z.infer<typeof publicIpSpec>;
export type SecondaryIpSpec = z.infer<typeof secondaryIpSpec>;
export type AzureHolderSpec = z.infer<typeof azureHolderSpec>;

export { parseSpec } from '../../core/failover/index.ts';
