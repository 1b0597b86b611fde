/**
 * use_vmac / use_ipvlan (keepalived §1.2) -> the one link a VRRP instance runs on, decided from the config
 * and the interfaces that exist (host facts passed in). Pure; the rules follow keepalived 2.2.7:
 *
 * - MAC: 00:00:5e:00:01:VRID (IPv6 instances 00:00:5e:00:02:VRID), rfc5798 §7.3. A configured MAC replaces
 *   it; written with 5 octets it gets the VRID as 6th. A multicast MAC, an rfc5798 one, or any MAC under
 *   strict mode is ignored with a warning.
 * - Name: a configured name, else `<vmac_prefix>.<VRID>` (15 characters at most, the prefix is cut); when
 *   that is taken (another instance, an interface that exists) `<prefix>N.<VRID>` with N = 1, 2, ... (IPv6
 *   tries 6 first, then 1, 2, ... skipping 6).
 * - An existing interface that already matches (macvlan in private mode on the same base with the MAC; an
 *   L2 ipvlan with the same flags, name and address) is taken over under its own name.
 * - A configured name that exists as something else: a non-macvlan (non-ipvlan) is refused (the name is
 *   ignored, a generated one used); a macvlan/ipvlan of that name is updated in place (same base) or
 *   deleted and re-created (other base).
 * - Unicast peers with use_vmac force vmac_xmit_base; vmac_xmit_base without a VMAC, and under strict
 *   mode, is dropped.
 */
import type { IpvlanFlags, LinkFact, VirtualLinkSpec } from '../ports/index.ts';

export interface VirtualLinkRequest {
  instance: string;
  vrid: number;
  family: 'ipv4' | 'ipv6';
  /** The instance's `interface`. */
  base: string;
  vmac?: { name?: string | undefined; mac?: string | undefined };
  ipvlan?: { name?: string | undefined; address?: string | undefined; mode?: IpvlanFlags | undefined };
  xmitBase: boolean;
  unicast: boolean;
  strict: boolean;
  /** global_defs vmac_prefix. */
  prefix: string;
  /** Source address of adverts (unicast_src_ip / mcast_src_ip / the base's primary), if known. */
  sourceIp?: string | undefined;
  /** The instance has eVIPs of the other address family (they need IPv6 left on). */
  otherFamilyEvips: boolean;
  /** Interfaces of this namespace. */
  links: readonly LinkFact[];
  /** Link names chosen by earlier instances of the same plan (updated here). */
  taken: Set<string>;
}

export interface VirtualLinkDecision {
  spec?: VirtualLinkSpec;
  /** Adverts go out on the base interface, not on the link. */
  xmitBase: boolean;
  /** The address adverts are sent from, when the link gives one (an ipvlan's address). */
  sourceIp?: string;
  warnings: string[];
  errors: string[];
}

/** IFNAMSIZ - 1 (linux/if.h). */
const MAX_NAME = 15;

/** rfc5798 §7.3: virtual router MAC address 00-00-5E-00-01-{VRID} (IPv4) / 00-00-5E-00-02-{VRID} (IPv6). */
export function vrrpMac(vrid: number, family: 'ipv4' | 'ipv6'): string {
  return formatMac([0, 0, 0x5e, 0, family === 'ipv6' ? 2 : 1, vrid & 0xff]);
}

