/**
 * IPVS replies -> LB table values: NEW_SERVICE / NEW_DEST dump parts (ip_vs_genl_fill_service /
 * ip_vs_genl_fill_dest, reference §6), SET_CONFIG (timeouts) and SET_INFO. Also decodes requests, so the
 * encoder can be checked by round trip. Pure.
 */
import type {
  LbCounters,
  LbDestination,
  LbFamily,
  LbService,
  LbServiceKey,
  LbTimeouts,
} from '../../../core/ports/index.ts';
import { formatIpv4, formatIpv6 } from '../../../core/model/index.ts';
import { AttrTable } from '../genl/attrs.ts';
import { decodeGenl } from '../genl/message.ts';
import {
  AF_INET,
  AF_INET6,
  CMD_ATTR,
  DEST_ATTR,
  FWD,
  FWD_MASK,
  INFO_ATTR,
  PROTO,
  STATS_ATTR,
  SVC_ATTR,
  SVC_F,
  TUN_FLAGS,
  TUN_TYPE,
} from './constants.ts';

export class IpvsDecodeError extends Error {
  override name = 'IpvsDecodeError';
}

function familyOf(af: number | undefined, what: string): LbFamily {
  if (af === AF_INET) return 'inet';
  if (af === AF_INET6) return 'inet6';
  throw new IpvsDecodeError(`${what}: unknown address family ${af}`);
}

function addrText(family: LbFamily, bytes: Uint8Array | undefined, what: string): string {
  if (!bytes) throw new IpvsDecodeError(`${what}: no address`);
  return family === 'inet' ? formatIpv4(bytes.subarray(0, 4)) : formatIpv6(bytes.subarray(0, 16));
}

const protocolOf = (n: number | undefined): 'tcp' | 'udp' | 'sctp' => {
  const found = (Object.keys(PROTO) as Array<keyof typeof PROTO>).find((k) => PROTO[k] === n);
  if (!found) throw new IpvsDecodeError(`service: unknown protocol ${n}`);
  return found;
};

/** STATS64 when present (every counter u64), else STATS (u32 counters, u64 bytes). */
function countersOf(t: AttrTable, stats: number, stats64: number): LbCounters | undefined {
  const s64 = t.nested(stats64);
  if (s64) {
    const n = (a: number): number => Number(s64.u64(a) ?? 0n);
    return {
      conns: n(STATS_ATTR.CONNS),
      inPkts: n(STATS_ATTR.INPKTS),
      outPkts: n(STATS_ATTR.OUTPKTS),
      inBytes: n(STATS_ATTR.INBYTES),
      outBytes: n(STATS_ATTR.OUTBYTES),
    };
  }
  const s = t.nested(stats);
  if (!s) return undefined;
  return {
    conns: s.u32(STATS_ATTR.CONNS) ?? 0,
    inPkts: s.u32(STATS_ATTR.INPKTS) ?? 0,
    outPkts: s.u32(STATS_ATTR.OUTPKTS) ?? 0,
    inBytes: Number(s.u64(STATS_ATTR.INBYTES) ?? 0n),
    outBytes: Number(s.u64(STATS_ATTR.OUTBYTES) ?? 0n),
  };
}

/** Reads a prefix length back from NETMASK (IPv4: a contiguous be32 mask). */
function prefixOf(family: LbFamily, t: AttrTable): number {
  if (family === 'inet6') return t.u32(SVC_ATTR.NETMASK) ?? 128;
  const mask = t.be32(SVC_ATTR.NETMASK) ?? 0xffffffff;
  let bits = 0;
  while (bits < 32 && mask & (0x80000000 >>> bits)) bits++;
  return bits;
}

/** The contents of a SERVICE nest. */
export function decodeServiceNest(t: AttrTable): Omit<LbService, 'destinations'> {
  const family = familyOf(t.u16(SVC_ATTR.AF), 'service');
  const fwmark = t.u32(SVC_ATTR.FWMARK);
  const key: LbServiceKey =
    fwmark !== undefined && fwmark !== 0
      ? { kind: 'fwmark', family, fwmark }
      : {
          kind: 'addr',
          family,
          protocol: protocolOf(t.u16(SVC_ATTR.PROTOCOL)),
          addr: addrText(family, t.bytes(SVC_ATTR.ADDR), 'service'),
          port: t.be16(SVC_ATTR.PORT) ?? 0,
        };
  const flagsBytes = t.bytes(SVC_ATTR.FLAGS);
  const flags =
    flagsBytes && flagsBytes.length >= 4
      ? new DataView(flagsBytes.buffer, flagsBytes.byteOffset, 8).getUint32(0, true)
      : 0;
  const engine = t.str(SVC_ATTR.PE_NAME);
  const out: Omit<LbService, 'destinations'> = {
    key,
    scheduler: t.str(SVC_ATTR.SCHED_NAME) ?? 'none',
    flags: {
      flag1: (flags & SVC_F.SCHED1) !== 0,
      flag2: (flags & SVC_F.SCHED2) !== 0,
      flag3: (flags & SVC_F.SCHED3) !== 0,
    },
    onePacket: (flags & SVC_F.ONEPACKET) !== 0,
    persistence:
      flags & SVC_F.PERSISTENT
        ? {
            timeout: t.u32(SVC_ATTR.TIMEOUT) ?? 0,
            prefix: prefixOf(family, t),
            engine: engine ? engine : null,
          }
        : null,
  };
  const stats = countersOf(t, SVC_ATTR.STATS, SVC_ATTR.STATS64);
  return stats ? { ...out, stats } : out;
}

