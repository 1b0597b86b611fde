import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
export const unmapped = (address: string): string =>
  /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;

/**
 * A matcher for `http.trustedProxies` (addresses and CIDR blocks, validated by the config schema).
 *
 * @example
 *   const trusted = trustedProxies(['10.0.0.0/8', '::1']);
 *   trusted('10.1.2.3') === true; trusted('192.0.2.1') === false
 */
export function trustedProxies(entries: readonly string[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const e of entries) {
    const [addr = '', bits] = e.split('/');
    const type = isIPv4(addr) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (address) => {
    const a = unmapped(address);
    if (isIPv4(a)) return list.check(a, 'ipv4');
    return isIPv6(a) && list.check(a, 'ipv6');
  };
}
