/**
 * The VRRP side of the configuration model (reference keepalived.md §1.2-§1.4): vrrp_instance,
 * vrrp_sync_group and the trackers (vrrp_script, track_file, vrrp_track_process, bfd_instance), plus the
 * static address/route blocks. Fields marked "resolved" are optional as written and always present in the
 * resolved model (`VrrpInstance`), where core/config fills them from global_defs and keepalived's rules.
 */
import * as z from 'zod';
import {
  ipAddressSchema,
  runAsSchema,
  scriptCommandSchema,
  secondsSchema,
  trackInterfaceSchema,
  trackRefSchema,
  type WithDefaults,
} from './config-common.ts';

export const vrrpStates = ['MASTER', 'BACKUP'] as const;
export type VrrpState = (typeof vrrpStates)[number];

export const ipScopes = ['global', 'site', 'link', 'host', 'nowhere'] as const;

/** One `virtual_ipaddress` / `static_ipaddress` line: `IP[/MASK] [brd X] [dev IF] [scope S] [label L] …`. */
export const ipAddressEntrySchema = z.strictObject({
  address: ipAddressSchema,
  /** /32 for IPv4 and /128 for IPv6 when not written. */
  prefix: z.number().int().min(0).max(128),
  /** Broadcast address, or `+` / `-` (set host bits / clear host bits). */
  brd: z.string().optional(),
  /** Interface; the resolver fills it with the instance interface (or global default_interface). */
  dev: z.string().optional(),
  scope: z.enum(ipScopes).default('global'),
  label: z.string().optional(),
  peer: ipAddressSchema.optional(),
  home: z.boolean().default(false),
  nodad: z.boolean().default(false),
  mngtmpaddr: z.boolean().default(false),
  noprefixroute: z.boolean().default(false),
  autojoin: z.boolean().default(false),
  noTrack: z.boolean().default(false),
  useVmac: z.boolean().default(false),
  /** Seconds or 'forever'; an IPv6 /128 VIP defaults to 0 (deprecated address). */
  preferredLft: z.union([z.number().int().nonnegative(), z.literal('forever')]).optional(),
  /** Name of a track_group whose instances go FAULT when this static address is lost. */
  trackGroup: z.string().optional(),
});
export type IpAddressEntry = z.output<typeof ipAddressEntrySchema>;

/**
 * A `virtual_routes` / `virtual_rules` / `static_*` line. keepalived takes `ip route` / `ip rule` syntax;
 * `words` keeps the line as written (minus `no_track`) so the netlink adapter can build the request.
 */
export const routeEntrySchema = z.strictObject({
  words: z.array(z.string()).min(1),
  noTrack: z.boolean().default(false),
});
export type RouteEntry = z.output<typeof routeEntrySchema>;

export const unicastPeerSchema = z.strictObject({
  address: ipAddressSchema,
  minTtl: z.number().int().min(0).max(255).optional(),
  maxTtl: z.number().int().min(0).max(255).optional(),
});
export type UnicastPeer = z.output<typeof unicastPeerSchema>;

export const authenticationSchema = z.strictObject({
  type: z.enum(['PASS', 'AH']),
  /** PASS uses only the first 8 characters; the resolver truncates (with a warning). */
  password: z.string(),
});
export type Authentication = z.output<typeof authenticationSchema>;

/** `use_vmac [[name] IF] [MAC] [netlink_notify_msg] [group G]`. */
export const vmacSchema = z.strictObject({
  name: z.string().optional(),
  mac: z.string().optional(),
  netlinkNotifyMsg: z.boolean().default(false),
  group: z.string().optional(),
});
/** `use_ipvlan [[name] IF] [IP] [bridge|private|vepa] [group G]`. */
export const ipvlanSchema = z.strictObject({
  name: z.string().optional(),
  address: z.string().optional(),
  mode: z.enum(['bridge', 'private', 'vepa']).optional(),
  group: z.string().optional(),
});

/** Notify hooks shared by instances and sync groups. */
const notifyFields = {
  notifyMaster: scriptCommandSchema.optional(),
  notifyBackup: scriptCommandSchema.optional(),
  notifyFault: scriptCommandSchema.optional(),
  notifyStop: scriptCommandSchema.optional(),
  notify: scriptCommandSchema.optional(),
};

/** Trackers shared by instances and sync groups. */
const trackFields = {
  trackInterface: z.array(trackInterfaceSchema).default([]),
  trackScript: z.array(trackRefSchema).default([]),
  trackFile: z.array(trackRefSchema).default([]),
  trackProcess: z.array(trackRefSchema).default([]),
  trackBfd: z.array(trackRefSchema).default([]),
};

