export { openAddressManager, NetlinkError, RtnetlinkSocket } from './address-manager.ts';
export { openLinkWatcher } from './link-watcher.ts';
export { openRouteManager } from './route-manager.ts';
export { openVirtualLinkManager } from './link-manager.ts';
export { canonicalAddress, openAddressWatcher, type AddressWatcher } from './address-watcher.ts';
