import * as z from 'zod';
import type { ProviderModule } from '../../core/failover/index.ts';
import { MemoryVipProvider } from './vip-provider.ts';

/** The `memory` provider: a map in this process (demos, tests); no settings, any member can hold. */
export const memoryModule: ProviderModule = {
  type: 'memory',
  settings: z.lazy(() => z.strictObject({})),
  member: z.lazy(() => z.strictObject({})),
  kinds: null,
  expectedWriteMs: 0,
  knownCodes: new Set<string>(),
  make: (_s, _members, rt) => new MemoryVipProvider(rt.name),
};
