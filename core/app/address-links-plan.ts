/**
 * `use_vmac_addr` and per-address `use_vmac` (keepalived §1.2) -> the VMACs a VRRP instance's addresses live
 * on when they are not on the instance's own link. Pure; the rules are keepalived 2.2.7's
 * (vrrp.c vrrp_complete_instance), checked against it in test/netns/vrrp/keepalived-vmac-addr.test.ts:
 *
 * - An address on the instance's interface and of its family goes on the instance's VMAC (use_vmac) as
 *   before; a `use_vmac` written on it as well is ignored with a warning. (use_ipvlan leaves it on the
 *   interface, so there it may ask for a VMAC of its own.)
 * - Otherwise it gets a VMAC on its own interface (its `dev`, or the instance's interface for an address of
 *   the other family) when the entry says `use_vmac`, or when the instance says `use_vmac_addr` (which then
 *   makes an entry's own `use_vmac` redundant: warned). Without either it stays on its interface.
 * - The VMAC's MAC is the rfc5798 §7.3 one for the address's family (00:00:5e:00:01|02:VRID), or the MAC
 *   configured on the instance's use_vmac for both families. Its name is `<vmac_addr_prefix>N.<VRID>` as
 *   for the instance's link (vmac_addr_prefix falls back to vmac_prefix).
 * - Addresses on one interface share one VMAC, also across instances; a private macvlan with that base
 *   and MAC that exists already is taken over under its own name.
 * - An IPv4 VMAC gets the instance VMAC's sysctls and no IPv6; an IPv6 one keeps IPv6 and gets its base's
 *   link-local address (the EUI-64 one of the base's MAC when the base has none).
 * - Each VMAC an address without `no_track` sits on is tracked: it going down or away is a FAULT.
 */
import type { LinkFact, VirtualLinkSpec } from '../ports/index.ts';
import { freeVmacName, vrrpMac } from './virtual-link-plan.ts';

export interface AddressLinkEntry {
  address: string;
  family: 'ipv4' | 'ipv6';
  /** The entry's interface (resolved: the instance's when not written). */
  dev: string;
  useVmac: boolean;
  noTrack: boolean;
}

export interface AddressLinkRequest {
  instance: string;
  vrid: number;
  /** The instance's family. */
  family: 'ipv4' | 'ipv6';
  /** The instance's configured interface. */
  base: string;
  /** The instance has a VMAC (use_vmac, not use_ipvlan): same-family addresses on `base` go there. */
  instanceVmac: boolean;
  /** A MAC configured on the instance's use_vmac (and accepted): every address VMAC gets it. */
  configuredMac?: string | undefined;
  useVmacAddr: boolean;
  /** VIPs then eVIPs, in config order. */
  entries: readonly AddressLinkEntry[];
  /** global_defs vmac_addr_prefix, else vmac_prefix. */
  prefix: string;
  /** Interfaces of this namespace. */
  links: readonly LinkFact[];
  /** Link names chosen so far in this plan (updated here). */
  taken: Set<string>;
  /** Links planned so far (earlier instances, this instance's own link): shared when base and MAC match. */
  planned: readonly VirtualLinkSpec[];
  /** An interface's IPv6 link-local address, if it has one. */
  linkLocal(interfaceName: string): string | undefined;
}

export interface AddressLinkDecision {
  /** Address (as given) -> the VMAC it goes on. */
  on: Map<string, string>;
  /** VMACs to make (or take over) for this instance, in creation order. */
  specs: VirtualLinkSpec[];
  /** VMACs whose loss is a FAULT of the instance. */
  tracked: string[];
  warnings: string[];
}

/** The EUI-64 link-local address of a MAC (rfc4291 appendix A), as keepalived makes one for a VMAC. */
export function eui64LinkLocal(mac: string): string | undefined {
  const b = mac.split(':').map((p) => parseInt(p, 16));
  if (b.length !== 6 || b.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = b;
  const group = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  return `fe80::${group(b0 ^ 2, b1)}:${group(b2, 0xff)}:${group(0xfe, b3)}:${group(b4, b5)}`;
}

/** Whether an entry needs an address VMAC, and the warning keepalived gives for a redundant use_vmac. */
function wants(r: AddressLinkRequest, e: AddressLinkEntry): { vmac: boolean; warning?: string } {
  const onBase = e.dev === r.base;
  const sameFamily = e.family === r.family;
  if (onBase && sameFamily && r.instanceVmac)
    return e.useVmac
      ? { vmac: false, warning: 'and on the instance; it is on the instance VMAC' }
      : { vmac: false };
  const elsewhere = !onBase || !sameFamily;
  if (elsewhere && r.useVmacAddr)
    return e.useVmac
      ? { vmac: true, warning: 'while the instance has use_vmac_addr; one of them is enough' }
      : { vmac: true };
  return { vmac: e.useVmac };
}

export function planAddressLinks(r: AddressLinkRequest): AddressLinkDecision {
  const out: AddressLinkDecision = { on: new Map(), specs: [], tracked: [], warnings: [] };
  const byName = new Map(r.links.map((l) => [l.name, l]));
  for (const e of r.entries) {
    const w = wants(r, e);
    if (w.warning) out.warnings.push(`vrrp_instance ${r.instance}: use_vmac on ${e.address} ${w.warning}`);
    if (!w.vmac) continue;
    const mac = r.configuredMac ?? vrrpMac(r.vrid, e.family);
    const isIt = (l: { base?: string | undefined; mac?: string | undefined }) =>
      l.base === e.dev && l.mac === mac;
    let name = [...r.planned, ...out.specs].find((s) => s.kind === 'macvlan' && isIt(s))?.name;
    if (name === undefined) {
      const existing = r.links.find(
        (l) => l.kind === 'macvlan' && l.macvlanMode === 'private' && isIt(l) && !r.taken.has(l.name),
      );
      name =
        existing?.name ?? freeVmacName(r.prefix, r.vrid, e.family, (n) => r.taken.has(n) || byName.has(n));
      r.taken.add(name);
      const spec: VirtualLinkSpec = {
        instance: r.instance,
        kind: 'macvlan',
        name,
        base: e.dev,
        mac,
        action: existing ? 'reuse' : 'create',
        family: e.family,
        ipv6: e.family === 'ipv6',
      };
      if (e.family === 'ipv6') {
        const baseMac = byName.get(e.dev)?.mac;
        const ll = r.linkLocal(e.dev) ?? (baseMac ? eui64LinkLocal(baseMac) : undefined);
        if (ll) spec.address = { address: ll, prefixLength: 64 };
      }
      out.specs.push(spec);
    }
    out.on.set(e.address, name);
    if (!e.noTrack && !out.tracked.includes(name)) out.tracked.push(name);
  }
  return out;
}

/** A use_vmac MAC that replaced the rfc5798 one on the instance's VMAC (keepalived's "MAC specified"). */
export function configuredMacOf(link: VirtualLinkSpec | undefined, vrid: number): string | undefined {
  if (link?.kind !== 'macvlan' || link.mac === undefined) return undefined;
  return link.mac === vrrpMac(vrid, link.family) ? undefined : link.mac;
}
