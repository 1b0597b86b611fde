/**
 * The LVS side of the configuration model (reference keepalived.md §2-§3): virtual_server_group,
 * virtual_server, real_server and every checker block. In the resolved model (`VirtualServer`) each checker
 * carries its effective timing (the VS -> RS -> checker cascade and the per-checker retry defaults are
 * applied), its connect address and port, so the health engine never has to look up the tree.
 */
import * as z from 'zod';
import {
  ipAddressSchema,
  portSchema,
  runAsSchema,
  scriptCommandSchema,
  secondsSchema,
  type WithDefaults,
} from './config-common.ts';

/** IPVS scheduler names keepalived forwards to the kernel (`lvs_sched` / `lb_algo`). */
export const lvsSchedulers = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'sh',
  'mh',
  'dh',
  'fo',
  'ovf',
  'lblcr',
  'sed',
  'nq',
  'twos',
] as const;
export type LvsScheduler = (typeof lvsSchedulers)[number];
export const lvsMethods = ['NAT', 'DR', 'TUN'] as const;
export const lvsProtocols = ['TCP', 'UDP', 'SCTP'] as const;

/** `lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]`. */
export const forwardingSchema = z.strictObject({
  method: z.enum(lvsMethods),
  tunnelType: z.enum(['ipip', 'gue', 'gre']).optional(),
  tunnelPort: portSchema.optional(),
  tunnelChecksum: z.enum(['nocsum', 'csum', 'remcsum']).optional(),
});
export type Forwarding = z.output<typeof forwardingSchema>;

/** Timing shared by VS, RS and checkers (cascades VS -> RS -> checker). */
const timingFields = {
  delayLoop: secondsSchema.optional(),
  connectTimeout: secondsSchema.optional(),
  retry: z.number().int().nonnegative().optional(),
  delayBeforeRetry: secondsSchema.optional(),
  warmup: secondsSchema.optional(),
  alpha: z.boolean().optional(),
};

/** Connection keywords of every connection checker (reference §3.1). */
const connectionFields = {
  ...timingFields,
  /** Resolved: the real server's address. */
  connectIp: ipAddressSchema.optional(),
  /** Resolved: the real server's port. */
  connectPort: portSchema.optional(),
  bindto: ipAddressSchema.optional(),
  bindIf: z.string().optional(),
  bindPort: portSchema.optional(),
  fwmark: z.number().int().nonnegative().optional(),
  logAllFailures: z.boolean().optional(),
};

const statusRange = z.strictObject({
  from: z.number().int().min(100).max(599),
  to: z.number().int().min(100).max(599),
});

export const httpUrlSchema = z.strictObject({
  path: z.string().min(1),
  digest: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, 'expected an MD5 digest (32 hex digits)')
    .optional(),
  /** Accepted status codes; as written it may be empty, resolved it is keepalived's 200-299 then. */
  statusCode: z.array(statusRange).default([]),
  virtualhost: z.string().optional(),
  regex: z.string().optional(),
  regexNoMatch: z.boolean().default(false),
  regexOptions: z.array(z.string()).default([]),
  regexMinOffset: z.number().int().nonnegative().optional(),
  regexMaxOffset: z.number().int().nonnegative().optional(),
  regexStack: z
    .strictObject({ start: z.number().int().positive(), max: z.number().int().positive() })
    .optional(),
});
export type HttpUrl = z.output<typeof httpUrlSchema>;

const httpFields = {
  ...connectionFields,
  url: z.array(httpUrlSchema).min(1),
  virtualhost: z.string().optional(),
  httpProtocol: z.enum(['1.0', '1.0C', '1.1']).default('1.0'),
  fastRecovery: z.boolean().default(false),
  enableSni: z.boolean().default(false),
};

