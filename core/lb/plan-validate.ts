/**
 * Checks a desired LB table before planning: every field in range, addresses that parse, no duplicate
 * services or destinations, and nothing the data plane cannot express. Returns the first problem as text
 * naming the service and field, so a bad table changes nothing.
 */
import type { LbDestination, LbService, LbServiceKey, LbTable } from '../model/index.ts';
import { canonicalAddr, describeDest, describeService, destId, serviceId } from '../model/index.ts';

const isInt = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;

function checkKey(key: LbServiceKey): string | null {
  if (key.kind === 'fwmark') {
    return isInt(key.fwmark, 1, 0xffffffff) ? null : `fwmark ${key.fwmark} is not in 1..4294967295`;
  }
  if (canonicalAddr(key.family, key.addr) === null) return `address "${key.addr}" is not ${key.family}`;
  if (!isInt(key.port, 0, 65535)) return `port ${key.port} is not in 0..65535`;
  return null;
}

function checkDest(svc: LbService, d: LbDestination): string | null {
  const where = `${describeService(svc.key)} real server ${describeDest(d)}`;
  if (canonicalAddr(d.family, d.addr) === null) return `${where}: address is not ${d.family}`;
  if (!isInt(d.port, 0, 65535)) return `${where}: port is not in 0..65535`;
  if (!isInt(d.weight, 0, 0x7fffffff)) return `${where}: weight ${d.weight} is not in 0..2147483647`;
  if (!isInt(d.uThreshold, 0, 0xffffffff)) return `${where}: uthreshold ${d.uThreshold} is out of range`;
  if (!isInt(d.lThreshold, 0, 0xffffffff)) return `${where}: lthreshold ${d.lThreshold} is out of range`;
  if (d.uThreshold !== 0 && d.lThreshold > d.uThreshold) {
    return `${where}: lthreshold ${d.lThreshold} is above uthreshold ${d.uThreshold}`;
  }
  if (d.family !== svc.key.family && d.forwarding !== 'tun') {
    return `${where}: a real server of another address family needs TUN forwarding`;
  }
  if (d.tunnel && d.forwarding !== 'tun') return `${where}: tunnel options need TUN forwarding`;
  if (d.tunnel?.type === 'gue' && !isInt(d.tunnel.port, 1, 65535)) return `${where}: GUE needs a port`;
  return null;
}

/** The first problem with a desired table, or null when it is valid. */
export function validateTable(table: LbTable): string | null {
  const seen = new Set<string>();
  for (const svc of table.services) {
    const name = describeService(svc.key);
    const keyErr = checkKey(svc.key);
    if (keyErr) return `virtual service ${name}: ${keyErr}`;
    const id = serviceId(svc.key);
    if (seen.has(id)) return `virtual service ${name} is listed twice`;
    seen.add(id);
    if (!/^[a-z0-9_-]{1,15}$/.test(svc.scheduler)) {
      return `virtual service ${name}: scheduler "${svc.scheduler}" is not a valid name`;
    }
    if (svc.persistence) {
      const p = svc.persistence;
      const max = svc.key.family === 'inet' ? 32 : 128;
      if (!isInt(p.timeout, 1, 0xffffffff))
        return `virtual service ${name}: persistence timeout ${p.timeout}`;
      if (!isInt(p.prefix, svc.key.family === 'inet' ? 0 : 1, max)) {
        return `virtual service ${name}: persistence granularity /${p.prefix} is not valid for ${svc.key.family}`;
      }
    }
    if (svc.key.kind === 'addr' && svc.key.port === 0 && !svc.persistence) {
      return `virtual service ${name}: port 0 is only valid for a persistent service`;
    }
    const dests = new Set<string>();
    for (const d of svc.destinations) {
      const err = checkDest(svc, d);
      if (err) return err;
      const did = destId(d);
      if (dests.has(did)) return `${name} real server ${describeDest(d)} is listed twice`;
      dests.add(did);
    }
  }
  const t = table.timeouts;
  if (t && ![t.tcp, t.tcpFin, t.udp].every((v) => isInt(v, 0, 2147483))) {
    return `lvs_timeouts: each value must be 0..2147483 seconds`;
  }
  return null;
}
