/**
 * How LB services and real servers are named in messages (ipvsadm's spelling) and identified in diffs
 * (canonical address text), and which parts of a table a data plane cannot express.
 */
import type { LbCapabilities, LbDestination, LbServiceKey, LbTable } from './lb-table.ts';
import { canonicalAddr } from './lb-address.ts';

/** `TCP 10.0.0.1:80`, `FWM 21`: the ipvsadm spelling, used in every message. */
export function describeService(key: LbServiceKey): string {
  if (key.kind === 'fwmark') return `FWM ${key.fwmark}${key.family === 'inet6' ? ' IPv6' : ''}`;
  const host = key.family === 'inet6' ? `[${key.addr}]` : key.addr;
  return `${key.protocol.toUpperCase()} ${host}:${key.port}`;
}

export function describeDest(d: Pick<LbDestination, 'addr' | 'port' | 'family'>): string {
  return d.family === 'inet6' ? `[${d.addr}]:${d.port}` : `${d.addr}:${d.port}`;
}

/** A stable identity string for a service key, with the address in canonical form. */
export function serviceId(key: LbServiceKey): string {
  if (key.kind === 'fwmark') return `fwm/${key.family}/${key.fwmark}`;
  return `${key.protocol}/${key.family}/${canonicalAddr(key.family, key.addr) ?? key.addr}/${key.port}`;
}

export function destId(d: Pick<LbDestination, 'addr' | 'port' | 'family'>): string {
  return `${d.family}/${canonicalAddr(d.family, d.addr) ?? d.addr}/${d.port}`;
}

/** The first thing in the table that the data plane cannot express, naming the service, or null. */
export function unsupported(table: LbTable, caps: LbCapabilities, plane: string): string | null {
  for (const svc of table.services) {
    const name = describeService(svc.key);
    if (!caps.schedulers.includes(svc.scheduler)) {
      return `virtual service ${name}: the ${plane} data plane cannot express scheduler "${svc.scheduler}" (it supports ${caps.schedulers.join(', ')})`;
    }
    if (svc.key.kind === 'fwmark' && !caps.fwmark) {
      return `virtual service ${name}: the ${plane} data plane has no fwmark services`;
    }
    if (!caps.families.includes(svc.key.family)) {
      return `virtual service ${name}: the ${plane} data plane does not handle ${svc.key.family}`;
    }
    if (svc.key.kind === 'addr' && !caps.protocols.includes(svc.key.protocol)) {
      return `virtual service ${name}: the ${plane} data plane does not handle ${svc.key.protocol}`;
    }
    if (svc.persistence && !caps.persistence) {
      return `virtual service ${name}: the ${plane} data plane cannot express persistence`;
    }
    for (const d of svc.destinations) {
      if (!caps.forwarding.includes(d.forwarding)) {
        return `virtual service ${name} real server ${describeDest(d)}: the ${plane} data plane cannot forward by ${d.forwarding.toUpperCase()}`;
      }
    }
  }
  return null;
}
