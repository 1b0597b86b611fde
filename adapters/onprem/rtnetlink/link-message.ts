/**
 * RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK bodies (linux/rtnetlink.h struct ifinfomsg, linux/if_link.h):
 * the macvlan and ipvlan links of use_vmac / use_ipvlan, and their decoding from a link dump.
 */
import { concat, cString, decodeAttributes, encodeAttribute, readCString, u32 } from './message.ts';

export const rtmLink = { NEWLINK: 16, DELLINK: 17, GETLINK: 18 } as const;

/** linux/if_link.h IFLA_* (top level) and the nested IFLA_INFO_* / IFLA_MACVLAN_* / IFLA_IPVLAN_*. */
export const iflaLink = {
  ADDRESS: 1,
  IFNAME: 3,
  LINK: 5,
  OPERSTATE: 16,
  LINKINFO: 18,
  IFALIAS: 20,
  AF_SPEC: 26,
  INFO_KIND: 1,
  INFO_DATA: 2,
  MACVLAN_MODE: 1,
  IPVLAN_MODE: 1,
  IPVLAN_FLAGS: 2,
  /** linux/if_link.h IFLA_INET6_ADDR_GEN_MODE, inside IFLA_AF_SPEC / AF_INET6. */
  INET6_ADDR_GEN_MODE: 8,
  IN6_ADDR_GEN_MODE_NONE: 1,
} as const;

/** linux/if.h */
export const IFF_UP = 0x1;
const AF_INET6 = 10;

export const macvlanModes: Record<string, number> = {
  private: 1,
  vepa: 2,
  bridge: 4,
  passthru: 8,
  source: 16,
};
export const ipvlanModes: Record<string, number> = { l2: 0, l3: 1, l3s: 2 };
export const ipvlanFlagValues: Record<string, number> = { bridge: 0, private: 1, vepa: 2 };

const nameOf = (table: Record<string, number>, value: number) =>
  Object.entries(table).find(([, v]) => v === value)?.[0] ?? `#${value}`;

/** struct ifinfomsg (16 bytes). */
export interface IfInfoMsg {
  family: number;
  type: number;
  index: number;
  flags: number;
  change: number;
}

export function encodeIfInfoMsg(m: Partial<IfInfoMsg>): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  out[0] = m.family ?? 0;
  v.setUint16(2, m.type ?? 0, true);
  v.setInt32(4, m.index ?? 0, true);
  v.setUint32(8, m.flags ?? 0, true);
  v.setUint32(12, m.change ?? 0, true);
  return out;
}

export function decodeIfInfoMsg(body: Uint8Array): IfInfoMsg {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return {
    family: body[0] ?? 0,
    type: v.getUint16(2, true),
    index: v.getInt32(4, true),
    flags: v.getUint32(8, true),
    change: v.getUint32(12, true),
  };
}

function u16(value: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value, true);
  return out;
}

export function parseMac(text: string): Uint8Array {
  const bytes = text.split(':').map((h) => parseInt(h, 16));
  if (bytes.length !== 6 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255))
    throw new Error(`invalid MAC address ${text}`);
  return new Uint8Array(bytes);
}

export const formatMacBytes = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** What a new or changed macvlan/ipvlan link should be. */
export interface LinkRequest {
  kind: 'macvlan' | 'ipvlan';
  /** Existing link to change (update); omit to create. */
  index?: number;
  name?: string;
  /** Lower device index (IFLA_LINK), on create. */
  lowerIndex?: number;
  mac?: string;
  macvlanMode?: string;
  ipvlanMode?: string;
  ipvlanFlags?: string;
  alias?: string;
  up?: boolean;
}

