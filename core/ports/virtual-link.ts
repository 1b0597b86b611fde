/**
 * VirtualLinkManager: the macvlan ("VMAC", keepalived use_vmac) and ipvlan (use_ipvlan) interfaces a VRRP
 * instance runs on. The core decides what each link must look like (core/app/virtual-link-plan.ts); the
 * adapter creates it over rtnetlink, sets the sysctls keepalived sets, brings it up and checks the result.
 *
 * @example
 * const facts = await links.list();
 * await links.set({ instance: 'VI_1', kind: 'macvlan', name: 'vrrp.51', base: 'eth0', mac: '00:00:5e:00:01:33', ... });
 * await links.remove(spec); // at stop
 */

/** An existing interface as the kernel reports it (what the plan needs to name and reuse links). */
export interface LinkFact {
  name: string;
  /** IFLA_INFO_KIND: 'macvlan', 'ipvlan', 'veth', ... (undefined for plain devices). */
  kind?: string;
  /** macvlan mode: 'private' | 'vepa' | 'bridge' | 'passthru' | 'source'. */
  macvlanMode?: string;
  /** ipvlan mode ('l2' | 'l3' | 'l3s') and flags ('bridge' | 'private' | 'vepa'). */
  ipvlanMode?: string;
  ipvlanFlags?: string;
  /** The lower device (IFLA_LINK), by name; undefined when none or in another namespace. */
  base?: string;
  /** Lower-case colon-separated Ethernet address. */
  mac?: string;
  /** IFLA_IFALIAS: floatip marks the links it creates with `floatip:<instance>`. */
  alias?: string;
  up: boolean;
  /** Addresses on the link (no prefix), for matching an ipvlan by its address. */
  addresses: string[];
}

export type IpvlanFlags = 'bridge' | 'private' | 'vepa';

/** One link an instance needs, fully decided. */
export interface VirtualLinkSpec {
  /** The vrrp_instance it serves (also written into the link's alias). */
  instance: string;
  kind: 'macvlan' | 'ipvlan';
  name: string;
  /** The instance's configured interface (the lower device). */
  base: string;
  /** macvlan only: the virtual MAC. */
  mac?: string;
  /** ipvlan only: L2 mode with these flags. */
  ipvlanFlags?: IpvlanFlags;
  /** Address put on the link itself: the ipvlan address, or an IPv6 VMAC's link-local source address. */
  address?: { address: string; prefixLength: number };
  /**
   * create: no such interface; reuse: a matching one exists (take it over); update: a macvlan of that name
   * on the same base with the wrong MAC or mode (change it in place); replace: a macvlan/ipvlan of that name
   * on another base (delete it, then create).
   */
  action: 'create' | 'reuse' | 'update' | 'replace';
  /** The instance's address family. */
  family: 'ipv4' | 'ipv6';
  /** Keep IPv6 on the link (IPv6 instance, or eVIPs of the other family); otherwise disable_ipv6=1. */
  ipv6: boolean;
}

export interface VirtualLinkManager {
  /** Every interface of this network namespace. */
  list(): Promise<LinkFact[]>;
  /**
   * Creates (or updates/replaces/reuses) the link, applies keepalived's settings, brings it up and reads it
   * back; throws naming the step that failed.
   */
  set(spec: VirtualLinkSpec): Promise<void>;
  /** Deletes the link and restores what `set` changed on its base; a link already gone is not an error. */
  remove(spec: VirtualLinkSpec): Promise<void>;
  /** Deletes links floatip created earlier (by alias) whose names are not in `keep`; returns their names. */
  removeStale(keep: readonly string[]): Promise<string[]>;
  close(): void;
}