export const tcpCheckSchema = z.strictObject({ type: z.literal('TCP_CHECK'), ...connectionFields });
export const httpGetSchema = z.strictObject({ type: z.literal('HTTP_GET'), ...httpFields });
export const sslGetSchema = z.strictObject({
  type: z.literal('SSL_GET'),
  ...httpFields,
  tlsCompliant: z.boolean().default(false),
});
/** A deprecated `host { … }` sub-block of SMTP_CHECK: one more address that must answer. */
export const smtpHostSchema = z.strictObject({
  connectIp: ipAddressSchema.optional(),
  connectPort: portSchema.optional(),
  bindto: ipAddressSchema.optional(),
  bindIf: z.string().optional(),
  bindPort: portSchema.optional(),
  fwmark: z.number().int().nonnegative().optional(),
  connectTimeout: secondsSchema.optional(),
});
export const smtpCheckSchema = z.strictObject({
  type: z.literal('SMTP_CHECK'),
  ...connectionFields,
  heloName: z.string().default('smtpchecker.keepalived.org'),
  hosts: z.array(smtpHostSchema).default([]),
});
export const dnsTypes = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const;
export const dnsCheckSchema = z.strictObject({
  type: z.literal('DNS_CHECK'),
  ...connectionFields,
  queryType: z.enum(dnsTypes).default('SOA'),
  name: z.string().default('.'),
});
export const miscCheckSchema = z.strictObject({
  type: z.literal('MISC_CHECK'),
  ...timingFields,
  logAllFailures: z.boolean().optional(),
  miscPath: scriptCommandSchema,
  /** Resolved: the effective delay_loop. */
  miscTimeout: secondsSchema.optional(),
  miscDynamic: z.boolean().default(false),
  user: runAsSchema.optional(),
});
export const udpCheckSchema = z.strictObject({
  type: z.literal('UDP_CHECK'),
  ...connectionFields,
  /** Hex string of the datagram sent. */
  payload: z.string().optional(),
  /** `require_reply [HEX]`: undefined = no reply needed; pattern may use X as a nibble wildcard. */
  requireReply: z.strictObject({ pattern: z.string().optional() }).optional(),
  minReplyLength: z.number().int().nonnegative().default(0),
  maxReplyLength: z.number().int().nonnegative().default(255),
});
export const pingCheckSchema = z.strictObject({ type: z.literal('PING_CHECK'), ...connectionFields });
export const fileCheckSchema = z.strictObject({
  type: z.literal('FILE_CHECK'),
  trackFile: z.string().min(1),
  dynamic: z.boolean().default(false),
  weight: z.number().int().default(1),
  reverse: z.boolean().default(false),
});
export const bfdCheckSchema = z.strictObject({
  type: z.literal('BFD_CHECK'),
  name: z.string().min(1),
  alpha: z.boolean().optional(),
});

export const checkerSchema = z.discriminatedUnion('type', [
  tcpCheckSchema,
  httpGetSchema,
  sslGetSchema,
  smtpCheckSchema,
  dnsCheckSchema,
  miscCheckSchema,
  udpCheckSchema,
  pingCheckSchema,
  fileCheckSchema,
  bfdCheckSchema,
]);
export type CheckerInput = z.input<typeof checkerSchema>;
export type CheckerType = z.output<typeof checkerSchema>['type'];
export const checkerTypes: readonly CheckerType[] = [
  'TCP_CHECK',
  'HTTP_GET',
  'SSL_GET',
  'SMTP_CHECK',
  'DNS_CHECK',
  'MISC_CHECK',
  'UDP_CHECK',
  'PING_CHECK',
  'FILE_CHECK',
  'BFD_CHECK',
];

type Timed = 'delayLoop' | 'connectTimeout' | 'retry' | 'delayBeforeRetry' | 'warmup' | 'alpha';
type Connected = Timed | 'connectIp' | 'connectPort' | 'logAllFailures';
type Out<S extends z.ZodType> = z.output<S>;
/** A checker with every timing and connection default resolved. */
export type Checker =
  | WithDefaults<Out<typeof tcpCheckSchema>, Connected>
  | WithDefaults<Out<typeof httpGetSchema>, Connected>
  | WithDefaults<Out<typeof sslGetSchema>, Connected>
  | WithDefaults<Out<typeof smtpCheckSchema>, Connected>
  | WithDefaults<Out<typeof dnsCheckSchema>, Connected>
  | WithDefaults<Out<typeof miscCheckSchema>, Timed | 'miscTimeout' | 'logAllFailures'>
  | WithDefaults<Out<typeof udpCheckSchema>, Connected>
  | WithDefaults<Out<typeof pingCheckSchema>, Connected>
  | Out<typeof fileCheckSchema>
  | WithDefaults<Out<typeof bfdCheckSchema>, 'alpha'>;

export const realServerSchema = z.strictObject({
  address: ipAddressSchema,
  /** Resolved: the VS port (non-NAT) or 0 for fwmark services. */
  port: portSchema.optional(),
  /** Resolved: the VS weight. */
  weight: z.number().int().min(0).max(2147483647).optional(),
  /** Resolved: the VS forwarding method. */
  forwarding: forwardingSchema.optional(),
  uthreshold: z.number().int().nonnegative().default(0),
  lthreshold: z.number().int().nonnegative().default(0),
  /** Resolved: the VS value. */
  inhibitOnFailure: z.boolean().optional(),
  notifyUp: scriptCommandSchema.optional(),
  notifyDown: scriptCommandSchema.optional(),
  ...timingFields,
  virtualhost: z.string().optional(),
  /** Resolved: on unless global smtp_alert(_checker) says otherwise. */
  smtpAlert: z.boolean().optional(),
  snmpName: z.string().optional(),
  checkers: z.array(checkerSchema).default([]),
});
export type RealServerInput = z.input<typeof realServerSchema>;
export type RealServer = Omit<
  WithDefaults<
    z.output<typeof realServerSchema>,
    'port' | 'weight' | 'forwarding' | 'inhibitOnFailure' | 'smtpAlert'
  >,
  'checkers'