export const vrrpInstanceSchema = z.strictObject({
  /** Initial wish. Resolved: MASTER if priority 255 else BACKUP; vrrp_strict/AH may clear MASTER. */
  state: z.enum(vrrpStates).optional(),
  /** Required unless unicast with unicast_src_ip. */
  interface: z.string().optional(),
  vrf: z.string().optional(),
  virtualRouterId: z.number().int().min(1).max(255),
  priority: z.number().int().min(1).max(255).default(100),
  /** Seconds. v2: whole seconds 1..255; v3: 0.01..40.95. */
  advertInt: z.number().positive().max(255).default(1),
  /** Resolved: global vrrp_version, or 3 for IPv6 VIPs. */
  version: z.union([z.literal(2), z.literal(3)]).optional(),
  /** Resolved: cleared (false) when state MASTER or priority 255. */
  nopreempt: z.boolean().default(false),
  preemptDelay: secondsSchema.max(1000).default(0),
  /** Resolved: global vrrp_down_timer_adverts. */
  downTimerAdverts: z.number().int().min(1).max(100).optional(),
  /** `timer_expired_backup [PRIO]`: undefined = off. */
  timerExpiredBackup: z.strictObject({ priority: z.number().int().min(1).max(254).optional() }).optional(),
  mcastSrcIp: ipAddressSchema.optional(),
  unicastSrcIp: ipAddressSchema.optional(),
  unicastPeers: z.array(unicastPeerSchema).default([]),
  unicastTtl: z.number().int().min(0).max(255).default(255),
  unicastFaultNoPeer: z.boolean().default(false),
  /** Resolved: global vrrp_check_unicast_src. */
  checkUnicastSrc: z.boolean().optional(),
  /** Resolved: global vrrp_mcast_group4/6 by family. */
  mcastDstIp: ipAddressSchema.optional(),
  trackSrcIp: z.boolean().default(false),
  oldUnicastChecksum: z.enum(['auto', 'always', 'never']).default('auto'),
  /** Resolved: global v3_checksum_as_v2. */
  v3ChecksumAsV2: z.boolean().optional(),
  authentication: authenticationSchema.optional(),
  virtualIpaddress: z.array(ipAddressEntrySchema).default([]),
  virtualIpaddressExcluded: z.array(ipAddressEntrySchema).default([]),
  noVirtualIpaddress: z.boolean().default(false),
  promoteSecondaries: z.boolean().default(false),
  virtualRoutes: z.array(routeEntrySchema).default([]),
  virtualRules: z.array(routeEntrySchema).default([]),
  /** Resolved: true, or false under vrrp_strict unless priority 255. */
  accept: z.boolean().optional(),
  useVmac: vmacSchema.optional(),
  useVmacAddr: z.boolean().default(false),
  vmacXmitBase: z.boolean().default(false),
  useIpvlan: ipvlanSchema.optional(),
  dontTrackPrimary: z.boolean().default(false),
  ...trackFields,
  // per-instance GARP settings; resolved from global_defs
  garpMasterDelay: secondsSchema.optional(),
  garpMasterRepeat: z.number().int().nonnegative().optional(),
  garpMasterRefresh: secondsSchema.optional(),
  garpMasterRefreshRepeat: z.number().int().nonnegative().optional(),
  garpLowerPrioDelay: secondsSchema.optional(),
  garpLowerPrioRepeat: z.number().int().nonnegative().optional(),
  garpExtraIf: z
    .strictObject({ all: z.boolean().default(false), interval: secondsSchema.max(86400) })
    .optional(),
  // per-instance versions of the globals; resolved
  lowerPrioNoAdvert: z.boolean().optional(),
  higherPrioSendAdvert: z.boolean().optional(),
  ownerIgnoreAdverts: z.boolean().optional(),
  skipCheckAdvAddr: z.boolean().optional(),
  strictMode: z.boolean().optional(),
  ...notifyFields,
  /** `notify_deleted [CMD]`: report DELETED instead of FAULT on removal; the command is optional. */
  notifyDeleted: z.strictObject({ script: scriptCommandSchema.optional() }).optional(),
  notifyMasterRxLowerPri: scriptCommandSchema.optional(),
  /** Resolved: global vrrp_notify_priority_changes. */
  notifyPriorityChanges: z.boolean().optional(),
  /** Resolved: smtp_alert_vrrp, else smtp_alert, else false. */
  smtpAlert: z.boolean().optional(),
  kernelRxBufSize: z.number().int().nonnegative().optional(),
  linkbeatUsePolling: z.boolean().default(false),
  nativeIpv6: z.boolean().default(false),
  debug: z.number().int().min(0).max(4).default(0),
  /** Deprecated per-instance form of global lvs_sync_daemon. */
  lvsSyncDaemonInterface: z.string().optional(),
});
export type VrrpInstanceInput = z.input<typeof vrrpInstanceSchema>;
export type VrrpInstance = WithDefaults<
  z.output<typeof vrrpInstanceSchema>,
  | 'state'
  | 'version'
  | 'downTimerAdverts'
  | 'checkUnicastSrc'
  | 'mcastDstIp'
  | 'v3ChecksumAsV2'
  | 'accept'
  | 'garpMasterDelay'
  | 'garpMasterRepeat'
  | 'garpMasterRefresh'
  | 'garpMasterRefreshRepeat'
  | 'garpLowerPrioDelay'
  | 'garpLowerPrioRepeat'
  | 'lowerPrioNoAdvert'
  | 'higherPrioSendAdvert'
  | 'ownerIgnoreAdverts'
  | 'skipCheckAdvAddr'
  | 'strictMode'
  | 'notifyPriorityChanges'
  | 'smtpAlert'
