/** What ipvlan-vm.test.ts and its guest share: the config, the VIP, where the compile cache goes. */
import { join } from 'node:path';

export const VIP = '10.99.0.172';
export const CONFIG = `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    use_ipvlan vrrp.53 10.99.0.21/24 private
    virtual_router_id 53
    priority 150
    advert_int 1
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;
/** Inside this tree (the guest sees it read-only at the same path), ignored by git under node_modules. */
export const COMPILE_CACHE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'node_modules',
  '.cache',
  'fip-vm-compile-cache',
);
