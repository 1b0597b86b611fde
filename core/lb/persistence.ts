import { addressFromU32, maskIpv4, parseAddress, prefixIpv6 } from './address.ts';
import type { Address } from './address.ts';
import { isAvailable } from './arith.ts';
import { LbInputError } from './errors.ts';
import { IPPROTO } from './types.ts';
import type { DestView, Packet } from './types.ts';

/**
 * Persistence templates (ip_vs_core.c : ip_vs_sched_persist, ip_vs_conn.c : ip_vs_check_template).
 * A template is valid while `now < lastUse + timeout`; every use restarts its timer (ip_vs_conn_put).
 * A template rejected by ip_vs_check_template is unhashed at once but keeps its `persistconns` count
 * until its timer fires, as in the kernel.
 */

export interface PersistenceConfig {
  /** svc->timeout, seconds. */
  readonly timeout: number;
  /** svc->netmask for IPv4 clients (a u32 mask). */
  readonly mask4: number;
  /** svc->netmask for IPv6 clients (a prefix length 1..128). */
  readonly plen6: number;
  /** sysctl expire_quiescent_template. */
  readonly expireQuiescentTemplate: boolean;
}

export interface PersistenceOptions {
  timeout: number;
  netmask?: string | number;
  expireQuiescentTemplate?: boolean;
}

export interface Template<D extends DestView> {
  readonly key: string;
  readonly dest: D;
  lastUse: number;
}

export interface TemplateTable<D extends DestView> {
  readonly valid: Map<string, Template<D>>;
  readonly invalid: Set<Template<D>>;
  /** A lower bound on the earliest expiry of any template (lastUse only grows). */
  earliest: number;
}

const FTPPORT = 21;

const prefixToMask = (plen: number): number => (plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0);

/** Validate `persistence` options into the service's timeout and netmask. */
export const persistenceConfig = (options: unknown): PersistenceConfig => {
  if (typeof options !== 'object' || options === null) {
    throw new LbInputError('persistence', 'expected { timeout, netmask?, expireQuiescentTemplate? }');
  }
  const o = options as Record<string, unknown>;
  const timeout = o['timeout'];
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw new LbInputError(
      'persistence.timeout',
      `expected a positive number of seconds, got ${String(timeout)}`,
    );
  }
  const eqt = o['expireQuiescentTemplate'] ?? false;
  if (typeof eqt !== 'boolean') {
    throw new LbInputError('persistence.expireQuiescentTemplate', `expected a boolean, got ${String(eqt)}`);
  }
  let mask4 = 0xffffffff;
  let plen6 = 128;
  const netmask = o['netmask'];
  const asPrefix =
    typeof netmask === 'number'
      ? netmask
      : typeof netmask === 'string' && /^\d+$/.test(netmask)
        ? Number(netmask)
        : null;
  if (asPrefix !== null) {
    if (!Number.isInteger(asPrefix) || asPrefix < 1 || asPrefix > 128) {
      throw new LbInputError('persistence.netmask', `a prefix length must be 1..128, got ${String(netmask)}`);
    }
    plen6 = asPrefix;
    mask4 = prefixToMask(Math.min(asPrefix, 32));
  } else if (typeof netmask === 'string') {
    const mask = parseAddress(netmask, 'persistence.netmask');
    if (mask.family !== 4) {
      throw new LbInputError(
        'persistence.netmask',
        `expected a dotted IPv4 mask or a prefix length, got "${netmask}"`,
      );
    }
    mask4 = mask.words[0]!;
  } else if (netmask !== undefined) {
    throw new LbInputError(
      'persistence.netmask',
      `expected a dotted IPv4 mask or a prefix length, got ${typeof netmask}`,
    );
  }
  return { timeout, mask4, plen6, expireQuiescentTemplate: eqt };
};

/** The client network: `saddr & netmask` (IPv6: ipv6_addr_prefix). */
export const clientNet = (config: PersistenceConfig, saddr: Address): Address =>
  saddr.family === 4 ? maskIpv4(saddr, config.mask4) : prefixIpv6(saddr, config.plen6);

/**
 * The template key `<protocol, caddr = snet, cport = 0, vaddr, vport>`: a packet to the service port
 * keeps vaddr/vport (vport 0 for an FTP service); otherwise (port-zero or fwmark service) vport is 0,
 * and a fwmark service uses IPPROTO_IP with the fwmark as vaddr.
 */
export const templateKey = (
  config: PersistenceConfig,
  svc: { readonly port: number; readonly fwmark: number },
  packet: Packet,
): string => {
  const snet = clientNet(config, packet.saddr).key;
  if (packet.dport === svc.port) {
    const vport = svc.port === FTPPORT ? 0 : packet.dport;
    return `${packet.proto}|${snet}|${packet.daddr.key}|${vport}`;
  }
  if (svc.fwmark !== 0) return `${IPPROTO.IP}|${snet}|${addressFromU32(svc.fwmark).key}|0`;
  return `${packet.proto}|${snet}|${packet.daddr.key}|0`;
};

export const newTemplateTable = <D extends DestView>(): TemplateTable<D> => ({
  valid: new Map(),
  invalid: new Set(),
  earliest: Number.POSITIVE_INFINITY,
});

/** Expire every template whose timer has fired by `now`, calling `expire` (ip_vs_unbind_dest) for each. */
export const purge = <D extends DestView>(
  table: TemplateTable<D>,
  now: number,
  timeout: number,
  expire: (dest: D) => void,
): void => {
  if (now < table.earliest) return;
  let earliest = Number.POSITIVE_INFINITY;
  for (const [key, t] of table.valid) {
    const at = t.lastUse + timeout;
    if (now >= at) {
      table.valid.delete(key);
      expire(t.dest);
    } else if (at < earliest) earliest = at;
  }
  for (const t of table.invalid) {
    const at = t.lastUse + timeout;
    if (now >= at) {
      table.invalid.delete(t);
      expire(t.dest);
    } else if (at < earliest) earliest = at;
  }
  table.earliest = earliest;
};

/**
 * ip_vs_ct_in_get + ip_vs_check_template: the template for `key` if its dest may still be used; a
 * template whose dest is gone (not AVAILABLE), or quiesced while expire_quiescent_template is set, is
 * invalidated. OVERLOAD and weight 0 alone do not invalidate it.
 */
export const lookup = <D extends DestView>(
  table: TemplateTable<D>,
  key: string,
  expireQuiescent: boolean,
): Template<D> | null => {
  const t = table.valid.get(key);
  if (t === undefined) return null;
  if (!isAvailable(t.dest) || (expireQuiescent && t.dest.weight === 0)) {
    table.valid.delete(key);
    table.invalid.add(t);
    return null;
  }
  return t;
};

export const addTemplate = <D extends DestView>(
  table: TemplateTable<D>,
  key: string,
  dest: D,
  now: number,
  timeout: number,
): void => {
  table.valid.set(key, { key, dest, lastUse: now });
  if (now + timeout < table.earliest) table.earliest = now + timeout;
};
