/**
 * The floatip configuration model: one schema for keepalived.conf (translated by core/config) and for the
 * native YAML/JSON format.
 *
 * Two shapes:
 * - `ConfigInput` (= `z.input<typeof configSchema>`): what a file says. Optional fields are the ones
 *   keepalived defaults.
 * - `Config`: the resolved model every engine consumes. Every default is filled in, including those that
 *   depend on other settings (instance GARP timing from global_defs, VRRP version from the VIP family,
 *   checker retry per checker type, connect address from the real server, ...). Produce it with
 *   `parseKeepalived` / `parseNative` / `resolveConfig` from core/config. A resolved Config is itself a
 *   valid input, and resolving it again gives the same Config.
 *
 * Named objects (instances, scripts, groups) are records keyed by name, in file order.
 */
import * as z from 'zod';
import { globalDefsSchema, type GlobalDefs } from './config-global.ts';
import {
  bfdInstanceSchema,
  garpGroupSchema,
  ipAddressEntrySchema,
  routeEntrySchema,
  trackFileSchema,
  trackProcessSchema,
  vrrpInstanceSchema,
  vrrpScriptSchema,
  vrrpSyncGroupSchema,
  type BfdInstance,
  type GarpGroup,
  type IpAddressEntry,
  type RouteEntry,
  type TrackFile,
  type TrackProcess,
  type VrrpInstance,
  type VrrpScript,
  type VrrpSyncGroup,
} from './config-vrrp.ts';
import {
  sslSchema,
  virtualServerGroupSchema,
  virtualServerSchema,
  type SslSettings,
  type VirtualServer,
  type VirtualServerGroup,
} from './config-lvs.ts';

/**
 * EXTENSION POINT: cloud provider settings (`cloud:` in the native format). keepalived has no words for
 * these; the cloud issue replaces this passthrough object with provider schemas (aws, azure, gcp, dns).
 * Until then any object is kept as written.
 */
export const cloudSettingsSchema = z.looseObject({});
export type CloudSettings = z.output<typeof cloudSettingsSchema>;

const trackGroupSchema = z.strictObject({ group: z.array(z.string().min(1)).min(1) });
const upDownDelaySchema = z.strictObject({
  down: z.number().nonnegative().max(255),
  up: z.number().nonnegative().max(255),
});

export const configSchema = z.strictObject({
  globalDefs: globalDefsSchema.default(globalDefsSchema.parse({})),
  vrrpScripts: z.record(z.string(), vrrpScriptSchema).default({}),
  trackFiles: z.record(z.string(), trackFileSchema).default({}),
  trackProcesses: z.record(z.string(), trackProcessSchema).default({}),
  bfdInstances: z.record(z.string(), bfdInstanceSchema).default({}),
  vrrpSyncGroups: z.record(z.string(), vrrpSyncGroupSchema).default({}),
  vrrpInstances: z.record(z.string(), vrrpInstanceSchema).default({}),
  trackGroups: z.record(z.string(), trackGroupSchema).default({}),
  interfaceUpDownDelays: z.record(z.string(), upDownDelaySchema).default({}),
  /** Polling method per interface; 'auto' when the line names none. */
  linkbeatInterfaces: z.record(z.string(), z.enum(['auto', 'MII', 'ETHTOOL', 'IOCTL'])).default({}),
  garpGroups: z.array(garpGroupSchema).default([]),
  staticIpaddress: z.array(ipAddressEntrySchema).default([]),
  staticRoutes: z.array(routeEntrySchema).default([]),
  staticRules: z.array(routeEntrySchema).default([]),
  virtualServerGroups: z.record(z.string(), virtualServerGroupSchema).default({}),
  virtualServers: z.array(virtualServerSchema).default([]),
  ssl: sslSchema.optional(),
  /** EXTENSION POINT: see cloudSettingsSchema. */
  cloud: cloudSettingsSchema.optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
/** What the schema alone yields (static defaults applied, derived ones not yet). */
export type ConfigParsed = z.output<typeof configSchema>;

/** The resolved configuration model consumed by the VRRP engine, the LVS engine and the agent. */
export interface Config {
  globalDefs: GlobalDefs;
  vrrpScripts: Record<string, VrrpScript>;
  trackFiles: Record<string, TrackFile>;
  trackProcesses: Record<string, TrackProcess>;
  bfdInstances: Record<string, BfdInstance>;
  vrrpSyncGroups: Record<string, VrrpSyncGroup>;
  vrrpInstances: Record<string, VrrpInstance>;
  trackGroups: Record<string, { group: string[] }>;
  interfaceUpDownDelays: Record<string, { down: number; up: number }>;
  linkbeatInterfaces: Record<string, 'auto' | 'MII' | 'ETHTOOL' | 'IOCTL'>;
  garpGroups: GarpGroup[];
  staticIpaddress: IpAddressEntry[];
  staticRoutes: RouteEntry[];
  staticRules: RouteEntry[];
  virtualServerGroups: Record<string, VirtualServerGroup>;
  virtualServers: VirtualServer[];
  ssl?: SslSettings;
  cloud?: CloudSettings;
}