>;

export const vrrpSyncGroupSchema = z.strictObject({
  /** Member instances (at least one; an empty group is reported by the resolver with its position). */
  group: z.array(z.string().min(1)).default([]),
  ...trackFields,
  ...notifyFields,
  smtpAlert: z.boolean().default(false),
  notifyPriorityChanges: z.boolean().optional(),
  syncGroupTrackingWeight: z.boolean().default(false),
});
export type VrrpSyncGroup = z.output<typeof vrrpSyncGroupSchema>;

export const vrrpScriptSchema = z.strictObject({
  script: scriptCommandSchema,
  interval: secondsSchema.positive().default(1),
  /** Resolved: = interval. */
  timeout: secondsSchema.positive().optional(),
  weight: z.number().int().min(-253).max(253).default(0),
  reverse: z.boolean().default(false),
  rise: z.number().int().min(1).default(1),
  fall: z.number().int().min(1).default(1),
  user: runAsSchema.optional(),
  initFail: z.boolean().default(false),
});
export type VrrpScript = WithDefaults<z.output<typeof vrrpScriptSchema>, 'timeout'>;

export const trackFileSchema = z.strictObject({
  file: z.string().min(1),
  weight: z.number().int().min(-254).max(254).default(1),
  reverse: z.boolean().default(false),
  /** `init_file [VAL] [overwrite]`: create the file with VAL (0) if missing, or always with overwrite. */
  initFile: z
    .object({ value: z.number().int().default(0), overwrite: z.boolean().default(false) })
    .optional(),
});
export type TrackFile = z.output<typeof trackFileSchema>;

export const trackProcessSchema = z.strictObject({
  process: z.string().min(1),
  parameters: z.array(z.string()).default([]),
  paramMatch: z.enum(['exact', 'initial', 'partial']).default('exact'),
  fullCommand: z.boolean().default(false),
  weight: z.number().int().min(-254).max(254).default(0),
  reverse: z.boolean().default(false),
  quorum: z.number().int().min(0).default(1),
  quorumMax: z.number().int().min(0).optional(),
  forkDelay: secondsSchema.default(0),
  terminateDelay: secondsSchema.default(0),
});
export type TrackProcess = z.output<typeof trackProcessSchema>;

export const bfdInstanceSchema = z.strictObject({
  neighborIp: ipAddressSchema,
  sourceIp: ipAddressSchema.optional(),
  /** Milliseconds, like keepalived. */
  minRx: z.number().int().positive().default(10),
  minTx: z.number().int().positive().default(10),
  idleTx: z.number().int().positive().default(1000),
  multiplier: z.number().int().min(1).max(255).default(5),
  passive: z.boolean().default(false),
  ttl: z.number().int().min(1).max(255).default(255),
  hoplimit: z.number().int().min(1).max(255).default(64),
  maxHops: z.number().int().min(0).max(255).default(0),
  multihop: z.boolean().default(false),
  weight: z.number().int().min(-253).max(253).optional(),
  reverse: z.boolean().default(false),
  /** Which processes get the session's events. */
  notify: z.enum(['both', 'vrrp', 'checker']).default('both'),
});
export type BfdInstance = z.output<typeof bfdInstanceSchema>;

/** `garp_group { garp_interval S; gna_interval S; interface IF | interfaces { … } }`. */
export const garpGroupSchema = z.strictObject({
  garpInterval: secondsSchema.optional(),
  gnaInterval: secondsSchema.optional(),
  interfaces: z.array(z.string().min(1)).min(1),
});
export type GarpGroup = z.output<typeof garpGroupSchema>;
