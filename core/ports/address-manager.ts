/**
 * AddressManager: the addresses configured on local interfaces (VIPs are added on MASTER, removed on
 * BACKUP/FAULT/stop). Announcer: tells the segment an address moved here (gratuitous ARP for IPv4,
 * rfc4861 §7.2.6 unsolicited neighbour advertisement for IPv6).
 *
 * @example
 * await addresses.add({ interfaceName: 'eth0', address: '10.0.0.100', prefixLength: 24 });
 * await announcer.announce('eth0', '10.0.0.100');
 */
export interface AddressManager {
  /** Addresses on one interface (or all interfaces), as the kernel reports them. */
  list(interfaceName?: string): Promise<InterfaceAddress[]>;
  /** Adds an address; adding one that is already there is not an error. */
  add(address: InterfaceAddress): Promise<void>;
  /** Removes an address; removing one that is not there is not an error. */
  remove(address: InterfaceAddress): Promise<void>;
  close(): void;
}

export interface Announcer {
  /** Sends one gratuitous ARP (IPv4) or unsolicited neighbour advertisement (IPv6) for `address`. */
  announce(interfaceName: string, address: string): Promise<void>;
  close(): void;
}

export interface InterfaceAddress {
  interfaceName: string;
  /** Address text without prefix (10.0.0.100, fd00::100). */
  address: string;
  /** Prefix length; /32 or /128 when a VIP gives none. */
  prefixLength: number;
  scope?: 'global' | 'site' | 'link' | 'host' | 'nowhere';
  /** Interface label (IPv4), e.g. eth0:vip. */
  label?: string;
  /** IPv4 broadcast address. */
  broadcast?: string;
  /** IPv6 preferred lifetime in seconds; 0 makes the address deprecated (keepalived does so for /128). */
  preferredLifetime?: number;
}
