/**
 * LbOp -> IPVS generic-netlink request bytes, laid out exactly as ipvsadm 1.31 (libnl) lays them out (libipvs
 * in ipvsadm's source, and its requests captured byte for byte): nests flagged NLA_F_NESTED,
 * the service nest always carries AF, identity, SCHED_NAME, [PE_NAME], FLAGS, TIMEOUT and NETMASK (with an
 * empty scheduler and zeroes when only the identity matters), destination nests carry every field.
 * Pure: no I/O.
 */
import type { LbDestination, LbOp, LbService, LbServiceKey, LbTimeouts } from '../../../core/ports/index.ts';
import { parseAddr } from '../../../core/model/index.ts';
import { NLA_F_NESTED, type Attr } from '../genl/attrs.ts';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, encodeGenl } from '../genl/message.ts';
import {
  AF_INET,
  AF_INET6,
  CMD_ATTR,
  DEST_ATTR,
  FWD,
  INET_ADDR_LEN,
  IPVS_CMD,
  IPVS_GENL_VERSION,
  PROTO,
  SVC_ATTR,
  SVC_F,
  TUN_FLAGS,
  TUN_TYPE,
} from './constants.ts';

type ServiceHead = Omit<LbService, 'destinations'>;

/** Where the request goes: the resolved family id, and the nlmsghdr seq/pid. */
export interface Envelope {
  familyId: number;
  seq: number;
  pid: number;
}

export class IpvsEncodeError extends Error {
  override name = 'IpvsEncodeError';
}

const afOf = (family: 'inet' | 'inet6'): number => (family === 'inet' ? AF_INET : AF_INET6);

/** union nf_inet_addr: 16 bytes, network order, IPv4 in the first four. */
export function inetAddr(family: 'inet' | 'inet6', text: string): Uint8Array {
  const b = parseAddr(family, text);
  if (!b) throw new IpvsEncodeError(`"${text}" is not an ${family} address`);
  const out = new Uint8Array(INET_ADDR_LEN);
  out.set(b);
  return out;
}

/** §4.2 NETMASK: IPv4 as a be32 mask, IPv6 as a host-order prefix length. */
function netmaskAttr(family: 'inet' | 'inet6', prefix: number): Attr {
  if (family === 'inet6') return { type: SVC_ATTR.NETMASK, u32: prefix };
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { type: SVC_ATTR.NETMASK, be32: mask };
}

function identityAttrs(key: LbServiceKey): Attr[] {
  const attrs: Attr[] = [{ type: SVC_ATTR.AF, u16: afOf(key.family) }];
  if (key.kind === 'fwmark') attrs.push({ type: SVC_ATTR.FWMARK, u32: key.fwmark });
  else {
    attrs.push(
      { type: SVC_ATTR.PROTOCOL, u16: PROTO[key.protocol] },
      { type: SVC_ATTR.ADDR, bytes: inetAddr(key.family, key.addr) },
      { type: SVC_ATTR.PORT, be16: key.port },
    );
  }
  return attrs;
}

/** IP_VS_SVC_F_* bits for a service. */
export function serviceFlags(svc: ServiceHead): number {
  return (
    (svc.persistence ? SVC_F.PERSISTENT : 0) |
    (svc.onePacket ? SVC_F.ONEPACKET : 0) |
    (svc.flags.flag1 ? SVC_F.SCHED1 : 0) |
    (svc.flags.flag2 ? SVC_F.SCHED2 : 0) |
    (svc.flags.flag3 ? SVC_F.SCHED3 : 0)
  );
}

function flagsAttr(flags: number): Attr {
  const bytes = new Uint8Array(8);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, flags >>> 0, true);
  v.setUint32(4, 0xffffffff, true); // mask: ipvsadm always replaces every flag
  return { type: SVC_ATTR.FLAGS, bytes };
}

/** The SERVICE nest of NEW_SERVICE / SET_SERVICE: a full entry. */
export function serviceNest(svc: ServiceHead): Attr {
  const p = svc.persistence;
  const attrs: Attr[] = [...identityAttrs(svc.key), { type: SVC_ATTR.SCHED_NAME, str: svc.scheduler }];
  if (p?.engine) attrs.push({ type: SVC_ATTR.PE_NAME, str: p.engine });
  attrs.push(
    flagsAttr(serviceFlags(svc)),
    { type: SVC_ATTR.TIMEOUT, u32: p ? p.timeout : 0 },
    netmaskAttr(svc.key.family, p ? p.prefix : svc.key.family === 'inet' ? 32 : 128),
  );
  return { type: CMD_ATTR.SERVICE | NLA_F_NESTED, nested: attrs };
}

