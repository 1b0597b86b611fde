export { openAddressManager, NetlinkError, RtnetlinkSocket } from './address-manager.ts';
export { openLinkWatcher } from './link-watcher.ts';
export { canonicalAddress, openAddressWatcher, type AddressWatcher } from './address-watcher.ts';
