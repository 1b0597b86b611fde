/**
 * The IPVS sync daemon over generic netlink (reference ipvs-netlink.md §3 NEW_DAEMON / DEL_DAEMON /
 * GET_DAEMON, §4.4): the codec, laid out as ipvsadm 1.31 (libnl) sends it, and the SyncDaemonControl
 * port adapter. Start: DAEMON nest (NLA_F_NESTED) with STATE, MCAST_IFN, SYNC_ID, then SYNC_MAXLEN,
 * MCAST_PORT, MCAST_TTL and MCAST_GROUP / MCAST_GROUP6 when set. Stop: STATE, MCAST_IFN, SYNC_ID (the
 * kernel only reads STATE). Integers are host order, the IPv4 group network order.
 */
import type {
  SyncDaemonConfig,
  SyncDaemonControl,
  SyncDaemonRole,
  SyncDaemonStatus,
} from '../../../core/ports/index.ts';
import { formatIpv4, formatIpv6, giveUp, ok, retry, type Outcome } from '../../../core/model/index.ts';
import { AttrTable, NLA_F_NESTED, type Attr } from '../genl/attrs.ts';
import { GenlConnection, GenlError } from '../genl/connection.ts';
import { decodeGenl } from '../genl/message.ts';
import { parseIp } from '../net/ip-address.ts';
import { CMD_ATTR, IPVS_CMD, IPVS_GENL_NAME } from './constants.ts';
import { request, type Envelope } from './encode.ts';
import { NO_IPVS_MESSAGE } from './ipvs-dataplane.ts';

/** §4.4: IPVS_DAEMON_ATTR_*. */
export const DAEMON_ATTR = {
  STATE: 1,
  MCAST_IFN: 2,
  SYNC_ID: 3,
  SYNC_MAXLEN: 4,
  MCAST_GROUP: 5,
  MCAST_GROUP6: 6,
  MCAST_PORT: 7,
  MCAST_TTL: 8,
} as const;

/** IP_VS_STATE_MASTER / IP_VS_STATE_BACKUP (include/uapi/linux/ip_vs.h). */
export const IP_VS_STATE = { master: 1, backup: 2 } as const;

/** IFNAMSIZ - 1: the kernel refuses longer MCAST_IFN strings. */
const MAX_IFNAME = 15;

export class SyncDaemonEncodeError extends Error {
  override name = 'SyncDaemonEncodeError';
}

function head(role: SyncDaemonRole, ifName: string, syncId: number): Attr[] {
  if (ifName.length > MAX_IFNAME)
    throw new SyncDaemonEncodeError(`interface name ${JSON.stringify(ifName)} is longer than 15 bytes`);
  if (!Number.isInteger(syncId) || syncId < 0 || syncId > 255)
    throw new SyncDaemonEncodeError(`sync id ${syncId} is not in 0..255`);
  return [
    { type: DAEMON_ATTR.STATE, u32: IP_VS_STATE[role] },
    { type: DAEMON_ATTR.MCAST_IFN, str: ifName },
    { type: DAEMON_ATTR.SYNC_ID, u32: syncId },
  ];
}

/** IPVS_CMD_NEW_DAEMON. */
export function encodeStartDaemon(env: Envelope, role: SyncDaemonRole, c: SyncDaemonConfig): Uint8Array {
  const attrs = head(role, c.interface, c.syncId);
  if (c.maxlen) attrs.push({ type: DAEMON_ATTR.SYNC_MAXLEN, u16: c.maxlen });
  if (c.port) attrs.push({ type: DAEMON_ATTR.MCAST_PORT, u16: c.port });
  if (c.ttl) attrs.push({ type: DAEMON_ATTR.MCAST_TTL, u8: c.ttl });
  if (c.group !== undefined) {
    let g: Uint8Array;
    try {
      g = parseIp(c.group);
    } catch {
      throw new SyncDaemonEncodeError(`group ${JSON.stringify(c.group)} is not an IP address`);
    }
    const multicast = g.length === 4 ? ((g[0] ?? 0) & 0xf0) === 0xe0 : g[0] === 0xff;
    if (!multicast) throw new SyncDaemonEncodeError(`group ${c.group} is not a multicast address`);
    attrs.push({ type: g.length === 4 ? DAEMON_ATTR.MCAST_GROUP : DAEMON_ATTR.MCAST_GROUP6, bytes: g });
  }
  return request(env, IPVS_CMD.NEW_DAEMON, [{ type: CMD_ATTR.DAEMON | NLA_F_NESTED, nested: attrs }]);
}

