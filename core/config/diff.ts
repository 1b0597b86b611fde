/**
 * Diff of two resolved configurations, for reload (the last step of the config pipeline: parse ->
 * validate -> resolve defaults -> diff against the running config). keepalived keeps the state of
 * instances that did not change across a reload and applies VIP/IPVS differences; this gives the engines
 * the same information as data: what was added, removed, changed or left alone, by stable keys.
 */
import type { Config, RealServer, VirtualServer } from '../model/index.ts';

export interface KeyedDiff {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

export interface VirtualServerDiff extends KeyedDiff {
  /** For each changed virtual server: the real-server differences (keys are `address:port`). */
  realServers: Record<string, KeyedDiff>;
}

export interface ConfigDiff {
  /** True when nothing differs at all. */
  same: boolean;
  globalDefsChanged: boolean;
  vrrpInstances: KeyedDiff;
  vrrpSyncGroups: KeyedDiff;
  vrrpScripts: KeyedDiff;
  trackFiles: KeyedDiff;
  trackProcesses: KeyedDiff;
  bfdInstances: KeyedDiff;
  virtualServerGroups: KeyedDiff;
  virtualServers: VirtualServerDiff;
  /** Static addresses, routes and rules, GARP groups, SSL and cloud settings. */
  otherChanged: string[];
}

/** Structural equality of plain data (what the model is made of). */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function diffRecords<T>(prev: Record<string, T>, next: Record<string, T>): KeyedDiff {
  const d: KeyedDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const k of Object.keys(next)) {
    if (!Object.hasOwn(prev, k)) d.added.push(k);
    else if (sameData(prev[k], next[k])) d.unchanged.push(k);
    else d.changed.push(k);
  }
  for (const k of Object.keys(prev)) if (!Object.hasOwn(next, k)) d.removed.push(k);
  return d;
}

/** A stable key for a virtual service: `TCP 10.0.0.1:80`, `fwmark 7`, `group WEB TCP`. */
export function virtualServerKey(vs: VirtualServer): string {
  const s = vs.service;
  if (s.kind === 'fwmark') return `fwmark ${s.fwmark}`;
  if (s.kind === 'group') return `group ${s.group} ${vs.protocol}`;
  return s.address.includes(':')
    ? `${vs.protocol} [${s.address}]:${s.port}`
    : `${vs.protocol} ${s.address}:${s.port}`;
}

export function realServerKey(rs: RealServer): string {
  return rs.address.includes(':') ? `[${rs.address}]:${rs.port}` : `${rs.address}:${rs.port}`;
}

const byKey = <T>(list: T[], key: (x: T) => string): Record<string, T> =>
  Object.fromEntries(list.map((x) => [key(x), x]));

export function diffConfigs(prev: Config, next: Config): ConfigDiff {
  const vsPrev = byKey(prev.virtualServers, virtualServerKey);
  const vsNext = byKey(next.virtualServers, virtualServerKey);
  const vs = diffRecords(vsPrev, vsNext);
  const realServers: Record<string, KeyedDiff> = {};
  for (const k of vs.changed) {
    realServers[k] = diffRecords(
      byKey(vsPrev[k]?.realServers ?? [], realServerKey),
      byKey(vsNext[k]?.realServers ?? [], realServerKey),
    );
  }
  const others = [
    'staticIpaddress',
    'staticRoutes',
    'staticRules',
    'garpGroups',
    'trackGroups',
    'ssl',
    'cloud',
  ] as const;
  const otherChanged = others.filter((k) => !sameData(prev[k], next[k]));
  const d: ConfigDiff = {
    same: false,
    globalDefsChanged: !sameData(prev.globalDefs, next.globalDefs),
    vrrpInstances: diffRecords(prev.vrrpInstances, next.vrrpInstances),
    vrrpSyncGroups: diffRecords(prev.vrrpSyncGroups, next.vrrpSyncGroups),
    vrrpScripts: diffRecords(prev.vrrpScripts, next.vrrpScripts),
    trackFiles: diffRecords(prev.trackFiles, next.trackFiles),
    trackProcesses: diffRecords(prev.trackProcesses, next.trackProcesses),
    bfdInstances: diffRecords(prev.bfdInstances, next.bfdInstances),
    virtualServerGroups: diffRecords(prev.virtualServerGroups, next.virtualServerGroups),
    virtualServers: { ...vs, realServers },
    otherChanged: [
      ...otherChanged,
      ...(sameData(prev.interfaceUpDownDelays, next.interfaceUpDownDelays) ? [] : ['interfaceUpDownDelays']),
    ],
  };
  const keyed = [
    d.vrrpInstances,
    d.vrrpSyncGroups,
    d.vrrpScripts,
    d.trackFiles,
    d.trackProcesses,
    d.bfdInstances,
    d.virtualServerGroups,
    d.virtualServers,
  ];
  d.same =
    !d.globalDefsChanged &&
    d.otherChanged.length === 0 &&
    sameData(prev.linkbeatInterfaces, next.linkbeatInterfaces) &&
    keyed.every((x) => x.added.length + x.removed.length + x.changed.length === 0);
  return d;
}
