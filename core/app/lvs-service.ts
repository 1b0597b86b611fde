/**
 * The LVS use case: keepalived.conf virtual servers -> health checks -> pool rules -> the LB data plane.
 * Deciding is pure (core/health engine, core/lb rules and planner); this use case wires them behind ports:
 * a health verdict steps the pool reducer, and every change re-plans desired vs the data plane's current
 * table and applies the ops (one reconcile at a time, always from a fresh read). Time comes from the Clock
 * port, the retry after a failed reconcile from the TimerService port, real-time probing from a
 * HealthDriverFactory, scripts from a ScriptQueue: the agent passes the machine's (functions/agent/lvs.ts),
 * test/core/app/lvs-service.test.ts passes in-memory ones.
 *
 *   probe result ─► HealthEngine ─► rs-alive / rs-weight ─► stepPool ─► desiredPool ─┐
 *                                                                                    ▼
 *   LbDataplane.read() ──────────────────────────────────────────────► planLb ─► LbDataplane.apply(ops)
 *
 * ha_suspend: the pool learns whether its virtual address is configured here (at start from the address
 * watcher's dump, then on every RTM_NEWADDR / RTM_DELADDR, whoever made the change) and its
 * suspend-checks / resume-checks effects stop and restart the real servers' checkers. The pool stays
 * programmed either way (keepalived's check/check_api.c update_checker_activity only starts and stops
 * checkers). Unlike keepalived, a fwmark-only virtual server has no
 * address to watch: its checks run (keepalived would leave them suspended for ever); a warning says so.
 */
import type { Config } from '../model/index.ts';
import type {
  AddressPresence,
  Clock,
  HealthDriver,
  HealthDriverFactory,
  LbApplyReport,
  LbCapabilities,
  LbDataplane,
  LbOp,
  LbTable,
  Logger,
  Probe,
  Random,
  ScriptQueue,
  TimerService,
} from '../ports/index.ts';
import { checkersFromConfig, HealthEngine, type HealthChange } from '../health/index.ts';
import {
  desiredPool,
  initialPool,
  stepPool,
  type PoolEffect,
  type PoolEvent,
  type PoolState,
} from '../lb/rules.ts';
import { planLb } from '../lb/plan.ts';
import { serviceId } from '../model/index.ts';
import { canonicalAddr } from '../model/lb-address.ts';
import { countWords } from './log-summary.ts';
import { lvsEffects } from './lvs-effects.ts';
import { desiredTable, lvsView, poolConfig, rsId, vsKey, type LvsConfig } from './lvs-desired.ts';

export interface LvsOptions {
  config: Config;
  dataplane: LbDataplane;
  probe: Probe;
  random: Random;
  log: Logger;
  /** Monotonic time: check schedules and how long an apply took. */
  clock: Clock;
  /** Arms the retry after a failed reconcile (timer id `lvs/retry`). */
  timers: TimerService;
  /** Runs the health engine's probes in real time (adapters/probes driveHealth in the agent). */
  driveHealth: HealthDriverFactory;
  /** Runs quorum_up/down and notify_up/down scripts; without it they are only logged. */
  scripts?: ScriptQueue;
  /** Called after every successful apply, with the table the data plane holds now. */
  onApplied?: (table: LbTable, report: LbApplyReport) => void;
  /** After a failed reconcile, try again this much later (default 5000 ms). */
  retryMs?: number;
  /** Called for pool effects; the default runs quorum_up/down and notify_up/down through `scripts` and logs the rest. */
  onEffect?: (effect: PoolEffect) => void;
  /**
   * Which addresses are configured on this director (rtnetlink's openAddressWatcher). Without it every
   * virtual address counts as present, so ha_suspend never suspends.
   */
  addresses?: AddressPresence;
  /** Where the LVS side reports what the agent's metrics count (all optional). */
  observe?: LvsObserver;
}

