/**
 * The LVS side of the agent: keepalived.conf virtual servers -> health checks -> pool rules -> the LB
 * data plane. Deciding is pure (core/health engine, core/lb rules and planner); this shell only wires
 * them: a health verdict steps the pool reducer, and every change re-plans desired vs the data plane's
 * current table and applies the ops (one reconcile at a time, always from a fresh read).
 *
 *   probe result ─► HealthEngine ─► rs-alive / rs-weight ─► stepPool ─► desiredPool ─┐
 *                                                                                    ▼
 *   LbDataplane.read() ──────────────────────────────────────────────► planLb ─► LbDataplane.apply(ops)
 */
import type { Config } from '../../core/model/index.ts';
import type { LbApplyReport, LbDataplane, LbTable, Logger, Probe, Random } from '../../core/ports/index.ts';
import { HealthEngine, type HealthChange } from '../../core/health/index.ts';
import {
  desiredPool,
  initialPool,
  stepPool,
  type PoolEffect,
  type PoolEvent,
  type PoolState,
} from '../../core/lb/rules.ts';
import { planLb } from '../../core/lb/plan.ts';
import { driveHealth, type HealthDriver } from '../../adapters/probes/index.ts';
import { checkerSpecs } from './lvs-checkers.ts';
import { desiredTable, poolConfig, rsId } from './lvs-desired.ts';

export interface LvsOptions {
  config: Config;
  dataplane: LbDataplane;
  probe: Probe;
  random: Random;
  log: Logger;
  /** Monotonic ms (default performance.now). */
  now?: () => number;
  /** Called after every successful apply, with the table the data plane holds now. */
  onApplied?: (table: LbTable, report: LbApplyReport) => void;
  /** Called for pool effects (scripts, notifies); the default only logs them. */
  onEffect?: (effect: PoolEffect) => void;
}

export interface LvsRunner {
  /** Checks, pools and the first reconcile; resolves once the first table is applied. */
  start(): Promise<void>;
  /** Stops checks and removes what floatip programmed (keepalived's shutdown without -I). */
  stop(options?: { keepTable?: boolean }): Promise<void>;
  /** The desired table from the pools' current state. */
  desired(): LbTable;
  /** Waits for reconciles in progress. */
  settled(): Promise<void>;
}

export function createLvs(options: LvsOptions): LvsRunner {
  const { config, dataplane, log } = options;
  const now = options.now ?? (() => performance.now());
  const vsOfRs = new Map<string, number>();
  let pools: PoolState[] = config.virtualServers.map((vs, i) => {
    for (const rs of vs.realServers) vsOfRs.set(rsId(i, rs), i);
    return initialPool(poolConfig(config, vs, i));
  });
  let driver: HealthDriver | undefined;
  let chain: Promise<void> = Promise.resolve();
  let dirty = false;

  const effect =
    options.onEffect ??
    ((e: PoolEffect): void => {
      log.info(`lvs: ${e.kind}`, { effect: e });
    });

  const desired = (): LbTable => desiredTable(config, pools.map(desiredPool));

  const reconcileOnce = async (): Promise<void> => {
    const caps = await dataplane.capabilities();
    if (caps.kind !== 'ok') throw new Error(caps.reason);
    const current = await dataplane.read();
    if (current.kind !== 'ok') throw new Error(current.reason);
    const plan = planLb(desired(), current.value, caps.value, dataplane.name);
    if (plan.kind !== 'ok') throw new Error(plan.reason);
    if (plan.value.length === 0) return;
    const done = await dataplane.apply(plan.value);
    if (done.kind !== 'ok') throw new Error(done.reason);
    const after = await dataplane.read();
    log.info(`lvs: ${dataplane.name} applied ${done.value.applied} change(s)`, { steps: done.value.steps });
    if (after.kind === 'ok') options.onApplied?.(after.value, done.value);
  };

  /** Coalesces bursts: one reconcile runs at a time and the next one reads the newest state. */
  const reconcile = (): Promise<void> => {
    dirty = true;
    chain = chain.then(async () => {
      if (!dirty) return;
      dirty = false;
      try {
        await reconcileOnce();
      } catch (e) {
        log.error(`lvs: ${dataplane.name}: ${(e as Error).message}`, { err: (e as Error).message });
        throw e;
      }
    });
    const mine = chain;
    chain = chain.catch(() => undefined);
    return mine;
  };

  const step = (vsIndex: number, event: PoolEvent): void => {
    const pool = pools[vsIndex];
    if (!pool) return;
    const out = stepPool(pool, event);
    pools = pools.map((p, i) => (i === vsIndex ? out.state : p));
    for (const e of out.effects) effect(e);
  };

  const onChange = (change: HealthChange): void => {
    const vs = vsOfRs.get(change.rs);
    if (vs === undefined) return;
    if (change.kind === 'alive') {
      log.info(`lvs: real server ${change.rs} ${change.alive ? 'up' : 'down'}`, {
        rs: change.rs,
        alive: change.alive,
      });
      step(vs, { kind: 'rs-alive', rs: change.rs, alive: change.alive });
    } else if (change.kind === 'weight') {
      step(vs, {
        kind: 'rs-weight',
        rs: change.rs,
        setWeight: change.setWeight,
        addWeight: change.addWeight,
      });
    } else return;
    reconcile().catch(() => undefined);
  };

  const engine = new HealthEngine({ random: options.random, onChange });

  return {
    async start() {
      const t = now();
      config.virtualServers.forEach((vs, i) => {
        for (const rs of vs.realServers) {
          const { specs, skipped } = checkerSpecs(vs, rs, config.ssl);
          if (skipped.length)
            log.warn('lvs: checkers without support here are ignored', { rs: rsId(i, rs), skipped });
          engine.upsert(rsId(i, rs), specs, t);
        }
        // The pool is programmed on every director regardless of VRRP state (keepalived.md §2.4).
        step(i, { kind: 'start', addressPresent: true });
      });
      await reconcile();
      driver = driveHealth(engine, options.probe, {
        now,
        onError: (e) => log.error('lvs: probe', { err: String(e) }),
      });
      driver.submit(engine.start(now()));
      driver.kick();
    },
    async stop(opts = {}) {
      driver?.stop();
      if (opts.keepTable) return;
      pools.forEach((_, i) => step(i, { kind: 'stop' }));
      await reconcile();
    },
    desired,
    settled: () => chain,
  };
}
