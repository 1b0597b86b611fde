/**
 * keepalived.conf model (core/model Config) -> what the VRRP service runs: one engine spec per
 * vrrp_instance, its interface, multicast group or unicast peers, how each VIP is configured (dev, prefix,
 * scope, label, brd, lifetime), the sync groups, and the notify hooks. Pure: the few host facts it needs
 * (an interface's primary address) come in as a function.
 */
import type { Config, IpAddressEntry, RunAs, ScriptCommand, VrrpInstance } from '../model/index.ts';
import type { InterfaceAddress, LinkFact, VirtualLinkSpec } from '../ports/index.ts';
import {
  canonicalIp,
  familyOf,
  makeInstanceSpec,
  parseIp,
  type GarpSettings,
  type IpFamily,
  type SyncGroupSpec,
  trackerId,
  trackersForInstance,
} from '../vrrp/index.ts';
import { configuredMacOf, planAddressLinks } from './address-links-plan.ts';
import { planVirtualLink } from './virtual-link-plan.ts';
import type { VrrpInstanceBinding, VrrpPlan } from './vrrp-service.ts';
import { planRoutes } from './vrrp-routes-plan.ts';

/** Notify hooks of an instance or sync group, as argv lists. */
export interface NotifyHookSet {
  notify?: string[];
  notifyMaster?: string[];
  notifyBackup?: string[];
  notifyFault?: string[];
  notifyStop?: string[];
  /** keepalived notify_master_rx_lower_pri: the master heard a lower-priority advert. */
  notifyMasterRxLowerPri?: string[];
  /** `notify_deleted CMD`: run when the instance is removed on reload. */
  notifyDeleted?: string[];
  /** Who runs each hook: its own `user U [G]`, else `script_user`; absent = the default script user. */
  runAs?: Partial<Record<Exclude<keyof NotifyHookSet, 'runAs'>, RunAs>>;
}

/** A vrrp_script the agent runs (keepalived §1.4), referenced by at least one instance. */
export interface TrackScriptPlan {
  argv: string[];
  /** The script's `user U [G]`, else `script_user`; absent = the default script user. */
  runAs?: RunAs;
  intervalMs: number;
  timeoutMs: number;
  rise: number;
  fall: number;
  initFail: boolean;
}

/** A track_file the agent watches (keepalived §1.4): its integer value feeds the `file:NAME` tracker. */
export interface TrackFilePlan {
  path: string;
  /** `init_file [VAL] [overwrite]`: write VAL when the file is missing (or always, with overwrite). */
  init?: { value: number; overwrite: boolean };
}

/** A vrrp_track_process the agent scans for (keepalived §1.4): quorum feeds the `process:NAME` tracker. */
export interface TrackProcessPlan {
  /** Matched against /proc/PID/comm, or argv[0] with fullCommand. */
  process: string;
  fullCommand: boolean;
  /** Arguments after argv[0] to match; none = any arguments. */
  parameters: string[];
  paramMatch: 'exact' | 'initial' | 'partial';
  quorum: number;
  /** Undefined = no upper bound. */
  quorumMax?: number;
  forkDelayMs: number;
  terminateDelayMs: number;
}

export interface VrrpAgentPlan extends VrrpPlan {
  /** vrrp_script blocks to run, by name; their results feed `script:NAME` trackers. */
  scripts: Record<string, TrackScriptPlan>;
  /** track_file blocks referenced by an instance, by name. */
  files: Record<string, TrackFilePlan>;
  /** vrrp_track_process blocks referenced by an instance, by name. */
  processes: Record<string, TrackProcessPlan>;
  /** Hooks keyed `instance:NAME` / `group:NAME`. */
  hooks: Record<string, NotifyHookSet>;
  /** FIFOs that get every VRRP notify line (notify_fifo, vrrp_notify_fifo). */
  fifos: string[];
  /** use_vmac / use_ipvlan links to set up before the instances start (and remove at stop). */
  virtualLinks: VirtualLinkSpec[];
  warnings: string[];
}

export type PlanResult = { ok: true; plan: VrrpAgentPlan } | { ok: false; errors: string[] };

/** The interface's primary address of a family (IPv4: first non-secondary; IPv6: link-local). */
export type PrimaryAddressLookup = (interfaceName: string, family: IpFamily) => string | undefined;
/** The interface holding a local address, for unicast instances written without `interface`. */
export type AddressOwnerLookup = (address: string) => string | undefined;

