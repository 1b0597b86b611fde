/**
 * Virtual-server pool rules as a pure reducer: which real servers a virtual server's data plane should
 * hold, and at what weight, given health verdicts. Semantics of keepalived's ipwrapper.c (reference
 * keepalived.md §2.4):
 *
 *   weight_sum = Σ weight of alive real servers
 *   quorum DOWN ──(weight_sum ≥ quorum + hysteresis)──► quorum UP
 *   quorum UP ──(weight_sum < quorum − hysteresis, or weight_sum = 0)──► quorum DOWN
 *
 * - An alive server is in the pool at its effective weight; a failed one is removed, or kept at weight
 *   0 with inhibit_on_failure.
 * - Quorum lost with a sorry server: every alive server leaves the pool and the sorry server enters;
 *   quorum regained: the reverse. Changes while the sorry server serves reach the pool only when quorum
 *   returns. With sorry_server_inhibit the sorry server stays in the pool at weight 0 while unused.
 * - At start the quorum is up iff weight_sum ≥ quorum + hysteresis; starting down runs quorum_down only
 *   when a sorry server is configured (it is then added). alpha servers start dead.
 * - ha_suspend: checks of the virtual server's real servers stop while its address is not on this
 *   director; the pool itself is programmed on every director regardless.
 * - Stop: everything is removed; quorum_down and notify_down run only with omega.
 * The output is {@link desiredPool}: service keys plus destination id → weight, diffed by
 * {@link diffPools}.
 */
import { type Outcome, giveUp, ok } from '../model/index.ts';
import type { LbServiceKey } from '../ports/index.ts';

/** IPVS weights are 32-bit signed; keepalived clamps effective weights into 0..INT_MAX (real_weight). */
export const IPVS_WEIGHT_MAX = 2_147_483_647;

export interface PoolServer {
  id: string;
  /** Configured weight (keepalived `weight`, default 1). */
  weight: number;
  /** inhibit_on_failure (RS value, else the VS value). */
  inhibit: boolean;
  /** alpha (checker/RS/VS cascade): start dead until the first success. */
  alpha: boolean;
}

export interface PoolConfig {
  /** Every service this virtual server programs: one, a fwmark, or the entries of a virtual_server_group. */
  services: readonly LbServiceKey[];
  servers: readonly PoolServer[];
  quorum: number;
  hysteresis: number;
  /** argv of `quorum_up` / `quorum_down` scripts. */
  quorumUp?: readonly string[];
  quorumDown?: readonly string[];
  sorryServer?: { id: string; weight: number; inhibit: boolean };
  omega: boolean;
  haSuspend: boolean;
}

export interface PoolServerState {
  alive: boolean;
  /** misc_dynamic weight, replacing the configured weight when set. */
  setWeight: number | null;
  /** FILE_CHECK dynamic weight added on top. */
  addWeight: number;
}

export interface PoolState {
  readonly config: PoolConfig;
  readonly servers: ReadonlyMap<string, PoolServerState>;
  readonly quorumUp: boolean;
  readonly sorryActive: boolean;
  readonly phase: 'configured' | 'running' | 'stopped';
  /** ha_suspend: checks are suspended because the virtual address is not here. */
  readonly suspended: boolean;
}

export type PoolEvent =
  /** `addressPresent`: whether the virtual address is on this director now (matters for ha_suspend). */
  | { kind: 'start'; addressPresent: boolean }
  | { kind: 'rs-alive'; rs: string; alive: boolean }
  | { kind: 'rs-weight'; rs: string; setWeight: number | null; addWeight: number }
  | { kind: 'address'; present: boolean }
  | { kind: 'reload'; config: PoolConfig }
  | { kind: 'stop' };