/** IPVS_CMD_DEL_DAEMON. */
export function encodeStopDaemon(env: Envelope, role: SyncDaemonRole, ifName = '', syncId = 0): Uint8Array {
  return request(env, IPVS_CMD.DEL_DAEMON, [
    { type: CMD_ATTR.DAEMON | NLA_F_NESTED, nested: head(role, ifName, syncId) },
  ]);
}

/** IPVS_CMD_GET_DAEMON (a dump). */
export const encodeGetDaemons = (env: Envelope): Uint8Array => request(env, IPVS_CMD.GET_DAEMON, [], true);

/** One daemon from a NEW_DAEMON message (a GET_DAEMON reply part, or a NEW_DAEMON request). */
export function decodeDaemonMessage(payload: Uint8Array): SyncDaemonStatus {
  const g = decodeGenl(payload);
  const d = new AttrTable(g.attrs).nested(CMD_ATTR.DAEMON);
  if (!d) throw new SyncDaemonEncodeError('NEW_DAEMON message without a DAEMON nest');
  const state = d.u32(DAEMON_ATTR.STATE);
  const role: SyncDaemonRole | undefined =
    state === IP_VS_STATE.master ? 'master' : state === IP_VS_STATE.backup ? 'backup' : undefined;
  if (role === undefined) throw new SyncDaemonEncodeError(`unknown daemon state ${state}`);
  const out: SyncDaemonStatus = {
    role,
    interface: d.str(DAEMON_ATTR.MCAST_IFN) ?? '',
    syncId: d.u32(DAEMON_ATTR.SYNC_ID) ?? 0,
  };
  const maxlen = d.u16(DAEMON_ATTR.SYNC_MAXLEN);
  const port = d.u16(DAEMON_ATTR.MCAST_PORT);
  const ttl = d.u8(DAEMON_ATTR.MCAST_TTL);
  const g4 = d.bytes(DAEMON_ATTR.MCAST_GROUP);
  const g6 = d.bytes(DAEMON_ATTR.MCAST_GROUP6);
  if (maxlen) out.maxlen = maxlen;
  if (port) out.port = port;
  if (ttl) out.ttl = ttl;
  if (g6 && g6.length === 16) out.group = formatIpv6(g6);
  else if (g4 && g4.length === 4) out.group = formatIpv4(g4);
  return out;
}

/** The SyncDaemonControl port on the kernel's IPVS. Without IPVS every call gives up with NO_IPVS_MESSAGE. */
export class IpvsSyncDaemon implements SyncDaemonControl {
  readonly name = 'ipvs';
  readonly #connect: () => GenlConnection;
  #conn: GenlConnection | undefined;
  #familyId: number | undefined;

  constructor(options: { connect?: () => GenlConnection } = {}) {
    this.#connect = options.connect ?? (() => GenlConnection.open());
  }

  async #send<T>(
    what: string,
    build: (env: Envelope) => Uint8Array,
    read: (replies: Uint8Array[]) => T,
  ): Promise<Outcome<T>> {
    try {
      this.#conn ??= this.#connect();
      this.#familyId ??= (await this.#conn.family(IPVS_GENL_NAME)).id;
      const env = { familyId: this.#familyId, seq: this.#conn.nextSeq(), pid: 0 };
      const replies = await this.#conn.request(build(env), what);
      return ok(read(replies.map((m) => m.payload)));
    } catch (e) {
      if (e instanceof GenlError && e.code === 'ENOENT' && this.#familyId === undefined)
        return giveUp(NO_IPVS_MESSAGE);
      if ((e as { code?: string }).code === 'EPERM')
        return giveUp('the IPVS sync daemon needs CAP_NET_ADMIN');
      if (e instanceof SyncDaemonEncodeError) return giveUp(`${what}: ${e.message}`);
      return retry(`${what}: ${(e as Error).message}`);
    }
  }

  start(role: SyncDaemonRole, config: SyncDaemonConfig): Promise<Outcome> {
    return this.#send(
      `IPVS start ${role} sync daemon`,
      (env) => encodeStartDaemon(env, role, config),
      () => undefined,
    );
  }

  async stop(role: SyncDaemonRole, config: SyncDaemonConfig): Promise<Outcome> {
    const r = await this.#send(
      `IPVS stop ${role} sync daemon`,
      (env) => encodeStopDaemon(env, role, config.interface, config.syncId),
      () => undefined,
    );
    // ESRCH: that daemon was not running, which is what stop wants
    if (r.kind === 'retry' && /ESRCH/.test(r.reason)) return ok(undefined);
    return r;
  }

  list(): Promise<Outcome<SyncDaemonStatus[]>> {
    return this.#send('IPVS list sync daemons', encodeGetDaemons, (parts) => parts.map(decodeDaemonMessage));
  }

  close(): void {
    this.#conn?.close();
    this.#conn = undefined;
  }
}
