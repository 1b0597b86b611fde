/**
 * The engine's input: one VRRP instance as the reducer needs it. A keepalived.conf `vrrp_instance` (or the
 * native config) maps onto this; `makeInstanceSpec` fills defaults, applies keepalived's normalisations and
 * refuses invalid values with messages naming the field.
 */
import { canonicalIp, familyOf, type IpFamily } from '../codec/ip-address.ts';

/** keepalived's GARP / unsolicited-NA settings (global `vrrp_garp_*`, per instance `garp_*`). */
export interface GarpSettings {
  /** Delay before the 2nd burst after becoming master; 0 = no 2nd burst. keepalived default 5 s. */
  readonly masterDelayMs: number;
  /** GARPs per burst on becoming master. Default 5. */
  readonly masterRepeat: number;
  /** Period of refresh bursts while master; 0 = off (keepalived default). */
  readonly masterRefreshMs: number;
  /** GARPs per refresh burst. Default 1. */
  readonly masterRefreshRepeat: number;
  /** Delay of the 2nd burst after hearing a lower-priority master. Default = masterDelayMs. */
  readonly lowerPrioDelayMs: number;
  /** GARPs per burst on hearing a lower-priority master. Default = masterRepeat. */
  readonly lowerPrioRepeat: number;
  /** Spacing between single GARP/NA packets of a burst (`vrrp_garp_interval`/`vrrp_gna_interval`). Default 0. */
  readonly intervalMs: number;
  /**
   * `garp_extra_if`: period of the single GARP/NA sent for each of `extraIfAddresses` while master (one
   * address per interface that adverts do not refresh, chosen by the planner); absent or 0 = off.
   */
  readonly extraIfMs?: number;
  readonly extraIfAddresses?: readonly string[];
}

export type TrackerKind = 'interface' | 'script' | 'file' | 'process' | 'bfd';

/**
 * A tracked object and how it moves the priority (keepalived §1.4): weight 0 = FAULT while down; w > 0
 * added while up; w < 0 added while down; `reverse` inverts the object's up/down. For `file` the value times
 * the weight is added (weight 0: non-zero value = FAULT; a contribution below -253 = FAULT).
 */
export interface TrackerSpec {
  /** Shared id, by convention `${kind}:${name}` (e.g. `script:chk_nginx`); tracker events name it. */
  readonly id: string;
  readonly kind: TrackerKind;
  readonly weight: number;
  readonly reverse?: boolean;
  /** keepalived `init_fail` for scripts: start failed instead of "not yet run". */
  readonly initFail?: boolean;
}

export type AuthSpec =
  | { readonly type: 'none' }
  | { readonly type: 'pass'; readonly password: string }
  /** VRRPv2 over IPsec AH with keepalived's HMAC-MD5-96 (codec/ah.ts); IPv4 only. */
  | { readonly type: 'ah'; readonly password: string };

export interface VrrpInstanceSpec {
  readonly name: string;
  /** The interface adverts are sent and received on; the router matches packets by it when both name one. */
  readonly interface?: string;
  /** virtual_router_id, 1..255. */
  readonly vrid: number;
  readonly family: IpFamily;
  readonly version: 2 | 3;
  /** Configured (base) priority 1..255; 255 = address owner. */
  readonly priority: number;
  /** `state`: only a wish; every instance starts BACKUP unless it is the 255 owner wishing MASTER. */
  readonly initialState: 'MASTER' | 'BACKUP';
  /** advert_int in ms: whole seconds for v2, centiseconds (10 ms steps, <= 40950) for v3. */
  readonly advertIntervalMs: number;
  /** false = `nopreempt`. */
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  /** Adverts missed before master-down; keepalived `down_timer_adverts`, default 3. */
  readonly downTimerAdverts: number;
  /** Addresses carried in adverts (virtual_ipaddress), canonical text. */
  readonly vips: readonly string[];
  /** virtual_ipaddress_excluded: added/removed with state, not advertised. */
  readonly excludedVips: readonly string[];
  /** Our advert source (unicast_src_ip / mcast_src_ip / interface primary); used in the equal-priority tie-break. */
  readonly sourceIp: string;
  readonly unicastPeers: readonly string[];
  /** Drop unicast adverts from non-peers (`check_unicast_src`); otherwise they are only reported. */
  readonly checkUnicastSrc: boolean;
  /** TTL range for unicast adverts (unicast_peer min_ttl/max_ttl); unset = not checked, as keepalived. */
  readonly unicastTtl?: { readonly min: number; readonly max: number };
  readonly auth: AuthSpec;
  readonly garp: GarpSettings;
  readonly trackers: readonly TrackerSpec[];
  /** Master does not re-advertise on hearing a lower priority (pre-RFC 9568). keepalived default false. */
  readonly lowerPrioNoAdvert: boolean;
  /** Master sends one advert before yielding, so the winner re-GARPs (#542). keepalived false, floatip true. */
  readonly higherPrioSendAdvert: boolean;
  /** Priority-255 owner drops received adverts (keepalived 2.3.3+ `owner_ignore_adverts`). */
  readonly ownerIgnoreAdverts: boolean;
  /**
   * keepalived 2.2.8+ `timer_expired_backup [PRIO]` (needs nopreempt): the highest priority of the other
   * routers (default 254). A master that finds it has not sent an advert for 3 advert intervals plus that
   * priority's Skew_Time (the daemon was starved, e.g. a paused VM) assumes a backup took over and goes
   * BACKUP instead of resuming as master.
   */
  readonly timerExpiredBackup?: number;
  /** Emit MASTER_PRIORITY / BACKUP_PRIORITY notifies on priority changes. */
  readonly notifyPriorityChanges: boolean;
  /** keepalived `v3_checksum_as_v2`. */
  readonly checksumAsV2: boolean;
  /**
   * floatip: when a master hears any competing master and stays, re-announce (GARP/NA burst + MASTER notify
   * with reason `reannounce`) once per conflict episode, even if keepalived's lower-prio GARPs are off.
   */
  readonly reannounceOnConflict: boolean;
}

