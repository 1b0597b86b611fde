/**
 * One BFD session (rfc5880 §6.2, §6.8), asynchronous mode, as a reducer: step(state, event, now, random)
 * -> { state, effects }. Timers are data: the state holds the next transmit and detection deadlines and the
 * effects arm or cancel them; the shell fires `tx-due` / `detect-expired` back in. Defaults are keepalived's
 * (bfd_instance: min_rx 10 ms, min_tx 10 ms, idle_tx 1000 ms, multiplier 5).
 *
 *                             +--+
 *                             |  | UP, ADMIN DOWN, TIMER
 *                             |  V
 *                     DOWN  +------+  INIT
 *              +------------|      |------------+
 *              |            | DOWN |            |
 *              |  +-------->|      |<--------+  |
 *              |  |         +------+         |  |
 *              |  |                          |  |
 *              |  |               ADMIN DOWN,|  |
 *              |  |ADMIN DOWN,          DOWN,|  |
 *              |  |TIMER                TIMER|  |
 *              V  |                          |  V
 *            +------+                      +------+
 *       +----|      |                      |      |----+
 *   DOWN|    | INIT |--------------------->|  UP  |    |INIT, UP
 *       +--->|      | INIT, UP             |      |<---+
 *            +------+                      +------+
 *
 * (rfc5880 §6.2; events are the remote's state in a received packet, or the detection TIMER.)
 *
 * Transmission (rfc5880 §6.8.7): every max(DesiredMinTx, RemoteMinRx), less 0-25 % random jitter (10-25 %
 * when DetectMult is 1). While the session is not Up, DesiredMinTx is keepalived's idle_tx (1 s, rfc5880
 * §6.8.3 "not less than one second"); going Up or leaving Up changes it and starts a Poll Sequence (§6.5).
 * Detection time (§6.8.4): the remote's DetectMult × max(our RequiredMinRx, the remote's DesiredMinTx),
 * restarted on every accepted packet while Init or Up. A passive session (§6.1) sends nothing until it has
 * heard from the neighbor.
 */
import type { Random } from '../ports/index.ts';
import { BfdDiag, type BfdControl, type BfdState } from './codec.ts';

export interface BfdSessionConfig {
  /** bfd_instance name, for logs and notifications. */
  name: string;
  /** Our non-zero discriminator (rfc5880 §6.8.1 bfd.LocalDiscr), chosen at random by the shell. */
  localDiscr: number;
  /** min_tx, milliseconds: DesiredMinTxInterval while Up. */
  minTxMs: number;
  /** min_rx, milliseconds: RequiredMinRxInterval. */
  minRxMs: number;
  /** idle_tx, milliseconds: DesiredMinTxInterval while not Up. */
  idleTxMs: number;
  /** multiplier: our DetectMult. */
  detectMult: number;
  /** passive: send nothing until the neighbor has been heard. */
  passive: boolean;
}

/** Defaults of keepalived's bfd_instance (keepalived.md §1.4). */
export const bfdDefaults = {
  minTxMs: 10,
  minRxMs: 10,
  idleTxMs: 1000,
  detectMult: 5,
  passive: false,
} as const;

export interface BfdSession {
  config: BfdSessionConfig;
  /** bfd.SessionState. */
  state: BfdState;
  /** bfd.LocalDiag. */
  diag: number;
  /** bfd.RemoteSessionState. */
  remoteState: BfdState;
  /** bfd.RemoteDiscr; 0 = unknown. */
  remoteDiscr: number;
  /** bfd.RemoteMinRxInterval, µs (initialised to 1, rfc5880 §6.8.1). */
  remoteMinRxUs: number;
  /** The remote's last Desired Min TX Interval, µs. */
  remoteMinTxUs: number;
  /** The remote's last Detect Mult. */
  remoteDetectMult: number;
  /** bfd.RemoteDemandMode. */
  remoteDemand: boolean;
  /** Desired Min TX we currently advertise, µs. */
  desiredMinTxUs: number;
  /** A Poll Sequence is running: periodic packets carry P until a Final arrives. */
  polling: boolean;
  /** A packet has been received since start or the last expiry (passive sessions wait for it). */
  heard: boolean;
  /** Monotonic ms of the next periodic transmission; undefined = not transmitting. */
  txAtMs: number | undefined;
  /** Monotonic ms at which the detection time runs out; undefined = not armed. */
  detectAtMs: number | undefined;
}

export type BfdTimer = 'tx' | 'detect';

export type BfdSessionEvent =
  | { kind: 'start' }
  | { kind: 'receive'; packet: BfdControl }
  | { kind: 'tx-due' }
  | { kind: 'detect-expired' }
  | { kind: 'admin-down' }
  | { kind: 'admin-up' };

