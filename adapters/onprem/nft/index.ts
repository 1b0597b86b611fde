/** The nftables LB data plane (kernels without IPVS). */
export { NftDataplane, NFT_CAPABILITIES } from './nft-dataplane.ts';
export type { NftDataplaneOptions } from './nft-dataplane.ts';
export { renderRuleset } from './render.ts';
export { NFT_SCHEDULERS, wrrCycle, shTable, dhTable } from './schedule-map.ts';
export { applyLbOps, LbOpError } from './table-state.ts';
export { nftLimits } from './limits.ts';
export { conntrackHeader, conntrackInfo, type ConntrackInfo } from './conntrack-info.ts';