const secToMs = (s: number) => Math.round(s * 1000);

function hookSet(
  src: {
    notify?: ScriptCommand | undefined;
    notifyMaster?: ScriptCommand | undefined;
    notifyBackup?: ScriptCommand | undefined;
    notifyFault?: ScriptCommand | undefined;
    notifyStop?: ScriptCommand | undefined;
    notifyMasterRxLowerPri?: ScriptCommand | undefined;
    notifyDeleted?: { script?: ScriptCommand | undefined } | undefined;
  },
  scriptUser: RunAs | undefined,
): NotifyHookSet {
  const out: NotifyHookSet = {};
  const runAs: NonNullable<NotifyHookSet['runAs']> = {};
  const scripts = {
    notify: src.notify,
    notifyMaster: src.notifyMaster,
    notifyBackup: src.notifyBackup,
    notifyFault: src.notifyFault,
    notifyStop: src.notifyStop,
    notifyMasterRxLowerPri: src.notifyMasterRxLowerPri,
    notifyDeleted: src.notifyDeleted?.script,
  };
  for (const [k, c] of Object.entries(scripts) as Array<[keyof typeof scripts, ScriptCommand | undefined]>) {
    if (!c) continue;
    out[k] = [...c.argv];
    const who =
      c.user !== undefined
        ? { user: c.user, ...(c.group !== undefined ? { group: c.group } : {}) }
        : scriptUser;
    if (who) runAs[k] = who;
  }
  if (Object.keys(runAs).length > 0) out.runAs = runAs;
  return out;
}