export type BfdSessionEffect =
  | { kind: 'send'; packet: BfdControl }
  | { kind: 'arm-timer'; timer: BfdTimer; atMs: number }
  | { kind: 'cancel-timer'; timer: BfdTimer }
  | { kind: 'state-changed'; from: BfdState; to: BfdState; diag: number };

export interface BfdStepResult {
  session: BfdSession;
  effects: BfdSessionEffect[];
}

const ms = (us: number) => us / 1000;
const idleUs = (c: BfdSessionConfig) => Math.max(c.minTxMs, c.idleTxMs) * 1000;

/** A new session in Down, not yet transmitting (send it `start`). */
export function createBfdSession(config: BfdSessionConfig): BfdSession {
  return {
    config,
    state: 'Down',
    diag: BfdDiag.none,
    remoteState: 'Down',
    remoteDiscr: 0,
    remoteMinRxUs: 1,
    remoteMinTxUs: 0,
    remoteDetectMult: 0,
    remoteDemand: false,
    desiredMinTxUs: idleUs(config),
    polling: false,
    heard: false,
    txAtMs: undefined,
    detectAtMs: undefined,
  };
}

/**
 * rfc5880 §6.8.6 state table: the local state and the remote's state in an accepted packet give the next
 * local state (undefined = stay). AdminDown from the remote is handled before the table.
 */
const transitions: { [S in BfdState]: (remote: BfdState) => { to: BfdState; diag: number } | undefined } = {
  AdminDown: () => undefined,
  Down: (r) =>
    r === 'Down'
      ? { to: 'Init', diag: BfdDiag.none }
      : r === 'Init'
        ? { to: 'Up', diag: BfdDiag.none }
        : undefined,
  Init: (r) => (r === 'Init' || r === 'Up' ? { to: 'Up', diag: BfdDiag.none } : undefined),
  Up: (r) => (r === 'Down' ? { to: 'Down', diag: BfdDiag.neighborDown } : undefined),
};

/** The periodic transmission interval in ms (rfc5880 §6.8.7), or undefined when none is due. */
export function txIntervalMs(s: BfdSession): number | undefined {
  if (s.remoteMinRxUs === 0) return undefined; // the remote asked us not to send
  if (s.remoteDemand && s.state === 'Up' && s.remoteState === 'Up') return undefined; // §6.6 demand mode
  return ms(Math.max(s.desiredMinTxUs, s.remoteMinRxUs));
}

/** rfc5880 §6.8.4: the detection time in ms for the session as it stands. */
export function detectionTimeMs(s: BfdSession): number {
  return s.remoteDetectMult * ms(Math.max(s.config.minRxMs * 1000, s.remoteMinTxUs));
}

/** rfc5880 §6.8.7: the interval reduced by 0-25 % (10-25 % with DetectMult 1). */
function jittered(intervalMs: number, detectMult: number, random: Random): number {
  const min = detectMult === 1 ? 0.1 : 0;
  return intervalMs * (1 - (min + (0.25 - min) * random.float()));
}

function packetOf(s: BfdSession, flags: { poll: boolean; final: boolean }): BfdControl {
  return {
    diag: s.diag,
    state: s.state,
    poll: flags.poll,
    final: flags.final,
    cpi: false,
    auth: false,
    demand: false,
    multipoint: false,
    detectMult: s.config.detectMult,
    myDiscr: s.config.localDiscr,
    yourDiscr: s.remoteDiscr,
    desiredMinTxUs: s.desiredMinTxUs,
    requiredMinRxUs: s.config.minRxMs * 1000,
    requiredMinEchoRxUs: 0,
  };
}

const maySend = (s: BfdSession) => !s.config.passive || s.heard;

/** Moves to `to`; DesiredMinTx follows (fast only while Up), a change starts a Poll Sequence. */
function enter(s: BfdSession, to: BfdState, diag: number, fx: BfdSessionEffect[]): BfdSession {
  if (to === s.state) return s;
  const desired = to === 'Up' ? s.config.minTxMs * 1000 : idleUs(s.config);
  const next: BfdSession = { ...s, state: to, diag };
  if (desired !== s.desiredMinTxUs) {
    next.desiredMinTxUs = desired;
    next.polling = to === 'Up'; // a slower rate needs no poll: the session is no longer Up
  }
  if (to !== 'Up') next.polling = false;
  fx.push({ kind: 'state-changed', from: s.state, to, diag });
  return next;
}

