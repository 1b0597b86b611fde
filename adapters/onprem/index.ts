/**
 * On-prem adapters: kernel access for the agent. VRRP over raw IP sockets (PacketIo), VIPs through
 * rtnetlink (AddressManager), gratuitous ARP / unsolicited NA (Announcer), all on the floatip_sock N-API
 * addon in native/ (which the IPVS and nftables adapters share for their netlink sockets).
 */
export {
  openVrrpSocket,
  VRRP_GROUP_V4,
  VRRP_GROUP_V6,
  VRRP_TTL,
  type VrrpSocketOptions,
} from './vrrp-socket.ts';
export { openAddressManager, NetlinkError, RtnetlinkSocket } from './rtnetlink/index.ts';
export { openAnnouncer, garpPacket, naPacket, interfaceMac } from './announcer.ts';
export { NativeSocket, interfaceIndex } from './native/socket.ts';
export { addon, linux, intOpt, type ReceivedMessage } from './native/index.ts';