/** IPv4 broadcast for `brd +` (host bits set). */
function broadcastOf(address: string, prefix: number): string | undefined {
  const b = parseIp(address, 'ipv4');
  if (!b) return undefined;
  const n = ((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const brd = ((n & mask) | (~mask >>> 0)) >>> 0;
  return [brd >>> 24, (brd >>> 16) & 0xff, (brd >>> 8) & 0xff, brd & 0xff].join('.');
}

export function addressEntry(e: IpAddressEntry, defaultDev: string): InterfaceAddress {
  const address = canonicalIp(e.address) ?? e.address;
  const v6 = familyOf(address) === 'ipv6';
  const out: InterfaceAddress = {
    interfaceName: e.dev ?? defaultDev,
    address,
    prefixLength: e.prefix,
    scope: e.scope,
  };
  if (e.label) out.label = e.label;
  if (!v6 && e.brd !== undefined && e.brd !== '-') {
    const brd = e.brd === '+' ? broadcastOf(address, e.prefix) : e.brd;
    if (brd) out.broadcast = brd;
  }
  if (v6) {
    if (typeof e.preferredLft === 'number') out.preferredLifetime = e.preferredLft;
    else if (e.preferredLft === undefined && e.prefix === 128) out.preferredLifetime = 0;
  }
  return out;
}

function garpOf(i: VrrpInstance, c: Config): GarpSettings {
  const g = c.globalDefs;
  const family = i.virtualIpaddress[0] ? familyOf(i.virtualIpaddress[0].address) : 'ipv4';
  const min = g.vrrpMinGarp;
  return {
    masterDelayMs: min ? 0 : secToMs(i.garpMasterDelay),
    masterRepeat: min ? 1 : i.garpMasterRepeat,
    masterRefreshMs: secToMs(i.garpMasterRefresh),
    masterRefreshRepeat: i.garpMasterRefreshRepeat,
    lowerPrioDelayMs: secToMs(i.garpLowerPrioDelay),
    lowerPrioRepeat: i.garpLowerPrioRepeat,
    intervalMs: secToMs(family === 'ipv6' ? g.vrrpGnaInterval : g.vrrpGarpInterval),
  };
}

/**
 * garp_extra_if (keepalived vrrp_send_vmac_update): while MASTER, every interval one GARP/NA per interface
 * that adverts do not refresh, for the first address on it: the instance's VMACs other than the one adverts
 * leave from (with vmac_xmit_base that one too), and with `all` every other interface of its addresses. Off
 * when no address is on such an interface.
 */
function extraIfGarp(
  i: VrrpInstance,
  entries: readonly IpAddressEntry[],
  devs: readonly string[],
  o: { instanceDev: string; xmitBase: boolean; ours: ReadonlySet<string> },
): Pick<GarpSettings, 'extraIfMs' | 'extraIfAddresses'> {
  const cfg = i.garpExtraIf;
  if (!cfg || cfg.interval <= 0) return {};
  const elsewhere = devs.filter((d) => d !== o.instanceDev);
  if (!elsewhere.some((d) => o.ours.has(d)) && !(cfg.all && elsewhere.length > 0)) return {};
  const seen = new Set<string>();
  const addresses: string[] = [];
  entries.forEach((e, n) => {
    const dev = devs[n] ?? '';
    if (!o.ours.has(dev) && !cfg.all) return;
    if (dev === o.instanceDev && !o.xmitBase) return;
    if (seen.has(dev)) return;
    seen.add(dev);
    addresses.push(canonicalIp(e.address) ?? e.address);
  });
  return addresses.length > 0 ? { extraIfMs: secToMs(cfg.interval), extraIfAddresses: addresses } : {};
}

function instancePlan(
  name: string,
  i: VrrpInstance,
  c: Config,
  primary: PrimaryAddressLookup,
  errors: string[],
  warnings: string[],
  hostLinks: { links: readonly LinkFact[]; taken: Set<string>; out: VirtualLinkSpec[] },
  ownerOf: AddressOwnerLookup,
): VrrpInstanceBinding | undefined {
  const at = (msg: string) => `vrrp_instance ${name}: ${msg}`;
  // keepalived lets a unicast instance omit `interface` when unicast_src_ip is a routable address: adverts
  // leave from that address, nothing tracks a link (no FAULT on link down), and VIPs without `dev` go on
  // default_interface. floatip sends on the interface that holds unicast_src_ip.
  let interfaceName = i.interface;
  let vipDefaultDev = i.interface;
  if (!interfaceName) {
    const src = i.unicastSrcIp;
    if (i.unicastPeers.length === 0 || !src || /^fe80:/i.test(src)) {
      errors.push(
        at(
          'needs an interface (only a unicast_peer instance with a unicast_src_ip that is not link-local may omit it)',
        ),
      );
      return undefined;
    }
    interfaceName = ownerOf(canonicalIp(src) ?? src);
    if (!interfaceName) {
      errors.push(
        at(`unicast_src_ip ${src} is not an address of this host (without interface, adverts leave from it)`),
      );
      return undefined;
    }
    vipDefaultDev = c.globalDefs.defaultInterface;
  }
  // The shared mapping (core/vrrp from-config): the instance's own interface (unless dont_track_primary),
  // track_* with keepalived's default weights, the sync group's trackers, and keepalived's removals.
  const mapped = trackersForInstance(c, name);
  warnings.push(...mapped.warnings);
  if (mapped.errors.length > 0) {
    errors.push(...mapped.errors);
    return undefined;
  }
  const trackers = mapped.trackers;
  const first = i.virtualIpaddress[0]?.address ?? i.unicastSrcIp ?? i.mcastSrcIp;
  const family: IpFamily = (first && familyOf(first)) || 'ipv4';
  const unicast = i.unicastPeers.length > 0;
  const link = planVirtualLink({
    instance: name,
    vrid: i.virtualRouterId,
    family,
    base: interfaceName,
    ...(i.useVmac ? { vmac: i.useVmac } : {}),
    ...(i.useIpvlan ? { ipvlan: i.useIpvlan } : {}),
    xmitBase: i.vmacXmitBase,
    unicast,
    strict: i.strictMode,
    prefix: c.globalDefs.vmacPrefix,
    sourceIp: i.unicastSrcIp ?? i.mcastSrcIp ?? primary(interfaceName, family),
    otherFamilyEvips: i.virtualIpaddressExcluded.some((e) => familyOf(e.address) !== family),
    links: hostLinks.links,
    taken: hostLinks.taken,
  });
  warnings.push(...link.warnings);
  if (link.errors.length > 0) {
    errors.push(...link.errors);
    return undefined;
  }
  // VIPs of the instance's family on its interface go on its VMAC; adverts go on its link (VMAC or ipvlan)
  // unless vmac_xmit_base. With use_ipvlan the VIPs stay on the base, as keepalived 2.2.7 (and 2.4) puts
  // them (only use_vmac moves them: vrrp.c vrrp_complete_instance; test/netns/vrrp/ipvlan-vm.test.ts).
  const vipDev = link.spec?.kind === 'macvlan' ? link.spec.name : interfaceName;
  if (link.spec) hostLinks.out.push(link.spec);
  const entries = [...i.virtualIpaddress, ...i.virtualIpaddressExcluded];
  const extra = planAddressLinks({
    instance: name,
    vrid: i.virtualRouterId,
    family,
    base: interfaceName,
    instanceVmac: link.spec?.kind === 'macvlan',
    configuredMac: configuredMacOf(link.spec, i.virtualRouterId),
    useVmacAddr: i.useVmacAddr,
    entries: entries.map((e) => ({
      address: e.address,
      family: familyOf(e.address) ?? family,
      dev: e.dev ?? vipDefaultDev ?? interfaceName,
      useVmac: e.useVmac,
      noTrack: e.noTrack,
    })),
    prefix: c.globalDefs.vmacAddrPrefix ?? c.globalDefs.vmacPrefix,
    links: hostLinks.links,
    taken: hostLinks.taken,
    planned: hostLinks.out,
    linkLocal: (dev) => primary(dev, 'ipv6'),
  });
  warnings.push(...extra.warnings);
  hostLinks.out.push(...extra.specs);
  const addresses: Record<string, InterfaceAddress> = {};
  const devs: string[] = [];
  for (const e of entries) {
    const entry = addressEntry(e, vipDefaultDev ?? interfaceName);
    const own = extra.on.get(e.address);
    if (own !== undefined) entry.interfaceName = own;
    else if (entry.interfaceName === interfaceName && familyOf(entry.address) === family)
      entry.interfaceName = vipDev;
    addresses[entry.address] = entry;
    devs.push(entry.interfaceName);
  }
  // The instance's link and its addresses' VMACs are the instance's interfaces: losing one is a FAULT.
  const linkTrackers = [...(link.spec && !i.dontTrackPrimary ? [link.spec.name] : []), ...extra.tracked]
    .filter((n) => !trackers.some((t) => t.id === trackerId('interface', n)))
    .map((n) => ({ id: trackerId('interface', n), kind: 'interface' as const, weight: 0 }));
  const extraIf = extraIfGarp(i, entries, devs, {
    // keepalived's vrrp->ifp: the instance's link (an ipvlan too, whose VIPs sit on the base), else the base
    instanceDev: link.spec?.name ?? interfaceName,
    xmitBase: link.xmitBase,
    ours: new Set([...(link.spec ? [link.spec.name] : []), ...extra.on.values()]),
  });
  const advertDev = link.spec && !link.xmitBase ? link.spec.name : interfaceName;
  const sourceIp = i.unicastSrcIp ?? i.mcastSrcIp ?? link.sourceIp ?? primary(interfaceName, family);
  if (!sourceIp) {
    errors.push(
      at(
        `interface ${interfaceName} has no ${family === 'ipv4' ? 'IPv4' : 'IPv6 link-local'} address to send from ` +
          '(set unicast_src_ip / mcast_src_ip or add one)',
      ),
    );
    return undefined;
  }
  const ttls = i.unicastPeers.filter((p) => p.minTtl !== undefined || p.maxTtl !== undefined);
  const unicastTtl = ttls.length
    ? {
        min: Math.min(...ttls.map((p) => p.minTtl ?? 0)),
        max: Math.max(...ttls.map((p) => p.maxTtl ?? 255)),
      }
    : undefined;
  const made = makeInstanceSpec({
    name,
    vrid: i.virtualRouterId,
    family,
    interface: advertDev, // adverts arrive on the link's socket (the base one with vmac_xmit_base)
    version: family === 'ipv6' ? 3 : i.version,
    priority: i.priority,
    initialState: i.state,
    advertIntervalMs: secToMs(i.advertInt),
    preempt: !i.nopreempt,
    preemptDelayMs: secToMs(i.preemptDelay),
    downTimerAdverts: i.downTimerAdverts,
    vips: i.virtualIpaddress.map((v) => v.address),
    excludedVips: i.virtualIpaddressExcluded.map((v) => v.address),
    sourceIp,
    unicastPeers: i.unicastPeers.map((p) => p.address),
    checkUnicastSrc: i.checkUnicastSrc,
    ...(unicastTtl ? { unicastTtl } : {}),
    auth: i.authentication
      ? { type: i.authentication.type === 'AH' ? 'ah' : 'pass', password: i.authentication.password }
      : { type: 'none' },
    garp: { ...garpOf(i, c), ...extraIf },
    trackers: [...trackers, ...linkTrackers],
    lowerPrioNoAdvert: i.lowerPrioNoAdvert,
    // floatip's default (send one advert before yielding) unless the config turns keepalived's on anyway.
    ...(i.higherPrioSendAdvert ? { higherPrioSendAdvert: true } : {}),
    ownerIgnoreAdverts: i.ownerIgnoreAdverts,
    ...(i.timerExpiredBackup ? { timerExpiredBackup: i.timerExpiredBackup.priority ?? 254 } : {}),
    notifyPriorityChanges: i.notifyPriorityChanges,
    checksumAsV2: i.v3ChecksumAsV2,
  });
  if (!made.ok) {
    errors.push(...made.errors);
    return undefined;
  }
  warnings.push(...made.warnings);
  const binding: VrrpInstanceBinding = { spec: made.spec, interfaceName: advertDev, addresses };
  if (!unicast) binding.group = i.mcastDstIp;
  else binding.unicastTtl = i.unicastTtl;
  if (i.notifyDeleted) binding.notifyDeleted = true;
  return binding;
}

/** Maps the whole VRRP side of a config; every problem is reported, naming the instance. */
export function planVrrp(
  config: Config,
  primary: PrimaryAddressLookup,
  links: readonly LinkFact[] = [],
  ownerOf: AddressOwnerLookup = () => undefined,
): PlanResult {
  const hostLinks = { links, taken: new Set<string>(), out: [] as VirtualLinkSpec[] };
  const errors: string[] = [];
  const warnings: string[] = [];
  const instances: VrrpInstanceBinding[] = [];
  const hooks: Record<string, NotifyHookSet> = {};
  for (const [name, i] of Object.entries(config.vrrpInstances)) {
    const b = instancePlan(name, i, config, primary, errors, warnings, hostLinks, ownerOf);
    if (b) instances.push(b);
    hooks[`instance:${name}`] = hookSet(i, config.globalDefs.scriptUser);
  }
  const syncGroups: SyncGroupSpec[] = [];
  for (const [name, g] of Object.entries(config.vrrpSyncGroups)) {
    syncGroups.push({ name, members: [...g.group] });
    hooks[`group:${name}`] = hookSet(g, config.globalDefs.scriptUser);
  }
  const fifos = [config.globalDefs.notifyFifo?.path, config.globalDefs.vrrpNotifyFifo?.path].filter(
    (p): p is string => typeof p === 'string',
  );
  const scripts: Record<string, TrackScriptPlan> = {};
  const files: Record<string, TrackFilePlan> = {};
  const processes: Record<string, TrackProcessPlan> = {};
  for (const b of instances)
    for (const t of b.spec.trackers) {
      const name = t.id.slice(t.kind.length + 1);
      const s = t.kind === 'script' ? config.vrrpScripts[name] : undefined;
      const runAs = s?.user ?? config.globalDefs.scriptUser;
      if (s)
        scripts[name] = {
          argv: [...s.script.argv],
          ...(runAs ? { runAs } : {}),
          intervalMs: secToMs(s.interval),
          timeoutMs: secToMs(s.timeout),
          rise: s.rise,
          fall: s.fall,
          initFail: s.initFail,
        };
      const f = t.kind === 'file' ? config.trackFiles[name] : undefined;
      if (f) files[name] = { path: f.file, ...(f.initFile ? { init: { ...f.initFile } } : {}) };
      const p = t.kind === 'process' ? config.trackProcesses[name] : undefined;
      if (p)
        processes[name] = {
          process: p.process,
          fullCommand: p.fullCommand,
          parameters: [...p.parameters],
          paramMatch: p.paramMatch,
          quorum: p.quorum,
          ...(p.quorumMax !== undefined ? { quorumMax: p.quorumMax } : {}),
          forkDelayMs: secToMs(p.forkDelay),
          terminateDelayMs: secToMs(p.terminateDelay),
        };
    }
  const routes = planRoutes(config, (e) => addressEntry(e, e.dev ?? ''));
  errors.push(...routes.errors);
  warnings.push(...routes.warnings);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    plan: {
      instances,
      syncGroups,
      hooks,
      fifos,
      scripts,
      files,
      processes,
      virtualLinks: hostLinks.out,
      routes: routes.plan,
      warnings,
    },
  };
}
