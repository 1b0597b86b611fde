/** IPVS over generic netlink: the LbDataplane adapter and its pure codec. */
export { IpvsDataplane, NO_IPVS_MESSAGE, describeOp } from './ipvs-dataplane.ts';
export type { IpvsDataplaneOptions } from './ipvs-dataplane.ts';
export {
  encodeOp,
  encodeTimeouts,
  encodeGetServices,
  encodeGetDests,
  encodeGetConfig,
  encodeGetInfo,
  encodeFlush,
} from './encode.ts';
export type { Envelope } from './encode.ts';
export {
  decodeServiceMessage,
  decodeDestMessage,
  decodeTimeouts,
  decodeInfo,
  decodeIpvsPayload,
} from './decode.ts';
export * from './constants.ts';
export {
  IpvsSyncDaemon,
  encodeStartDaemon,
  encodeStopDaemon,
  encodeGetDaemons,
  decodeDaemonMessage,
  DAEMON_ATTR,
  IP_VS_STATE,
  SyncDaemonEncodeError,
} from './sync-daemon.ts';