/** Arms or cancels the timers whose deadline changed. */
function timerEffects(prev: BfdSession, next: BfdSession, fx: BfdSessionEffect[]): void {
  for (const [timer, a, b] of [
    ['tx', prev.txAtMs, next.txAtMs],
    ['detect', prev.detectAtMs, next.detectAtMs],
  ] as const) {
    if (a === b) continue;
    if (b === undefined) fx.push({ kind: 'cancel-timer', timer });
    else fx.push({ kind: 'arm-timer', timer, atMs: b });
  }
}

function scheduleTx(s: BfdSession, now: number, random: Random): BfdSession {
  const interval = txIntervalMs(s);
  if (interval === undefined || !maySend(s)) return { ...s, txAtMs: undefined };
  const due = now + jittered(interval, s.config.detectMult, random);
  if (s.txAtMs === undefined || s.txAtMs > due) return { ...s, txAtMs: due };
  return s;
}

/** Sends a periodic packet now (if sending is allowed) and schedules the next one. */
function transmit(s: BfdSession, now: number, random: Random, fx: BfdSessionEffect[]): BfdSession {
  if (!maySend(s) || txIntervalMs(s) === undefined) return { ...s, txAtMs: undefined };
  fx.push({ kind: 'send', packet: packetOf(s, { poll: s.polling, final: false }) });
  return scheduleTx({ ...s, txAtMs: undefined }, now, random);
}

function receive(s0: BfdSession, p: BfdControl, now: number, random: Random, fx: BfdSessionEffect[]) {
  // rfc5880 §6.8.6, after the checks of decodeBfdControl and the demultiplexer.
  let s: BfdSession = {
    ...s0,
    remoteDiscr: p.myDiscr,
    remoteState: p.state,
    remoteDemand: p.demand,
    remoteMinRxUs: p.requiredMinRxUs,
    remoteMinTxUs: p.desiredMinTxUs,
    remoteDetectMult: p.detectMult,
    heard: true,
  };
  if (p.final) s.polling = false;
  if (s.state === 'AdminDown') return s;
  const before = s.state;
  if (p.state === 'AdminDown') {
    if (s.state !== 'Down') s = enter(s, 'Down', BfdDiag.neighborDown, fx);
  } else {
    const t = transitions[s.state](p.state);
    if (t) s = enter(s, t.to, t.diag, fx);
  }
  s.detectAtMs = s.state === 'Init' || s.state === 'Up' ? now + detectionTimeMs(s) : undefined;
  const changed = s.state !== before;
  // Answer a Poll at once with a Final (§6.5), and tell the neighbour of a state change without waiting
  // for the next slow tick (it speeds up session establishment; §6.8.7 allows extra packets).
  if (p.poll) fx.push({ kind: 'send', packet: packetOf(s, { poll: false, final: true }) });
  else if (changed && maySend(s))
    fx.push({ kind: 'send', packet: packetOf(s, { poll: s.polling, final: false }) });
  return scheduleTx(s, now, random);
}

/** One step of the session. Pure: time and randomness come in as arguments. */
export function stepBfdSession(
  s: BfdSession,
  event: BfdSessionEvent,
  now: number,
  random: Random,
): BfdStepResult {
  const fx: BfdSessionEffect[] = [];
  let next: BfdSession;
  switch (event.kind) {
    case 'start':
      next = transmit(s, now, random, fx);
      break;
    case 'receive':
      next = receive(s, event.packet, now, random, fx);
      break;
    case 'tx-due':
      next = s.txAtMs === undefined ? s : transmit(s, now, random, fx);
      break;
    case 'detect-expired': {
      // §6.8.4: no packet for a detection time: Down (diag 1) and forget the remote's discriminator.
      let n: BfdSession = { ...s, detectAtMs: undefined, remoteDiscr: 0, remoteState: 'Down' };
      if (s.state === 'Init' || s.state === 'Up') n = enter(n, 'Down', BfdDiag.detectExpired, fx);
      n.remoteMinRxUs = 1;
      n.remoteDemand = false;
      n.heard = false;
      next = scheduleTx(n, now, random);
      break;
    }
    case 'admin-down': {
      const n = { ...enter(s, 'AdminDown', BfdDiag.adminDown, fx), detectAtMs: undefined };
      next = n.state !== s.state ? transmit(n, now, random, fx) : n;
      break;
    }
    case 'admin-up': {
      next = s.state === 'AdminDown' ? transmit(enter(s, 'Down', BfdDiag.none, fx), now, random, fx) : s;
      break;
    }
    default: {
      const never: never = event;
      throw new Error(`unknown BFD event ${(never as { kind: string }).kind}`);
    }
  }
  timerEffects(s, next, fx);
  return { session: next, effects: fx };
}
