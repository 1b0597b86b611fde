/**
 * `global_defs { … }`: daemon-wide settings (reference keepalived.md §1.1 and the global LVS keywords of
 * §2.4). Static defaults are in the schema; the few that depend on other settings (the lower-priority GARP
 * defaults follow the master ones, vrrp_strict changes several) are filled in by the resolver in
 * core/config.
 */
import * as z from 'zod';
import {
  fifoSchema,
  ipAddressSchema,
  portSchema,
  runAsSchema,
  scriptCommandSchema,
  secondsSchema,
  type WithDefaults,
} from './config-common.ts';

const cpuList = z.array(z.number().int().nonnegative());
/** Socket receive buffer sizing: `*_rcv_bufs N` and its `_force` flag. */
const rcvBufs = z.strictObject({ size: z.number().int().nonnegative(), force: z.boolean().default(false) });

/** Scheduling hardening of one of keepalived's processes (vrrp_/checker_/bfd_ prefixed keywords). */
export const processTuningSchema = z.strictObject({
  /** `*_priority -20..19`: nice value. */
  priority: z.number().int().min(-20).max(19).optional(),
  /** `*_rt_priority 1..99`: realtime priority. */
  rtPriority: z.number().int().min(1).max(99).optional(),
  /** `*_rlimit_rttime µs` (alias `*_rlimit_rtime`). */
  rlimitRttime: z.number().int().nonnegative().optional(),
  noSwap: z.boolean().default(false),
  cpuAffinity: cpuList.optional(),
});
export type ProcessTuning = z.output<typeof processTuningSchema>;

export const lvsSyncDaemonSchema = z.strictObject({
  interface: z.string().min(1),
  vrrpInstance: z.string().min(1),
  syncId: z.number().int().min(0).max(255).optional(),
  maxlen: z.number().int().positive().optional(),
  port: portSchema.default(8848),
  ttl: z.number().int().min(1).max(255).optional(),
  group: ipAddressSchema.default('224.0.0.81'),
});
export type LvsSyncDaemon = z.output<typeof lvsSyncDaemonSchema>;