/** Policy flags where floatip deliberately differs from keepalived (reference §6 P1, P2). */
export const FLOATIP_POLICY = { higherPrioSendAdvert: true, reannounceOnConflict: true } as const;
/** The same flags with keepalived 2.2's defaults, for bit-for-bit behaviour. */
export const KEEPALIVED_POLICY = { higherPrioSendAdvert: false, reannounceOnConflict: false } as const;

export const DEFAULT_GARP: GarpSettings = {
  masterDelayMs: 5000,
  masterRepeat: 5,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
  lowerPrioDelayMs: 5000,
  lowerPrioRepeat: 5,
  intervalMs: 0,
};

/** What a caller must give; everything else has a default. */
export type InstanceSpecInput = Pick<VrrpInstanceSpec, 'name' | 'vrid' | 'sourceIp' | 'vips'> &
  Partial<Omit<VrrpInstanceSpec, 'garp'>> & { readonly garp?: Partial<GarpSettings> };

export type SpecResult =
  { ok: true; spec: VrrpInstanceSpec; warnings: string[] } | { ok: false; errors: string[] };

const intIn = (n: number, lo: number, hi: number): boolean => Number.isInteger(n) && n >= lo && n <= hi;

/** Defaults, keepalived's normalisations, and validation. Errors name `instance <name>: <field>`. */
export function makeInstanceSpec(input: InstanceSpecInput): SpecResult {
  const at = (field: string, msg: string): string => `instance ${input.name}: ${field} ${msg}`;
  const errors: string[] = [];
  const warnings: string[] = [];
  const family = input.family ?? familyOf(input.vips[0] ?? input.sourceIp) ?? 'ipv4';
  const version = input.version ?? (family === 'ipv6' ? 3 : 2);
  const priority = input.priority ?? 100;
  const initialState = input.initialState ?? (priority === 255 ? 'MASTER' : 'BACKUP');
  const advertIntervalMs = input.advertIntervalMs ?? 1000;
  const garpIn = input.garp ?? {};
  const masterDelayMs = garpIn.masterDelayMs ?? DEFAULT_GARP.masterDelayMs;
  const masterRepeat = garpIn.masterRepeat ?? DEFAULT_GARP.masterRepeat;
  const garp: GarpSettings = {
    ...DEFAULT_GARP,
    ...garpIn,
    masterDelayMs,
    masterRepeat,
    lowerPrioDelayMs: garpIn.lowerPrioDelayMs ?? masterDelayMs,
    lowerPrioRepeat: garpIn.lowerPrioRepeat ?? masterRepeat,
  };
  let preempt = input.preempt ?? true;
  let preemptDelayMs = input.preemptDelayMs ?? 0;

  if (input.name === '') errors.push('instance: name must not be empty');
  if (!intIn(input.vrid, 1, 255)) errors.push(at('virtual_router_id', `${input.vrid} is not in 1..255`));
  if (!intIn(priority, 1, 255)) errors.push(at('priority', `${priority} is not in 1..255`));
  if (version === 2 && family === 'ipv6') errors.push(at('version', '2 cannot carry IPv6 (rfc3768)'));
  if (version === 2 && !(intIn(advertIntervalMs / 1000, 1, 255) && advertIntervalMs % 1000 === 0))
    errors.push(
      at('advert_int', `${advertIntervalMs / 1000} s must be a whole number of seconds 1..255 for v2`),
    );
  if (version === 3 && !(intIn(advertIntervalMs / 10, 1, 4095) && advertIntervalMs % 10 === 0))
    errors.push(at('advert_int', `${advertIntervalMs / 1000} s must be 0.01..40.95 in 0.01 steps for v3`));
  const downTimerAdverts = input.downTimerAdverts ?? 3;
  if (!intIn(downTimerAdverts, 1, 100))
    errors.push(at('down_timer_adverts', `${downTimerAdverts} is not in 1..100`));
  if (!(preemptDelayMs >= 0 && preemptDelayMs <= 1_000_000))
    errors.push(at('preempt_delay', `${preemptDelayMs / 1000} s is not in 0..1000`));
  const source = canonicalIp(input.sourceIp);
  if (source === undefined || familyOf(source) !== family)
    errors.push(at('source address', `${JSON.stringify(input.sourceIp)} is not an ${family} address`));
  const canon = (list: readonly string[], field: string): string[] =>
    list.flatMap((a) => {
      const c = canonicalIp(a);
      if (c === undefined || familyOf(c) !== family) {
        errors.push(at(field, `${JSON.stringify(a)} is not an ${family} address`));
        return [];
      }
      return [c];
    });
  const vips = canon(input.vips, 'virtual_ipaddress');
  const excludedVips = (input.excludedVips ?? []).flatMap((a) => {
    const c = canonicalIp(a);
    if (c === undefined)
      errors.push(at('virtual_ipaddress_excluded', `${JSON.stringify(a)} is not an address`));
    return c === undefined ? [] : [c];
  });
  const unicastPeers = canon(input.unicastPeers ?? [], 'unicast_peer');
  if (vips.length > 255)
    errors.push(at('virtual_ipaddress', `${vips.length} addresses; an advert carries at most 255`));
  const auth = input.auth ?? { type: 'none' };
  if (auth.type !== 'none' && version === 3) warnings.push(at('authentication', 'is ignored with VRRPv3'));
  const trackers = input.trackers ?? [];
  for (const t of trackers) {
    const limit = t.kind === 'file' || t.kind === 'process' ? 254 : 253;
    if (!intIn(t.weight, -limit, limit))
      errors.push(at(`track ${t.id} weight`, `${t.weight} is not in ±${limit}`));
  }
  for (const [k, v] of Object.entries(garp))
    if (k !== 'extraIfAddresses' && !(Number.isFinite(v) && v >= 0))
      errors.push(at(`garp ${k}`, `${String(v)} must be a non-negative number`));

  // keepalived vrrp_complete_instance: nopreempt and preempt_delay are cleared by state MASTER or owner.
  if ((initialState === 'MASTER' || priority === 255) && !preempt) {
    warnings.push(at('nopreempt', 'is ignored with state MASTER or priority 255'));
    preempt = true;
  }
  if (preemptDelayMs > 0 && (initialState === 'MASTER' || !preempt)) {
    warnings.push(at('preempt_delay', 'is ignored with state MASTER or nopreempt'));
    preemptDelayMs = 0;
  }
  let timerExpiredBackup = input.timerExpiredBackup;
  if (timerExpiredBackup !== undefined && !intIn(timerExpiredBackup, 1, 254))
    errors.push(at('timer_expired_backup', `${timerExpiredBackup} is not in 1..254`));
  if (timerExpiredBackup !== undefined && preempt) {
    // keepalived vrrp_complete_instance: "expired_timer_backup requires nopreempt - resetting".
    warnings.push(at('timer_expired_backup', 'requires nopreempt and is ignored'));
    timerExpiredBackup = undefined;
  }
  if (priority === 255 && trackers.some((t) => t.weight !== 0))
    warnings.push(at('track weights', 'do not change an owner (priority 255)'));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    warnings,
    spec: {
      name: input.name,
      ...(input.interface === undefined ? {} : { interface: input.interface }),
      vrid: input.vrid,
      family,
      version,
      priority,
      initialState,
      advertIntervalMs,
      preempt,
      preemptDelayMs,
      downTimerAdverts,
      vips,
      excludedVips,
      sourceIp: source ?? input.sourceIp,
      unicastPeers,
      checkUnicastSrc: input.checkUnicastSrc ?? false,
      ...(input.unicastTtl ? { unicastTtl: input.unicastTtl } : {}),
      auth: version === 3 ? { type: 'none' } : auth,
      garp,
      trackers,
      lowerPrioNoAdvert: input.lowerPrioNoAdvert ?? false,
      higherPrioSendAdvert: input.higherPrioSendAdvert ?? FLOATIP_POLICY.higherPrioSendAdvert,
      ownerIgnoreAdverts: input.ownerIgnoreAdverts ?? false,
      ...(timerExpiredBackup === undefined ? {} : { timerExpiredBackup }),
      notifyPriorityChanges: input.notifyPriorityChanges ?? false,
      checksumAsV2: input.checksumAsV2 ?? false,
      reannounceOnConflict: input.reannounceOnConflict ?? FLOATIP_POLICY.reannounceOnConflict,
    },
  };
}
