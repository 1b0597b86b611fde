// The director namespace's connection tracking, for the checker benches (bench:checker, bench:checker-rss).
import type { Lab } from '../../test/helpers/netns.ts';

/**
 * Connection tracking keeps every closed check connection for nf_conntrack_tcp_timeout_time_wait (120 s
 * by default): at 10,000 checks/s the director's table (nf_conntrack_max, 262,144 here) fills within half
 * a minute, across runs too, and then the kernel drops new SYNs, so whichever checker runs on a full table
 * sees timeouts and declares healthy servers down (keepalived: 609 checks/s and 7,032 false downs at
 * 10,000 servers in one run, after the agent's runs at 5,000 had filled it). The director namespace keeps
 * closed entries for 1 s instead (a per-namespace setting; both checkers get it): the table then holds
 * about one second of checks. Set after nf_conntrack is loaded (the NAT hooks load it).
 */
export const TIME_WAIT_S = 1;
export function shortTimeWait(lab: Lab): void {
  lab.exec('d1', ['modprobe', 'nf_conntrack'], { allowFail: true });
  lab.exec('d1', ['sysctl', '-qw', `net.netfilter.nf_conntrack_tcp_timeout_time_wait=${TIME_WAIT_S}`]);
}
/** The director namespace's conntrack entries (how full the table is), for the printed figures. */
export function conntrackCount(lab: Lab): number {
  const out = lab.exec('d1', ['cat', '/proc/sys/net/netfilter/nf_conntrack_count'], { allowFail: true });
  return Number(out.trim() || Number.NaN);
}