/** RTM_NEWLINK body: ifinfomsg + IFLA_LINK, IFLA_IFNAME, IFLA_LINKINFO{KIND, DATA{mode[, flags]}}, ... */
export function encodeNewLink(r: LinkRequest): Uint8Array {
  const data: Uint8Array[] = [];
  if (r.kind === 'macvlan')
    data.push(encodeAttribute(iflaLink.MACVLAN_MODE, u32(macvlanModes[r.macvlanMode ?? 'private'] ?? 1)));
  else {
    data.push(encodeAttribute(iflaLink.IPVLAN_MODE, u16(ipvlanModes[r.ipvlanMode ?? 'l2'] ?? 0)));
    data.push(encodeAttribute(iflaLink.IPVLAN_FLAGS, u16(ipvlanFlagValues[r.ipvlanFlags ?? 'bridge'] ?? 0)));
  }
  const kind = new TextEncoder().encode(r.kind);
  const attrs: Uint8Array[] = [];
  if (r.index === undefined && r.lowerIndex !== undefined)
    attrs.push(encodeAttribute(iflaLink.LINK, u32(r.lowerIndex)));
  if (r.index === undefined && r.name !== undefined)
    attrs.push(encodeAttribute(iflaLink.IFNAME, cString(r.name)));
  attrs.push(
    encodeAttribute(
      iflaLink.LINKINFO,
      concat([encodeAttribute(iflaLink.INFO_KIND, kind), encodeAttribute(iflaLink.INFO_DATA, concat(data))]),
    ),
  );
  if (r.mac !== undefined) attrs.push(encodeAttribute(iflaLink.ADDRESS, parseMac(r.mac)));
  if (r.alias !== undefined) attrs.push(encodeAttribute(iflaLink.IFALIAS, new TextEncoder().encode(r.alias)));
  const up = r.up ? IFF_UP : 0;
  return concat([encodeIfInfoMsg({ index: r.index ?? 0, flags: up, change: up }), ...attrs]);
}

/** RTM_NEWLINK setting IFLA_INET6_ADDR_GEN_MODE none (no EUI-64 link-local, rfc5798 §7.4). */
export function encodeAddrGenModeNone(index: number): Uint8Array {
  const inet6 = encodeAttribute(
    AF_INET6,
    encodeAttribute(iflaLink.INET6_ADDR_GEN_MODE, new Uint8Array([iflaLink.IN6_ADDR_GEN_MODE_NONE])),
  );
  return concat([encodeIfInfoMsg({ index }), encodeAttribute(iflaLink.AF_SPEC, inet6)]);
}

/** RTM_NEWLINK bringing a link up. */
export const encodeLinkUp = (index: number) => encodeIfInfoMsg({ index, flags: IFF_UP, change: IFF_UP });

/** RTM_DELLINK body. */
export const encodeDelLink = (index: number) => encodeIfInfoMsg({ index });

/** One link of a dump, decoded. */
export interface DecodedLink {
  index: number;
  name: string;
  up: boolean;
  mac?: string;
  lowerIndex?: number;
  alias?: string;
  kind?: string;
  macvlanMode?: string;
  ipvlanMode?: string;
  ipvlanFlags?: string;
}

export function decodeLink(body: Uint8Array): DecodedLink {
  const head = decodeIfInfoMsg(body);
  const out: DecodedLink = { index: head.index, name: '', up: (head.flags & IFF_UP) !== 0 };
  for (const a of decodeAttributes(body.subarray(16))) {
    const v = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
    if (a.type === iflaLink.IFNAME) out.name = readCString(a.data);
    else if (a.type === iflaLink.ADDRESS && a.data.length === 6) out.mac = formatMacBytes(a.data);
    else if (a.type === iflaLink.LINK && a.data.length >= 4) out.lowerIndex = v.getUint32(0, true);
    else if (a.type === iflaLink.IFALIAS) out.alias = readCString(a.data);
    else if (a.type === iflaLink.LINKINFO) {
      for (const info of decodeAttributes(a.data)) {
        if (info.type === iflaLink.INFO_KIND) out.kind = readCString(info.data);
        if (info.type !== iflaLink.INFO_DATA) continue;
        for (const d of decodeAttributes(info.data)) {
          const dv = new DataView(d.data.buffer, d.data.byteOffset, d.data.byteLength);
          if (out.kind === 'macvlan' && d.type === iflaLink.MACVLAN_MODE && d.data.length >= 4)
            out.macvlanMode = nameOf(macvlanModes, dv.getUint32(0, true));
          if (out.kind === 'ipvlan' && d.type === iflaLink.IPVLAN_MODE && d.data.length >= 2)
            out.ipvlanMode = nameOf(ipvlanModes, dv.getUint16(0, true));
          if (out.kind === 'ipvlan' && d.type === iflaLink.IPVLAN_FLAGS && d.data.length >= 2)
            out.ipvlanFlags = nameOf(ipvlanFlagValues, dv.getUint16(0, true));
        }
      }
    }
  }
  return out;
}