/** What the LVS side reports as it runs (the agent's /metrics). */
export interface LvsObserver {
  /** One reconcile that changed the data plane: its apply took `seconds`. */
  applied?(seconds: number, ok: boolean): void;
  /** The health-check timer fired `lateMs` after the earliest due check. */
  lag?(lateMs: number): void;
  /** A real server's health verdict changed. */
  realServer?(up: boolean): void;
}

/** Check timers this late (ms) mean the agent is short of CPU: said once when it starts and when it ends. */
export const LAG_WARN_MS = 1000;

export type { AddressPresence } from '../ports/index.ts';

export interface LvsRunner {
  /** Checks, pools and the first reconcile; resolves once the first table is applied. */
  start(): Promise<void>;
  /**
   * A new configuration: virtual servers are matched by key, real servers by address and port; those
   * that stay keep their health state and counters (pool `reload`, checker migration); only the
   * difference reaches the data plane.
   */
  reload(config: Config): Promise<void>;
  /** Stops checks and removes what floatip programmed (keepalived's shutdown without -I). */
  stop(options?: { keepTable?: boolean }): Promise<void>;
  /** The desired table from the pools' current state. */
  desired(): LbTable;
  /** Waits for reconciles in progress. */
  settled(): Promise<void>;
  /** Every real server with its virtual server and health verdict (the agent's metrics). */
  servers(): Array<{ vs: string; rs: string; up: boolean }>;
}

/** The TimerService id of the retry after a failed reconcile. */
export const RETRY_TIMER = 'lvs/retry';