const keyOf = <T extends Record<string, number>>(table: T, v: number | undefined): keyof T | undefined =>
  (Object.keys(table) as Array<keyof T>).find((k) => table[k] === v);

/** The contents of a DEST nest; `serviceFamily` fills in a missing ADDR_FAMILY, as the kernel does. */
export function decodeDestNest(t: AttrTable, serviceFamily: LbFamily): LbDestination {
  const afAttr = t.u16(DEST_ATTR.ADDR_FAMILY);
  const family = afAttr ? familyOf(afAttr, 'real server') : serviceFamily;
  const fwd = (t.u32(DEST_ATTR.FWD_METHOD) ?? 0) & FWD_MASK;
  const forwarding =
    fwd === FWD.DROUTE ? 'dr' : fwd === FWD.TUNNEL ? 'tun' : fwd === FWD.MASQ ? 'nat' : undefined;
  if (!forwarding) throw new IpvsDecodeError(`real server: forwarding method ${fwd} is not NAT, DR or TUN`);
  const tunType = keyOf(TUN_TYPE, t.u8(DEST_ATTR.TUN_TYPE) ?? 0) ?? 'ipip';
  const tunCsum = keyOf(TUN_FLAGS, t.u16(DEST_ATTR.TUN_FLAGS) ?? 0) ?? 'nocsum';
  const tunPort = t.be16(DEST_ATTR.TUN_PORT) ?? 0;
  const plainTunnel = tunType === 'ipip' && tunPort === 0 && tunCsum === 'nocsum';
  const out: LbDestination = {
    addr: addrText(family, t.bytes(DEST_ATTR.ADDR), 'real server'),
    port: t.be16(DEST_ATTR.PORT) ?? 0,
    family,
    forwarding,
    weight: t.u32(DEST_ATTR.WEIGHT) ?? 0,
    uThreshold: t.u32(DEST_ATTR.U_THRESH) ?? 0,
    lThreshold: t.u32(DEST_ATTR.L_THRESH) ?? 0,
    tunnel: forwarding === 'tun' && !plainTunnel ? { type: tunType, port: tunPort, csum: tunCsum } : null,
  };
  if (t.has(DEST_ATTR.ACTIVE_CONNS)) out.activeConns = t.u32(DEST_ATTR.ACTIVE_CONNS) ?? 0;
  if (t.has(DEST_ATTR.INACT_CONNS)) out.inactConns = t.u32(DEST_ATTR.INACT_CONNS) ?? 0;
  if (t.has(DEST_ATTR.PERSIST_CONNS)) out.persistConns = t.u32(DEST_ATTR.PERSIST_CONNS) ?? 0;
  const stats = countersOf(t, DEST_ATTR.STATS, DEST_ATTR.STATS64);
  if (stats) out.stats = stats;
  return out;
}

/** A generic-netlink IPVS message (after nlmsghdr): its command and top-level attribute table. */
export function decodeIpvsPayload(payload: Uint8Array): { cmd: number; version: number; attrs: AttrTable } {
  const g = decodeGenl(payload);
  return { cmd: g.cmd, version: g.version, attrs: new AttrTable(g.attrs) };
}

export function decodeServiceMessage(payload: Uint8Array): Omit<LbService, 'destinations'> {
  const svc = decodeIpvsPayload(payload).attrs.nested(CMD_ATTR.SERVICE);
  if (!svc) throw new IpvsDecodeError('IPVS service message has no SERVICE attribute');
  return decodeServiceNest(svc);
}

export function decodeDestMessage(payload: Uint8Array, serviceFamily: LbFamily): LbDestination {
  const dest = decodeIpvsPayload(payload).attrs.nested(CMD_ATTR.DEST);
  if (!dest) throw new IpvsDecodeError('IPVS destination message has no DEST attribute');
  return decodeDestNest(dest, serviceFamily);
}

export function decodeTimeouts(payload: Uint8Array): LbTimeouts {
  const t = decodeIpvsPayload(payload).attrs;
  return {
    tcp: t.u32(CMD_ATTR.TIMEOUT_TCP) ?? 0,
    tcpFin: t.u32(CMD_ATTR.TIMEOUT_TCP_FIN) ?? 0,
    udp: t.u32(CMD_ATTR.TIMEOUT_UDP) ?? 0,
  };
}

export function decodeInfo(payload: Uint8Array): { version: number; connTabSize: number } {
  const t = decodeIpvsPayload(payload).attrs;
  return { version: t.u32(INFO_ATTR.VERSION) ?? 0, connTabSize: t.u32(INFO_ATTR.CONN_TAB_SIZE) ?? 0 };
}
