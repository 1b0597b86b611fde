export { ManualClock } from './clock.ts';
export { seededRandom } from './random.ts';
export { MemoryVipProvider } from './vip-provider.ts';
export { silentLogger } from './logger.ts';
export { MemorySyncDaemon } from './sync-daemon.ts';
export { MemoryGroupStore } from './group-state-store.ts';
export { memoryModule } from './module.ts';
export { MemoryFence } from './fence.ts';