export type PoolEffect =
  | { kind: 'run-script'; script: 'quorum_up' | 'quorum_down'; argv: readonly string[] }
  /** keepalived's LVS FIFO / notify_up / notify_down for a real server. */
  | { kind: 'notify-rs'; rs: string; up: boolean }
  /** keepalived's LVS FIFO `VS … UP|DOWN`, SNMP trap, SMTP alert. */
  | { kind: 'notify-vs'; up: boolean; message: string }
  | { kind: 'suspend-checks'; rs: readonly string[] }
  | { kind: 'resume-checks'; rs: readonly string[] }
  | { kind: 'log'; message: string };

export interface PoolStep {
  state: PoolState;
  effects: PoolEffect[];
}

/** What the data plane should hold for this virtual server. */
export interface DesiredPool {
  services: readonly LbServiceKey[];
  /** destination id → weight, in config order (sorry server last). */
  destinations: ReadonlyMap<string, number>;
}

export const realWeight = (w: number): number => (w < 0 ? 0 : w > IPVS_WEIGHT_MAX ? IPVS_WEIGHT_MAX : w);

/** Problems that make a pool config unusable, each naming the field; empty when it is fine. */
export function poolConfigErrors(config: PoolConfig): string[] {
  const errors: string[] = [];
  const int = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  if (!int(config.quorum, 1, IPVS_WEIGHT_MAX)) errors.push(`quorum: ${config.quorum} is not an integer ≥ 1`);
  if (!int(config.hysteresis, 0, IPVS_WEIGHT_MAX)) {
    errors.push(`hysteresis: ${config.hysteresis} is not an integer ≥ 0`);
  }
  const seen = new Set<string>();
  config.servers.forEach((s, i) => {
    if (seen.has(s.id)) errors.push(`servers[${i}].id: duplicate real server ${s.id}`);
    seen.add(s.id);
    if (!int(s.weight, 0, IPVS_WEIGHT_MAX))
      errors.push(`servers[${i}].weight: ${s.weight} is not in 0..${IPVS_WEIGHT_MAX}`);
  });
  const sorry = config.sorryServer;
  if (sorry && !int(sorry.weight, 0, IPVS_WEIGHT_MAX)) {
    errors.push(`sorryServer.weight: ${sorry.weight} is not in 0..${IPVS_WEIGHT_MAX}`);
  }
  if (config.services.length === 0) errors.push('services: a virtual server needs at least one service');
  return errors;
}

/**
 * keepalived's clamps, with the warnings it logs: quorum above the total configured weight is lowered
 * to it; hysteresis is lowered to quorum − 1.
 */
export function clampPoolConfig(config: PoolConfig): { config: PoolConfig; warnings: string[] } {
  const warnings: string[] = [];
  const total = config.servers.reduce((s, r) => s + r.weight, 0);
  let { quorum, hysteresis } = config;
  if (quorum > total && total > 0) {
    warnings.push(`quorum ${quorum} exceeds the total weight ${total}; using ${total}`);
    quorum = total;
  }
  if (hysteresis >= quorum) {
    warnings.push(`hysteresis ${hysteresis} must be below quorum ${quorum}; using ${quorum - 1}`);
    hysteresis = quorum - 1;
  }
  return { config: { ...config, quorum, hysteresis }, warnings };
}

const freshServer = (s: PoolServer): PoolServerState => ({ alive: !s.alpha, setWeight: null, addWeight: 0 });

/** A configured (not yet started) pool, or `give-up` naming every bad field. */
export function createPool(config: PoolConfig): Outcome<PoolState> {
  const errors = poolConfigErrors(config);
  if (errors.length > 0) return giveUp(`invalid virtual server: ${errors.join('; ')}`);
  return ok(initialPool(config));
}

/** A configured (not yet started) pool. Throws RangeError listing every problem if the config is bad. */
export function initialPool(config: PoolConfig): PoolState {
  const errors = poolConfigErrors(config);
  if (errors.length > 0) throw new RangeError(`invalid virtual server: ${errors.join('; ')}`);
  return {
    config,
    servers: new Map(config.servers.map((s) => [s.id, freshServer(s)])),
    quorumUp: false,
    sorryActive: false,
    phase: 'configured',
    suspended: false,
  };
}