> & { checkers: Checker[] };

/** Where a virtual service listens. */
export const virtualServiceKeySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('address'), address: ipAddressSchema, port: portSchema }),
  z.strictObject({ kind: z.literal('fwmark'), fwmark: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('group'), group: z.string().min(1) }),
]);
export type VirtualServiceKey = z.output<typeof virtualServiceKeySchema>;

export const sorryServerSchema = z.strictObject({ address: ipAddressSchema, port: portSchema.optional() });

export const virtualServerSchema = z.strictObject({
  service: virtualServiceKeySchema,
  /** Resolved: UDP when not written (keepalived's surprising default). Ignored for fwmark. */
  protocol: z.enum(lvsProtocols).optional(),
  /** `lvs_sched` (alias `lb_algo`); wlc when not written. */
  lvsSched: z.enum(lvsSchedulers).default('wlc'),
  schedulerFlags: z
    .object({
      flag1: z.boolean().default(false),
      flag2: z.boolean().default(false),
      flag3: z.boolean().default(false),
    })
    .default({ flag1: false, flag2: false, flag3: false }),
  ops: z.boolean().default(false),
  /** `lvs_method` (alias `lb_kind`); NAT when not written. */
  forwarding: forwardingSchema.default({ method: 'NAT' }),
  /** Seconds; undefined = not persistent. A bare `persistence_timeout` means 360. */
  persistenceTimeout: z.number().int().min(1).max(2678400).optional(),
  /** IPv4 netmask or IPv6 prefix length; keepalived's default is /32 (/128). */
  persistenceGranularity: z.string().optional(),
  persistenceEngine: z.string().optional(),
  ipFamily: z.enum(['inet', 'inet6']).optional(),
  haSuspend: z.boolean().default(false),
  virtualhost: z.string().optional(),
  alpha: z.boolean().default(false),
  omega: z.boolean().default(false),
  quorum: z.number().int().min(1).default(1),
  hysteresis: z.number().int().min(0).default(0),
  quorumUp: scriptCommandSchema.optional(),
  quorumDown: scriptCommandSchema.optional(),
  sorryServer: sorryServerSchema.optional(),
  sorryServerInhibit: z.boolean().default(false),
  sorryServerForwarding: forwardingSchema.optional(),
  weight: z.number().int().min(0).max(2147483647).default(1),
  inhibitOnFailure: z.boolean().default(false),
  delayLoop: secondsSchema.default(60),
  connectTimeout: secondsSchema.default(5),
  retry: z.number().int().nonnegative().optional(),
  delayBeforeRetry: secondsSchema.optional(),
  warmup: secondsSchema.optional(),
  smtpAlert: z.boolean().optional(),
  snmpName: z.string().optional(),
  realServers: z.array(realServerSchema).default([]),
});
export type VirtualServerInput = z.input<typeof virtualServerSchema>;
export type VirtualServer = Omit<
  WithDefaults<z.output<typeof virtualServerSchema>, 'protocol'>,
  'realServers'
> & {
  realServers: RealServer[];
};

/** One entry of a virtual_server_group: an address (or inclusive range) with a port, or a fwmark. */
export const virtualServerGroupEntrySchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('address'),
    /** First address of the range. */
    address: ipAddressSchema,
    /** Last address of an inclusive range (`A.B.C.D-E`, `A.B.C.D/nn`); undefined for a single address. */
    rangeEnd: ipAddressSchema.optional(),
    port: portSchema.default(0),
  }),
  z.strictObject({
    kind: z.literal('fwmark'),
    fwmark: z.number().int().positive(),
    ipFamily: z.enum(['inet', 'inet6']).optional(),
  }),
]);
export const virtualServerGroupSchema = z.strictObject({
  entries: z.array(virtualServerGroupEntrySchema).min(1),
});
export type VirtualServerGroup = z.output<typeof virtualServerGroupSchema>;

/** The top-level `SSL { password; ca; certificate; key }` block used by SSL_GET. */
export const sslSchema = z.strictObject({
  password: z.string().optional(),
  ca: z.string().optional(),
  certificate: z.string().optional(),
  key: z.string().optional(),
});
export type SslSettings = z.output<typeof sslSchema>;