export function formatMac(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * A configured use_vmac MAC: 6 octets, or 5 (the VRID is appended). Returns the MAC or why it is refused.
 */
export function configuredMac(text: string, vrid: number): { mac: string } | { refused: string } {
  const parts = text.split(':');
  if (parts.length === 6 && parts[5] === '') parts.pop(); // keepalived accepts a trailing colon after 5
  if (parts.length !== 5 && parts.length !== 6) return { refused: `invalid MAC address ${text}` };
  if (parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return { refused: `invalid MAC address ${text}` };
  const bytes = parts.map((p) => parseInt(p, 16));
  if (bytes.length === 5) bytes.push(vrid & 0xff);
  if (((bytes[0] ?? 0) & 1) === 1) return { refused: `MAC address ${text} is multicast` };
  if (
    bytes[0] === 0 &&
    bytes[1] === 0 &&
    bytes[2] === 0x5e &&
    bytes[3] === 0 &&
    (bytes[4] === 1 || bytes[4] === 2)
  )
    return { refused: `MAC address ${text} is an RFC5798 address` };
  return { mac: formatMac(bytes) };
}

/** linux dev_valid_name(): 1..15 characters, not . or .., no '/', ':' or white space. */
export function validLinkName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

/** `<prefix><num>.<vrid>` cut to 15 characters by shortening the prefix (num 0 = no number). */
export function vmacName(prefix: string, num: number, vrid: number): string {
  const tail = `${num === 0 ? '' : num}.${vrid}`;
  return `${prefix.slice(0, Math.max(0, MAX_NAME - tail.length))}${tail}`;
}

/** The first free generated name (keepalived create_vmac_name). */
export function freeVmacName(
  prefix: string,
  vrid: number,
  family: 'ipv4' | 'ipv6',
  inUse: (name: string) => boolean,
): string {
  let num = 0;
  for (let tries = 0; tries < 1000; tries++) {
    const name = vmacName(prefix, num, vrid);
    if (!inUse(name)) return name;
    if (family === 'ipv6') num = num === 0 ? 6 : num === 6 ? 1 : num + 1 === 6 ? 7 : num + 1;
    else num++;
  }
  throw new Error(`no free interface name for prefix ${prefix}`);
}

function parseAddress(
  text: string,
  family: 'ipv4' | 'ipv6',
): { address: string; prefixLength: number } | undefined {
  const [address = '', len] = text.split('/');
  const v6 = address.includes(':');
  if ((family === 'ipv6') !== v6) return undefined;
  const max = v6 ? 128 : 32;
  const prefixLength = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > max) return undefined;
  return { address, prefixLength };
}

export function planVirtualLink(r: VirtualLinkRequest): VirtualLinkDecision {
  const warnings: string[] = [];
  const errors: string[] = [];
  const at = (m: string) => `vrrp_instance ${r.instance}: ${m}`;
  let xmitBase = r.xmitBase;
  const useIpvlan = r.ipvlan !== undefined;
  if (!r.vmac && !useIpvlan) {
    if (xmitBase) warnings.push(at('vmac_xmit_base is only valid with use_vmac; ignored'));
    return { xmitBase: false, warnings, errors };
  }
  if (r.vmac && useIpvlan) warnings.push(at('use_vmac and use_ipvlan both given; use_ipvlan wins'));
  if (r.unicast && !xmitBase && !useIpvlan) {
    warnings.push(at('unicast with use_vmac requires vmac_xmit_base; setting it'));
    xmitBase = true;
  }
  if (useIpvlan && xmitBase) {
    warnings.push(at('vmac_xmit_base is only valid with use_vmac; ignored'));
    xmitBase = false;
  }
  if (xmitBase && r.strict) {
    warnings.push(at('vmac_xmit_base is incompatible with strict mode; ignored'));
    xmitBase = false;
  }

  const byName = new Map(r.links.map((l) => [l.name, l]));
  const kindWord = useIpvlan ? 'ipvlan' : 'VMAC';
  let mac: string | undefined;
  let address: { address: string; prefixLength: number } | undefined;
  const flags: IpvlanFlags = r.ipvlan?.mode ?? 'bridge';
  if (useIpvlan) {
    const text = r.ipvlan?.address;
    if (text !== undefined) {
      address = parseAddress(text, r.family);
      if (!address)
        errors.push(
          at(
            `use_ipvlan address ${text} must be an ${r.family === 'ipv4' ? 'IPv4' : 'IPv6'} address like the instance's`,
          ),
        );
    } else if (r.family === 'ipv4')
      errors.push(at('an IPv4 use_ipvlan needs an address (use_ipvlan [IF] IP/LEN)'));
  } else {
    mac = vrrpMac(r.vrid, r.family);
    const text = r.vmac?.mac;
    if (text !== undefined) {
      const c = configuredMac(text, r.vrid);
      if ('refused' in c) warnings.push(at(`use_vmac ${c.refused}; using ${mac}`));
      else if (r.strict)
        warnings.push(at(`use_vmac cannot set a MAC address under strict mode; using ${mac}`));
      else mac = c.mac;
    }
  }
  if (errors.length > 0) return { xmitBase, warnings, errors };

  // The configured name, as keepalived's parser takes it.
  let name = useIpvlan ? r.ipvlan?.name : r.vmac?.name;
  if (name !== undefined) {
    const existing = byName.get(name);
    if (!validLinkName(name)) {
      warnings.push(
        at(`${kindWord} interface name '${name}' is too long or has invalid characters; ignored`),
      );
      name = undefined;
    } else if (r.taken.has(name)) {
      warnings.push(at(`${kindWord} interface name ${name} is used by another instance; ignored`));
      name = undefined;
    } else if (
      existing &&
      !useIpvlan &&
      !(existing.kind === 'macvlan' && existing.macvlanMode === 'private')
    ) {
      warnings.push(at(`interface ${name} already exists and is not a private macvlan; ignoring the name`));
      name = undefined;
    } else if (existing && useIpvlan && !(existing.kind === 'ipvlan' && existing.ipvlanMode === 'l2')) {
      warnings.push(at(`interface ${name} already exists and is not an l2 ipvlan; ignoring the name`));
      name = undefined;
    }
  }

  // An interface that already is this instance's link: take it over under its name.
  const match = r.links.find((l) => {
    if (l.base !== r.base || r.taken.has(l.name)) return false;
    if (!useIpvlan) return l.kind === 'macvlan' && l.macvlanMode === 'private' && l.mac === mac;
    return (
      l.kind === 'ipvlan' &&
      l.ipvlanMode === 'l2' &&
      (l.ipvlanFlags ?? 'bridge') === flags &&
      !(r.family === 'ipv6' && name === undefined && address === undefined) &&
      (name === undefined || name === l.name) &&
      (address === undefined || l.addresses.includes(address.address))
    );
  });
  let action: VirtualLinkSpec['action'] = 'create';
  if (match) {
    if (name !== undefined && name !== match.name)
      warnings.push(at(`${kindWord} name mismatch ${name} <=> ${match.name}; using ${match.name}`));
    name = match.name;
    action = 'reuse';
  } else if (name !== undefined && byName.has(name)) {
    const existing = byName.get(name);
    action = existing?.base === r.base && !useIpvlan ? 'update' : 'replace';
    warnings.push(
      at(
        `${kindWord} ${name} already exists but does not match; it will be ${action === 'update' ? 'updated' : 'deleted and re-created'}`,
      ),
    );
  }
  name ??= freeVmacName(r.prefix, r.vrid, r.family, (n) => r.taken.has(n) || byName.has(n));
  r.taken.add(name);

  if (!useIpvlan && r.family === 'ipv6' && !xmitBase && r.sourceIp !== undefined)
    address = { address: r.sourceIp, prefixLength: 64 };
  const spec: VirtualLinkSpec = {
    instance: r.instance,
    kind: useIpvlan ? 'ipvlan' : 'macvlan',
    name,
    base: r.base,
    action,
    family: r.family,
    ipv6: r.family === 'ipv6' || r.otherFamilyEvips,
  };
  if (mac !== undefined) spec.mac = mac;
  if (useIpvlan) spec.ipvlanFlags = flags;
  if (address) spec.address = address;
  const out: VirtualLinkDecision = { spec, xmitBase, warnings, errors };
  if (useIpvlan && address) out.sourceIp = address.address;
  return out;
}