export function effectiveWeight(server: PoolServer, st: PoolServerState): number {
  return realWeight((st.setWeight ?? server.weight) + st.addWeight);
}

export function weightSum(state: PoolState): number {
  let sum = 0;
  for (const s of state.config.servers) {
    const st = state.servers.get(s.id);
    if (st?.alive) sum += effectiveWeight(s, st);
  }
  return sum;
}

/** keepalived update_quorum_state: gain / lose quorum and swap the sorry server. */
function updateQuorum(state: PoolState, init: boolean, effects: PoolEffect[]): PoolState {
  const c = state.config;
  const sum = weightSum(state);
  const threshold = c.quorum + (state.quorumUp ? -1 : 1) * c.hysteresis;
  if (!state.quorumUp && sum >= threshold) {
    effects.push({
      kind: 'log',
      message: `Gained quorum ${c.quorum}+${c.hysteresis}=${threshold} <= ${sum}`,
    });
    if (c.quorumUp) effects.push({ kind: 'run-script', script: 'quorum_up', argv: c.quorumUp });
    effects.push({
      kind: 'notify-vs',
      up: true,
      message: init ? 'Starting with quorum up' : 'Gained quorum',
    });
    return { ...state, quorumUp: true, sorryActive: false };
  }
  const lost = state.quorumUp && (sum === 0 || sum < threshold);
  const startDown = init && !state.quorumUp && c.sorryServer !== undefined && !state.sorryActive;
  if (lost || startDown) {
    effects.push({
      kind: 'log',
      message: `${init ? 'Starting with quorum down' : 'Lost quorum'} ${c.quorum}-${c.hysteresis}=${threshold} > ${sum}`,
    });
    if (c.quorumDown) effects.push({ kind: 'run-script', script: 'quorum_down', argv: c.quorumDown });
    effects.push({
      kind: 'notify-vs',
      up: false,
      message: init ? 'Starting with quorum down' : 'Lost quorum',
    });
    return { ...state, quorumUp: false, sorryActive: c.sorryServer !== undefined };
  }
  return state;
}

const checkedIds = (c: PoolConfig): string[] => c.servers.map((s) => s.id);

export function stepPool(state: PoolState, event: PoolEvent): PoolStep {
  const effects: PoolEffect[] = [];
  switch (event.kind) {
    case 'start': {
      if (state.phase === 'running') return { state, effects };
      const c = state.config;
      let next: PoolState = { ...state, phase: 'running', sorryActive: false };
      // set_quorum_states, then update_quorum_state(init)
      next = { ...next, quorumUp: weightSum(next) >= c.quorum + c.hysteresis };
      next = updateQuorum(next, true, effects);
      if (c.haSuspend && !event.addressPresent) {
        next = { ...next, suspended: true };
        effects.push({ kind: 'suspend-checks', rs: checkedIds(c) });
      }
      return { state: next, effects };
    }
    case 'rs-alive':
    case 'rs-weight': {
      const server = state.config.servers.find((s) => s.id === event.rs);
      const prev = state.servers.get(event.rs);
      if (!server || !prev || state.phase === 'stopped') return { state, effects };
      const st: PoolServerState =
        event.kind === 'rs-alive'
          ? { ...prev, alive: event.alive }
          : { ...prev, setWeight: event.setWeight, addWeight: event.addWeight };
      if (st.alive === prev.alive && st.setWeight === prev.setWeight && st.addWeight === prev.addWeight) {
        return { state, effects };
      }
      const servers = new Map(state.servers);
      servers.set(event.rs, st);
      let next: PoolState = { ...state, servers };
      if (state.phase !== 'running') return { state: next, effects };
      if (event.kind === 'rs-alive') effects.push({ kind: 'notify-rs', rs: event.rs, up: event.alive });
      const weightChanged = effectiveWeight(server, st) !== effectiveWeight(server, prev);
      if (event.kind === 'rs-alive' || weightChanged) next = updateQuorum(next, false, effects);
      return { state: next, effects };
    }
    case 'address': {
      if (!state.config.haSuspend || state.phase !== 'running') return { state, effects };
      const suspended = !event.present;
      if (suspended === state.suspended) return { state, effects };
      effects.push({ kind: suspended ? 'suspend-checks' : 'resume-checks', rs: checkedIds(state.config) });
      return { state: { ...state, suspended }, effects };
    }
    case 'reload':
      return reloadPool(state, event.config);
    case 'stop': {
      if (state.phase === 'stopped') return { state, effects };
      const c = state.config;
      if (c.omega && state.phase === 'running') {
        for (const s of c.servers)
          if (state.servers.get(s.id)?.alive) effects.push({ kind: 'notify-rs', rs: s.id, up: false });
        if (c.quorumDown) effects.push({ kind: 'run-script', script: 'quorum_down', argv: c.quorumDown });
        effects.push({ kind: 'notify-vs', up: false, message: 'Shutting down' });
      }
      return { state: { ...state, phase: 'stopped', quorumUp: false, sorryActive: false }, effects };
    }
    default: {
      const never: never = event;
      return never;
    }
  }
}