/** The SERVICE nest when only its identity matters (DEL_SERVICE, *_DEST): ipvsadm's defaults around it. */
export function serviceIdentityNest(key: LbServiceKey): Attr {
  return serviceNest({
    key,
    scheduler: '',
    flags: { flag1: false, flag2: false, flag3: false },
    onePacket: false,
    persistence: null,
  });
}

const fwdOf = { nat: FWD.MASQ, dr: FWD.DROUTE, tun: FWD.TUNNEL } as const;

/** The DEST nest: every field, in ipvsadm's order. */
export function destNest(d: LbDestination): Attr {
  const t = d.tunnel;
  return {
    type: CMD_ATTR.DEST | NLA_F_NESTED,
    nested: [
      { type: DEST_ATTR.ADDR_FAMILY, u16: afOf(d.family) },
      { type: DEST_ATTR.ADDR, bytes: inetAddr(d.family, d.addr) },
      { type: DEST_ATTR.PORT, be16: d.port },
      { type: DEST_ATTR.FWD_METHOD, u32: fwdOf[d.forwarding] },
      { type: DEST_ATTR.WEIGHT, u32: d.weight },
      { type: DEST_ATTR.TUN_TYPE, u8: t ? TUN_TYPE[t.type] : 0 },
      { type: DEST_ATTR.TUN_PORT, be16: t ? t.port : 0 },
      { type: DEST_ATTR.TUN_FLAGS, u16: t ? TUN_FLAGS[t.csum] : 0 },
      { type: DEST_ATTR.U_THRESH, u32: d.uThreshold },
      { type: DEST_ATTR.L_THRESH, u32: d.lThreshold },
    ],
  };
}

/** One IPVS generic-netlink request, acknowledged (a dump when `dump`). */
export function request(env: Envelope, cmd: number, attrs: Attr[], dump = false): Uint8Array {
  return encodeGenl({
    type: env.familyId,
    flags: NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0),
    seq: env.seq,
    pid: env.pid,
    cmd,
    version: IPVS_GENL_VERSION,
    attrs,
  });
}

export function encodeTimeouts(env: Envelope, t: LbTimeouts): Uint8Array {
  return request(env, IPVS_CMD.SET_CONFIG, [
    { type: CMD_ATTR.TIMEOUT_TCP, u32: t.tcp },
    { type: CMD_ATTR.TIMEOUT_TCP_FIN, u32: t.tcpFin },
    { type: CMD_ATTR.TIMEOUT_UDP, u32: t.udp },
  ]);
}

/** One LbOp as one request. */
export function encodeOp(env: Envelope, op: LbOp): Uint8Array {
  switch (op.kind) {
    case 'add-service':
      return request(env, IPVS_CMD.NEW_SERVICE, [serviceNest(op.service)]);
    case 'edit-service':
      return request(env, IPVS_CMD.SET_SERVICE, [serviceNest(op.service)]);
    case 'delete-service':
      return request(env, IPVS_CMD.DEL_SERVICE, [serviceIdentityNest(op.key)]);
    case 'add-dest':
      return request(env, IPVS_CMD.NEW_DEST, [serviceIdentityNest(op.service), destNest(op.dest)]);
    case 'edit-dest':
      return request(env, IPVS_CMD.SET_DEST, [serviceIdentityNest(op.service), destNest(op.dest)]);
    case 'delete-dest':
      return request(env, IPVS_CMD.DEL_DEST, [
        serviceIdentityNest(op.service),
        // Only the identity matters to the kernel; the rest is ipvsadm's defaults (-g, -w 1).
        destNest({ ...op.dest, forwarding: 'dr', weight: 1, uThreshold: 0, lThreshold: 0, tunnel: null }),
      ]);
    case 'set-timeouts':
      return encodeTimeouts(env, op.timeouts);
    default: {
      const never: never = op;
      throw new IpvsEncodeError(`unknown op ${JSON.stringify(never)}`);
    }
  }
}

/** Read side: GET_SERVICE dump, GET_DEST dump of one service, GET_CONFIG, GET_INFO, FLUSH. */
export const encodeGetServices = (env: Envelope): Uint8Array => request(env, IPVS_CMD.GET_SERVICE, [], true);
export const encodeGetDests = (env: Envelope, key: LbServiceKey): Uint8Array =>
  request(env, IPVS_CMD.GET_DEST, [serviceIdentityNest(key)], true);
export const encodeGetConfig = (env: Envelope): Uint8Array => request(env, IPVS_CMD.GET_CONFIG, []);
export const encodeGetInfo = (env: Envelope): Uint8Array => request(env, IPVS_CMD.GET_INFO, []);
export const encodeFlush = (env: Envelope): Uint8Array => request(env, IPVS_CMD.FLUSH, []);