export function createLvsService(given: LvsOptions): LvsRunner {
  // The closures below keep `options`, which leaves the configuration out: only start() reads the whole
  // of it (once), and only its lvsView is kept (lvs-desired.ts): the parsed real servers and their
  // checkers are not held for as long as the configuration runs.
  const { config: initial, ...options } = given;
  let first: Config | undefined = initial;
  let config: LvsConfig = initial;
  const { dataplane, log } = options;
  const now = (): number => options.clock.monotonicMs();
  /** Pools by virtual-server key; `order` follows the current config. */
  let pools = new Map<string, PoolState>();
  let order: string[] = [];
  const vsOfRs = new Map<string, string>();
  let driver: HealthDriver | undefined;
  let chain: Promise<void> = Promise.resolve();
  let dirty = false;
  let running = false;
  let retryArmed = false;
  /** Every service this agent has programmed; only these are diffed against the data plane. */
  const owned = new Set<string>();
  let flushAll = initial.globalDefs.lvsFlush;

  // Default: quorum_up/down and notify_up/down scripts run as keepalived runs them.
  const scriptEffect = options.onEffect ?? lvsEffects(() => config, log, options.scripts);
  const effect = (e: PoolEffect): void => {
    // ha_suspend: the pool decided; the checkers follow (a no-op before the engine has started).
    if (e.kind === 'suspend-checks') engine.suspend(e.rs, now());
    if (e.kind === 'resume-checks') {
      driver?.submit(engine.resume(e.rs, now()));
      driver?.kick();
    }
    scriptEffect(e);
  };

  /** Virtual addresses of each pool (canonical text), for ha_suspend. */
  const addressesOf = (pool: PoolState): string[] =>
    pool.config.services.flatMap((k) =>
      k.kind === 'addr' ? [canonicalAddr(k.family, k.addr) ?? k.addr] : [],
    );
  const present = (pool: PoolState): boolean => {
    const watcher = options.addresses;
    if (!watcher) return true;
    const addrs = addressesOf(pool);
    return addrs.length === 0 || addrs.some((a) => watcher.has(a));
  };
  let unwatch: (() => void) | undefined;
  /** After start and reload: every suspended pool's checkers are suspended in the engine too. */
  const suspendAll = (): void => {
    for (const pool of pools.values()) if (pool.suspended) engine.suspend(checkedRs(pool), now());
  };

  const desired = (): LbTable =>
    desiredTable(
      config,
      order.map((k) => {
        const pool = pools.get(k);
        return pool ? desiredPool(pool) : { services: [], destinations: new Map<string, number>() };
      }),
    );
  /** The ops that bring the data plane from `current` to the desired table. */
  const planOps = (current: LbTable, caps: LbCapabilities): LbOp[] => {
    const want = desired();
    for (const svc of want.services) owned.add(serviceId(svc.key));
    // Services floatip never programmed (an admin's, another tool's) are left alone, as keepalived leaves
    // them; `lvs_flush` hands the whole table over at start.
    const mine = flushAll
      ? current
      : { ...current, services: current.services.filter((svc) => owned.has(serviceId(svc.key))) };
    flushAll = false;
    const plan = planLb(want, mine, caps, dataplane.name);
    if (plan.kind !== 'ok') throw new Error(plan.reason);
    return plan.value;
  };
  const reconcileOnce = async (): Promise<void> => {
    const caps = await dataplane.capabilities();
    if (caps.kind !== 'ok') throw new Error(caps.reason);
    const current = await dataplane.read();
    if (current.kind !== 'ok') throw new Error(current.reason);
    let ops: LbOp[] | undefined = planOps(current.value, caps.value);
    if (ops.length === 0) return;
    const t0 = now();
    const applying = dataplane.apply(ops);
    // A suspended async function keeps its locals: the ops (a whole table's at start, ~1.5 MB at 10,000
    // real servers) need not stay alive while the data plane applies them.
    ops = undefined;
    const done = await applying;
    options.observe?.applied?.((now() - t0) / 1000, done.kind === 'ok');
    if (done.kind !== 'ok') throw new Error(done.reason);
    log.info(
      `lvs: ${dataplane.name} applied ${done.value.applied} change(s): ${countWords(done.value.steps)}`,
    );
    // Read back only for a caller that wants the table (a listing of 10,000 destinations with their
    // counters is a large JSON document; the agent's status reads the data plane when asked instead).
    if (options.onApplied) {
      const after = await dataplane.read();
      if (after.kind === 'ok') options.onApplied(after.value, done.value);
    }
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
        // Try again later from a fresh read, unless stopped; a refused table stays refused until it changes.
        if (running && !retryArmed) {
          retryArmed = true;
          options.timers.arm(RETRY_TIMER, now() + (options.retryMs ?? 5000), () => {
            retryArmed = false;
            if (running) reconcile().catch(() => undefined);
          });
        }
        throw e;
      }
    });
    const mine = chain;
    chain = chain.catch(() => undefined);
    return mine;
  };

  const step = (key: string, event: PoolEvent): void => {
    const pool = pools.get(key);
    if (!pool) return;
    const out = stepPool(pool, event);
    pools.set(key, out.state);
    for (const e of out.effects) effect(e);
  };

  const onChange = (change: HealthChange): void => {
    const vs = vsOfRs.get(change.rs);
    if (vs === undefined) return;
    if (change.kind === 'alive') {
      // Logged once, by the pool's notify-rs effect (lvs-scripts.ts), when the pool acts on it.
      options.observe?.realServer?.(change.alive);
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

  // A dropped job (suspend, reload, remove) may be a repeating attempt the driver must end.
  const engine = new HealthEngine({
    random: options.random,
    onChange,
    onDrop: (token) => driver?.cancel(token),
  });

  // Lag: one warning when check timers start running late, one line when they are on time again.
  let lagging = false;
  let worstLag = 0;
  const lagWatch = (lateMs: number): void => {
    options.observe?.lag?.(lateMs);
    if (lateMs >= LAG_WARN_MS) {
      worstLag = Math.max(worstLag, lateMs);
      if (!lagging) {
        lagging = true;
        log.warn(
          `lvs: health checks are running ${Math.round(lateMs)} ms late: the agent is short of CPU; ` +
            'checks slow down, and a late failure is tried again before it counts against a server',
        );
      }
    } else if (lagging && lateMs < LAG_WARN_MS / 2) {
      lagging = false;
      log.info(`lvs: health checks on time again (they ran up to ${Math.round(worstLag)} ms late)`);
      worstLag = 0;
    }
  };

  /** Brings pools and checkers in line with `config`; returns probe jobs of reloaded checkers. */
  const adopt = (next: Config): ProbeJobs => {
    const t = now();
    const jobs: ProbeJobs = [];
    const nextPools = new Map<string, PoolState>();
    const nextOrder: string[] = [];
    const seenRs = new Set<string>();
    for (const vs of next.virtualServers) {
      const key = vsKey(vs);
      nextOrder.push(key);
      const cfg = poolConfig(next, vs);
      const old = pools.get(key);
      if (old) {
        const out = stepPool(old, { kind: 'reload', config: cfg });
        for (const e of out.effects) effect(e);
        nextPools.set(key, out.state);
      } else {
        const fresh = initialPool(cfg);
        if (cfg.haSuspend && addressesOf(fresh).length === 0) {
          log.warn(`lvs: ${key}: ha_suspend needs a virtual address to watch; its checks always run`);
        }
        nextPools.set(
          key,
          running ? stepPool(fresh, { kind: 'start', addressPresent: present(fresh) }).state : fresh,
        );
      }
      for (const rs of vs.realServers) {
        const id = rsId(key, rs);
        seenRs.add(id);
        vsOfRs.set(id, key);
        const { specs, notes, errors } = checkersFromConfig({
          vs,
          rs,
          trackFiles: next.trackFiles,
          ...(next.ssl ? { ssl: next.ssl } : {}),
          ...(next.globalDefs.scriptUser ? { scriptUser: next.globalDefs.scriptUser } : {}),
        });
        for (const n of notes) log.warn(`lvs: ${n}`, { rs: id });
        if (errors.length) log.error('lvs: checkers that cannot run are left out', { rs: id, errors });
        jobs.push(...engine.upsert(id, specs, t));
      }
    }
    for (const id of [...vsOfRs.keys()]) {
      if (seenRs.has(id)) continue;
      engine.remove(id);
      vsOfRs.delete(id);
    }
    pools = nextPools;
    order = nextOrder;
    config = lvsView(next);
    return jobs;
  };

  return {
    async start() {
      if (first) adopt(first);
      first = undefined;
      // The pool is programmed on every director regardless of VRRP state (as keepalived's); only
      // its checks depend on the address being here (ha_suspend).
      for (const key of order) {
        const pool = pools.get(key);
        if (pool) step(key, { kind: 'start', addressPresent: present(pool) });
      }
      unwatch = options.addresses?.watch((address) => {
        for (const [key, pool] of pools) {
          if (addressesOf(pool).includes(address)) step(key, { kind: 'address', present: present(pool) });
        }
      });
      running = true;
      await reconcile();
      driver = options.driveHealth(engine, options.probe, {
        now,
        onError: (e) => log.error('lvs: probe', { err: String(e) }),
        onLag: lagWatch,
      });
      driver.submit(engine.start(now()));
      suspendAll();
      driver.kick();
    },
    async reload(next) {
      const jobs = adopt(next);
      // ha_suspend may have been switched on or off, or a group may hold other addresses now.
      for (const [key, pool] of pools) step(key, { kind: 'address', present: present(pool) });
      driver?.submit([...jobs, ...engine.start(now())]);
      suspendAll();
      driver?.kick();
      await reconcile();
    },
    async stop(opts = {}) {
      driver?.stop();
      unwatch?.();
      running = false;
      if (retryArmed) options.timers.cancel(RETRY_TIMER);
      retryArmed = false;
      if (opts.keepTable) return;
      for (const key of order) step(key, { kind: 'stop' });
      await reconcile();
    },
    desired,
    settled: () => chain,
    servers() {
      const out: Array<{ vs: string; rs: string; up: boolean }> = [];
      for (const [id, vs] of vsOfRs) {
        out.push({ vs, rs: id.slice(vs.length + 1), up: engine.view(id)?.alive ?? false });
      }
      return out;
    },
  };
}

type ProbeJobs = ReturnType<HealthEngine['start']>;

const checkedRs = (pool: PoolState): string[] => pool.config.servers.map((s) => s.id);
