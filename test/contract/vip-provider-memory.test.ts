import { MemoryVipProvider } from '../../adapters/memory/index.ts';
import { vipProviderContract } from './vip-provider.ts';

vipProviderContract('memory', async () => {
  const provider = new MemoryVipProvider();
  return {
    provider,
    resource: { id: 'vip', provider: 'memory', kind: 'record', spec: {} },
    a: { id: 'a', spec: {} },
    b: { id: 'b', spec: {} },
    throttle: (n) => provider.throttleNext(n),
    close: async () => {},
  };
});
