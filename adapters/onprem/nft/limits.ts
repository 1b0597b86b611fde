/**
 * What IPVS can do that this nftables data plane cannot, beyond the scheduler list: refused by name
 * rather than silently dropped, so a table never behaves differently from what keepalived.conf says.
 */
import type { LbTable } from '../../../core/model/index.ts';
import { describeDest, describeService } from '../../../core/model/index.ts';

/** The first feature of `table` nftables cannot express, or null. */
export function nftLimits(table: LbTable): string | null {
  for (const svc of table.services) {
    const name = `virtual service ${describeService(svc.key)}`;
    if (svc.key.kind === 'addr' && svc.key.port === 0) {
      return `${name}: the nftables data plane cannot express an all-ports (port 0) service`;
    }
    if (svc.onePacket) return `${name}: the nftables data plane cannot express one-packet scheduling (ops)`;
    if (svc.persistence?.engine) {
      return `${name}: the nftables data plane has no persistence engine "${svc.persistence.engine}"`;
    }
    // mh-fallback needs nothing here: weight-0 servers get no mh slots, so no slot is ever unavailable.
    const hashing = svc.scheduler === 'sh' || svc.scheduler === 'mh';
    if (svc.flags.flag3 || ((svc.flags.flag1 || svc.flags.flag2) && !hashing)) {
      return `${name}: the nftables data plane supports scheduler flags only as sh-/mh-fallback and sh-/mh-port`;
    }
    for (const d of svc.destinations) {
      if (d.uThreshold !== 0 || d.lThreshold !== 0) {
        return `${name} real server ${describeDest(d)}: the nftables data plane cannot enforce connection thresholds (uthreshold/lthreshold)`;
      }
    }
  }
  return null;
}
