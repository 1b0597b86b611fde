export { openAddressManager, NetlinkError, RtnetlinkSocket } from './address-manager.ts';
