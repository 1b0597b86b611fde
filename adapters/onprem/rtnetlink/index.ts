export { openAddressManager, NetlinkError, RtnetlinkSocket } from './address-manager.ts';
export { openLinkWatcher } from './link-watcher.ts';
export { openVirtualLinkManager } from './link-manager.ts';