export const globalDefsSchema = z.strictObject({
  // identity
  routerId: z.string().optional(),
  instance: z.string().optional(),
  netNamespace: z.string().optional(),
  netNamespaceIpvs: z.string().optional(),
  usePidDir: z.boolean().default(false),
  // email
  notificationEmail: z.array(z.string()).default([]),
  notificationEmailFrom: z.string().optional(),
  smtpServer: z.strictObject({ host: z.string().min(1), port: portSchema.default(25) }).optional(),
  smtpHeloName: z.string().optional(),
  smtpConnectTimeout: secondsSchema.default(30),
  smtpAlert: z.boolean().optional(),
  smtpAlertVrrp: z.boolean().optional(),
  smtpAlertChecker: z.boolean().optional(),
  noEmailFaults: z.boolean().default(false),
  // VRRP protocol
  vrrpVersion: z.union([z.literal(2), z.literal(3)]).default(2),
  vrrpMcastGroup4: ipAddressSchema.default('224.0.0.18'),
  vrrpMcastGroup6: ipAddressSchema.default('ff02::12'),
  defaultInterface: z.string().default('eth0'),
  vrrpGarpMasterDelay: secondsSchema.default(5),
  vrrpGarpMasterRepeat: z.number().int().nonnegative().default(5),
  vrrpGarpMasterRefresh: secondsSchema.default(0),
  vrrpGarpMasterRefreshRepeat: z.number().int().nonnegative().default(1),
  /** Defaults to vrrpGarpMasterDelay (resolved). */
  vrrpGarpLowerPrioDelay: secondsSchema.optional(),
  /** Defaults to vrrpGarpMasterRepeat (resolved). */
  vrrpGarpLowerPrioRepeat: z.number().int().nonnegative().optional(),
  vrrpGarpInterval: secondsSchema.default(0),
  vrrpGnaInterval: secondsSchema.default(0),
  vrrpMinGarp: z.boolean().default(false),
  vrrpGarpExtraIf: z
    .object({ all: z.boolean().default(false), interval: secondsSchema.max(86400) })
    .optional(),
  vrrpDownTimerAdverts: z.number().int().min(1).max(100).default(3),
  /** Default false, true under vrrp_strict (resolved). */
  vrrpLowerPrioNoAdvert: z.boolean().optional(),
  vrrpHigherPrioSendAdvert: z.boolean().default(false),
  /** Default false, true under vrrp_strict (resolved). */
  vrrpOwnerIgnoreAdverts: z.boolean().optional(),
  vrrpStrict: z.boolean().default(false),
  vrrpCheckUnicastSrc: z.boolean().default(false),
  vrrpSkipCheckAdvAddr: z.boolean().default(false),
  v3ChecksumAsV2: z.boolean().default(false),
  vrrpStartupDelay: secondsSchema.default(0),
  vrrpDelayAfterBoot: secondsSchema.optional(),
  vrrpNotifyPriorityChanges: z.boolean().default(false),
  logUnknownVrids: z.boolean().default(false),
  dynamicInterfaces: z.enum(['off', 'on', 'allow_if_changes']).default('off'),
  vmacPrefix: z.string().default('vrrp'),
  /** Names of use_vmac_addr / per-address use_vmac links; unset = vmac_prefix (keepalived). */
  vmacAddrPrefix: z.string().optional(),
  vrrpRxBufsPolicy: z.union([z.enum(['MTU', 'ADVERT']), z.number().int().positive()]).optional(),
  vrrpRxBufsMultiplier: z.number().int().positive().default(3),
  // firewall
  vrrpIptables: z.strictObject({ in: z.string().optional(), out: z.string().optional() }).optional(),
  vrrpIpsets: z.array(z.string()).optional(),
  nftables: z.strictObject({ table: z.string().default('keepalived') }).optional(),
  nftablesPriority: z.number().int().default(-1),
  nftablesCounters: z.boolean().default(false),
  nftablesIfindex: z.boolean().default(false),
  // notification pipes and scripts
  notifyFifo: fifoSchema.optional(),
  notifyFifoScript: scriptCommandSchema.optional(),
  vrrpNotifyFifo: fifoSchema.optional(),
  vrrpNotifyFifoScript: scriptCommandSchema.optional(),
  lvsNotifyFifo: fifoSchema.optional(),
  lvsNotifyFifoScript: scriptCommandSchema.optional(),
  fifoWriteVrrpStatesOnReload: z.boolean().default(false),
  scriptUser: runAsSchema.optional(),
  enableScriptSecurity: z.boolean().default(false),
  startupScript: scriptCommandSchema.optional(),
  startupScriptTimeout: secondsSchema.default(10),
  shutdownScript: scriptCommandSchema.optional(),
  shutdownScriptTimeout: secondsSchema.default(10),
  // process hardening
  maxAutoPriority: z.number().int().min(-1).max(99).optional(),
  minAutoPriorityDelay: z.number().int().nonnegative().default(1_000_000),
  vrrpProcess: processTuningSchema.default({ noSwap: false }),
  checkerProcess: processTuningSchema.default({ noSwap: false }),
  bfdProcess: processTuningSchema.default({ noSwap: false }),
  netlinkRcvBufs: z.record(z.string(), rcvBufs).default({}),
  childWaitTime: secondsSchema.default(5),
  processNames: z.boolean().default(false),
  umask: z.number().int().min(0).max(0o777).optional(),
  randomSeed: z.number().int().nonnegative().optional(),
  linkbeatUsePolling: z.boolean().default(false),
  // reload and dumps
  reloadCheckConfig: z.strictObject({ logFile: z.string().optional() }).optional(),
  reloadTimeFile: z.string().optional(),
  reloadRepeat: z.boolean().default(false),
  reloadFile: z.string().optional(),
  configSaveDir: z.string().optional(),
  tmpConfigDirectory: z.string().optional(),
  includeCheck: z.array(z.string()).optional(),
  dataUseInstance: z.boolean().default(false),
  jsonVersion: z.union([z.literal(1), z.literal(2)]).default(1),
  stateDumpFile: z.string().optional(),
  statsDumpFile: z.string().optional(),
  jsonDumpFile: z.string().optional(),
  // management
  enableDbus: z.boolean().default(false),
  dbusServiceName: z.string().optional(),
  dbusNoInterfaceName: z.boolean().default(false),
  snmpSocket: z.string().optional(),
  enableSnmpVrrp: z.boolean().default(false),
  enableSnmpChecker: z.boolean().default(false),
  enableSnmpRfc: z.boolean().default(false),
  enableSnmpRfcv2: z.boolean().default(false),
  enableSnmpRfcv3: z.boolean().default(false),
  enableTraps: z.boolean().default(false),
  snmpVsStatsUpdateInterval: secondsSchema.default(5),
  snmpRsStatsUpdateInterval: secondsSchema.default(5),
  // LVS
  lvsSyncDaemon: lvsSyncDaemonSchema.optional(),
  lvsTimeouts: z
    .object({
      tcp: secondsSchema.optional(),
      tcpfin: secondsSchema.optional(),
      udp: secondsSchema.optional(),
    })
    .optional(),
  lvsFlush: z.boolean().default(false),
  lvsFlushOnStop: z.enum(['off', 'all', 'vs']).default('off'),
  nftablesIpvs: z.strictObject({ table: z.string().default('keepalived_ipvs') }).optional(),
  nftablesIpvsPriority: z.number().int().optional(),
  nftablesIpvsStartFwmark: z.number().int().nonnegative().default(1000),
  rsInitNotifies: z.boolean().default(false),
  noCheckerEmails: z.boolean().default(false),
  checkerLogAllFailures: z.boolean().default(false),
});

export type GlobalDefsInput = z.input<typeof globalDefsSchema>;
/** global_defs with every default filled in. */
export type GlobalDefs = WithDefaults<
  z.output<typeof globalDefsSchema>,
  'vrrpGarpLowerPrioDelay' | 'vrrpGarpLowerPrioRepeat' | 'vrrpLowerPrioNoAdvert' | 'vrrpOwnerIgnoreAdverts'
>;
