import { DEST_F } from './types.ts';

/** The counters and threshold fields the connection layer touches (`struct ip_vs_dest`). */
export interface Counted {
  activeConns: number;
  inactConns: number;
  persistConns: number;
  flags: number;
  uThreshold: number;
  lThreshold: number;
}

/** active: an established TCP/SCTP connection; inactive: new, UDP, closing; persist: a template. */
export type ConnKind = 'active' | 'inactive' | 'persist';

/** ip_vs_dest_totalconns: active + inactive (templates are not counted). */
export const totalConns = (d: Counted): number => d.activeConns + d.inactConns;

/** ip_vs_bind_dest: count the connection, then set OVERLOAD when total >= u_threshold (u set). */
export const bindConn = (d: Counted, kind: ConnKind): void => {
  if (kind === 'persist') d.persistConns++;
  else if (kind === 'inactive') d.inactConns++;
  else d.activeConns++;
  if (d.uThreshold !== 0 && totalConns(d) >= d.uThreshold) d.flags |= DEST_F.OVERLOAD;
};

/**
 * ip_vs_unbind_dest: uncount the connection, then clear OVERLOAD when total < l_threshold (l set), or
 * total * 4 < u_threshold * 3 (only u set), or always (neither set).
 */
export const unbindConn = (d: Counted, kind: ConnKind): void => {
  if (kind === 'persist') d.persistConns--;
  else if (kind === 'inactive') d.inactConns--;
  else d.activeConns--;
  const total = totalConns(d);
  if (d.lThreshold !== 0) {
    if (total < d.lThreshold) d.flags &= ~DEST_F.OVERLOAD;
  } else if (d.uThreshold !== 0) {
    if (total * 4 < d.uThreshold * 3) d.flags &= ~DEST_F.OVERLOAD;
  } else {
    d.flags &= ~DEST_F.OVERLOAD;
  }
};

export const counterOf = (d: Counted, kind: ConnKind): number =>
  kind === 'persist' ? d.persistConns : kind === 'inactive' ? d.inactConns : d.activeConns;