/**
 * Reload: servers that stay keep their verdicts and dynamic weights; new servers start as at start-up
 * (alive unless alpha); removed servers leave the pool. The quorum state carries over and is
 * re-evaluated against the new quorum, as keepalived does after a reload.
 */
function reloadPool(state: PoolState, config: PoolConfig): PoolStep {
  const errors = poolConfigErrors(config);
  if (errors.length > 0) {
    return { state, effects: [{ kind: 'log', message: `reload refused: ${errors.join('; ')}` }] };
  }
  const effects: PoolEffect[] = [];
  const servers = new Map<string, PoolServerState>();
  for (const s of config.servers) servers.set(s.id, state.servers.get(s.id) ?? freshServer(s));
  let next: PoolState = { ...state, config, servers };
  if (state.phase !== 'running') return { state: next, effects };
  if (!config.sorryServer) next = { ...next, sorryActive: false };
  next = updateQuorum(next, true, effects);
  if (config.haSuspend !== state.config.haSuspend && !config.haSuspend && state.suspended) {
    next = { ...next, suspended: false };
    effects.push({ kind: 'resume-checks', rs: checkedIds(config) });
  }
  return { state: next, effects };
}

/** The destination set the data plane should hold now. */
export function desiredPool(state: PoolState): DesiredPool {
  const c = state.config;
  const destinations = new Map<string, number>();
  if (state.phase === 'stopped') return { services: [], destinations };
  const started = state.phase === 'running';
  for (const s of c.servers) {
    const st = state.servers.get(s.id);
    if (st === undefined) continue;
    if (started && st.alive && !state.sorryActive) destinations.set(s.id, effectiveWeight(s, st));
    else if (s.inhibit) destinations.set(s.id, 0);
  }
  const sorry = c.sorryServer;
  if (sorry && started) {
    if (state.sorryActive) destinations.set(sorry.id, realWeight(sorry.weight));
    else if (sorry.inhibit && !destinations.has(sorry.id)) destinations.set(sorry.id, 0);
  }
  return { services: c.services, destinations };
}

export type PoolOp =
  | { op: 'add'; id: string; weight: number }
  | { op: 'edit'; id: string; weight: number; from: number }
  | { op: 'remove'; id: string };

/** Destination changes from one desired pool to the next (removals first, then edits, then adds). */
export function diffPools(before: DesiredPool, after: DesiredPool): PoolOp[] {
  const removes: PoolOp[] = [];
  const edits: PoolOp[] = [];
  const adds: PoolOp[] = [];
  for (const id of before.destinations.keys())
    if (!after.destinations.has(id)) removes.push({ op: 'remove', id });
  for (const [id, weight] of after.destinations) {
    const was = before.destinations.get(id);
    if (was === undefined) adds.push({ op: 'add', id, weight });
    else if (was !== weight) edits.push({ op: 'edit', id, weight, from: was });
  }
  return [...removes, ...edits, ...adds];
}
