/** Runs the one failover use case over given providers with in-memory fence, state and audit (tests, benches). */
import { runFailover, type FailoverDeps, type FailoverReport } from '../../core/app/index.ts';
import type { GroupConfig, ResourceConfig } from '../../core/config/failover-group.ts';
import type { FailoverPolicy } from '../../core/failover/index.ts';
import type { Outcome } from '../../core/model/index.ts';
import type { Holder, VipProvider } from '../../core/ports/index.ts';
import {
  ManualClock,
  MemoryFence,
  MemoryGroupStore,
  seededRandom,
  silentLogger,
} from '../../adapters/memory/index.ts';

export interface FailoverHarness {
  deps: FailoverDeps;
  group: GroupConfig;
  fence: MemoryFence;
  store: MemoryGroupStore;
  /** Moves the group to `to` (a switchover naming its target). */
  run(to: string, o?: { dryRun?: boolean; force?: boolean }): Promise<Outcome<FailoverReport>>;
}

/** A group of `resources` whose members are `holders` (each with its settings for `provider`). */
export function failoverHarness(o: {
  providers: Record<string, VipProvider>;
  resources: ResourceConfig[];
  holders: readonly Holder[];
  provider: string;
  policy: FailoverPolicy;
  sleep?: (ms: number) => Promise<void>;
  clock?: ManualClock;
}): FailoverHarness {
  const group: GroupConfig = {
    id: 'g',
    members: o.holders.map((h, i) => ({
      id: h.id,
      priority: 200 - i,
      settings: { [o.provider]: { ...h.spec } },
    })),
    resources: o.resources,
  };
  const fence = new MemoryFence();
  const store = new MemoryGroupStore({ newest: (g) => fence.newest(g) });
  const deps: FailoverDeps = {
    clock: o.clock ?? new ManualClock(),
    logger: silentLogger,
    random: seededRandom(9),
    sleep: o.sleep ?? (() => Promise.resolve()),
    policy: o.policy,
    fence,
    state: store,
    audit: store,
    providers: (n) => o.providers[n],
    providerConfigs: Object.fromEntries(Object.keys(o.providers).map((n) => [n, { type: n, settings: {} }])),
  };
  let n = 0;
  return {
    deps,
    group,
    fence,
    store,
    run: (to, x = {}) =>
      runFailover(deps, {
        group,
        job: {
          kind: 'failover',
          key: `t${++n}`,
          group: 'g',
          to,
          action: 'switchover',
          reason: 'test',
          source: 'test',
        },
        ...(x.dryRun ? { dryRun: true } : {}),
        ...(x.force ? { force: true } : {}),
      }),
  };
}
