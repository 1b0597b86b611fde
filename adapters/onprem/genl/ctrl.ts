/**
 * nlctrl, the generic-netlink controller (linux/genetlink.h): resolves a family name such as "IPVS" to the
 * dynamic id its messages carry.
 */
import { AttrTable } from './attrs.ts';
import { NLM_F_ACK, NLM_F_REQUEST, decodeGenl, encodeGenl } from './message.ts';

/** linux/genetlink.h GENL_ID_CTRL: nlctrl's fixed family id. */
export const GENL_ID_CTRL = 0x10;
/** enum ctrl_cmd. */
export const CTRL_CMD_NEWFAMILY = 1;
export const CTRL_CMD_GETFAMILY = 3;
/** enum ctrl_attr. */
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;
export const CTRL_ATTR_VERSION = 3;
export const CTRL_ATTR_MAXATTR = 5;
/** nlctrl speaks version 1 (libnl sends 1; the kernel ignores it). */
export const CTRL_VERSION = 1;

/** CTRL_CMD_GETFAMILY for `name`, as a doit request with an ack. */
export function encodeGetFamily(name: string, seq: number, pid: number): Uint8Array {
  return encodeGenl({
    type: GENL_ID_CTRL,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    seq,
    pid,
    cmd: CTRL_CMD_GETFAMILY,
    version: CTRL_VERSION,
    attrs: [{ type: CTRL_ATTR_FAMILY_NAME, str: name }],
  });
}

export interface FamilyInfo {
  id: number;
  name: string;
  version: number;
  maxAttr: number;
}

/** Reads the CTRL_CMD_NEWFAMILY reply payload (after nlmsghdr). */
export function decodeFamily(payload: Uint8Array): FamilyInfo {
  const g = decodeGenl(payload);
  const t = new AttrTable(g.attrs);
  const id = t.u16(CTRL_ATTR_FAMILY_ID);
  if (g.cmd !== CTRL_CMD_NEWFAMILY || id === undefined) {
    throw new Error(`nlctrl reply is not NEWFAMILY with a family id (cmd ${g.cmd})`);
  }
  return {
    id,
    name: t.str(CTRL_ATTR_FAMILY_NAME) ?? '',
    version: t.u32(CTRL_ATTR_VERSION) ?? 0,
    maxAttr: t.u32(CTRL_ATTR_MAXATTR) ?? 0,
  };
}
