/**
 * The router reducer: all instances of one node behind one `step`, as the agent drives it. It demultiplexes
 * wire packets to instances (decoding with each instance's options), fans tracker events out, keeps sync
 * groups moving together (keepalived vrrp_sync.c), and numbers every notify in one sequence.
 */
import type { IpHeaderInfo } from '../codec/advert.ts';
import { IPPROTO_AH, splitAh, verifyAh } from '../codec/ah.ts';
import { passAuthData } from '../codec/auth.ts';
import { VRRP_IP_PROTOCOL } from '../codec/constants.ts';
import { decodeAdvert, type DecodeOptions } from '../codec/decode.ts';
import { bump, rejectStat, zeroStats, type VrrpStats } from '../codec/reject-reason.ts';
import { parseTimerId, type VrrpEffect } from '../fsm/effects.ts';
import type { InstanceEvent } from '../fsm/events.ts';
import type { TrackerStatus } from '../fsm/priority.ts';
import type { VrrpInstanceSpec } from '../fsm/spec.ts';
import { initialInstanceState, type InstanceState, type VrrpStateName } from '../fsm/state.ts';
import { step } from '../fsm/step.ts';
import { routerSpecErrors, type RouterSpec, type SyncGroupSpec } from './router-spec.ts';

export type RouterEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'shutdown' }
  /** A timer armed by an `arm-timer` effect fired; `id` is the effect's id. */
  | { readonly kind: 'timer'; readonly id: string }
  /** A VRRP message off the wire (IP payload) with its IP header fields and the receiving interface. */
  | {
      readonly kind: 'packet';
      readonly bytes: Uint8Array;
      readonly ip: IpHeaderInfo;
      readonly interface?: string;
      /**
       * The IPv4 header as received, options included. Needed for adverts inside an IPsec AH
       * (`ip.protocol` 51, `bytes` = AH + VRRP), whose ICV covers it; ignored otherwise.
       */
      readonly ipHeader?: Uint8Array;
    }
  /** A tracked object changed; every instance tracking `id` sees it. */
  | { readonly kind: 'tracker'; readonly id: string; readonly status: TrackerStatus }
  /** A tracked virtual route or rule of `instance` was deleted by someone else. */
  | { readonly kind: 'lost-virtual'; readonly instance: string; readonly what: string };

export interface RouterState {
  readonly spec: RouterSpec;
  readonly instances: Readonly<Record<string, InstanceState>>;
  /** Last notified aggregate state per sync group. */
  readonly groupStates: Readonly<Record<string, VrrpStateName>>;
  readonly notifySeq: number;
  /** Packets no instance took (unknown VRID, or refused before a VRID could be read). */
  readonly stats: VrrpStats;
  readonly reported: Readonly<Record<string, true>>;
}

export interface RouterStepResult {
  readonly state: RouterState;
  readonly effects: readonly VrrpEffect[];
}

export type CreateRouterResult = { ok: true; state: RouterState } | { ok: false; errors: string[] };

export function createRouter(spec: RouterSpec): CreateRouterResult {
  const errors = routerSpecErrors(spec);
  if (errors.length > 0) return { ok: false, errors };
  const grouped = new Set((spec.syncGroups ?? []).flatMap((g) => g.members));
  const instances: Record<string, InstanceState> = {};
  for (const i of spec.instances) instances[i.name] = initialInstanceState(i, grouped.has(i.name));
  return {
    ok: true,
    state: { spec, instances, groupStates: {}, notifySeq: 0, stats: zeroStats(), reported: {} },
  };
}

/** Decode options an instance asks for (its checksum mode and TTL rule). */
export function decodeOptionsFor(spec: VrrpInstanceSpec): DecodeOptions {
  const ttl = spec.unicastPeers.length === 0 ? 'require-255' : (spec.unicastTtl ?? 'any');
  return { checksumAsV2: spec.checksumAsV2, ttl };
}

interface Ctx {
  instances: Record<string, InstanceState>;
  effects: VrrpEffect[];
  stats: VrrpStats;
  reported: Record<string, true>;
  readonly now: number;
}

function run(ctx: Ctx, name: string, event: InstanceEvent): void {
  const s = ctx.instances[name];
  if (!s) return;
  const r = step(s, event, ctx.now);
  ctx.instances[name] = r.state;
  ctx.effects.push(...r.effects);
}

/** Apply the sync-group rules until nothing moves. `before`: member states before this event. */
function settleGroup(ctx: Ctx, group: SyncGroupSpec, before: Readonly<Record<string, InstanceState>>): void {
  const member = (m: string): InstanceState | undefined => ctx.instances[m];
  for (let round = 0; round < 4; round++) {
    const snapshot = JSON.stringify(group.members.map((m) => [member(m)?.state, member(m)?.syncFault]));
    // One member's own fault puts every member in FAULT; when none has one, the imposed faults lift.
    const anyOwnFault = group.members.some((m) => (member(m)?.faults.length ?? 0) > 0);
    for (const m of group.members) {
      const s = member(m);
      if (!s) continue;
      if (anyOwnFault && !s.syncFault && s.faults.length === 0)
        run(ctx, m, { kind: 'sync', action: 'fault' });
      if (!anyOwnFault && s.syncFault) run(ctx, m, { kind: 'sync', action: 'clear-fault' });
    }
    // One member leaving MASTER for BACKUP drags the other masters to BACKUP.
    const dropped = group.members.some((m) => before[m]?.state === 'MASTER' && member(m)?.state === 'BACKUP');
    if (dropped)
      for (const m of group.members)
        if (member(m)?.state === 'MASTER') run(ctx, m, { kind: 'sync', action: 'backup' });
    // MASTER only when every member wants it ("prefer backup to avoid thrashing").
    const states = group.members.map(member);
    const ready = states.every((s) => s && (s.state === 'MASTER' || (s.state === 'BACKUP' && s.wantMaster)));
    if (ready && states.some((s) => s?.wantMaster))
      for (const m of group.members)
        if (member(m)?.wantMaster) run(ctx, m, { kind: 'sync', action: 'master' });
    const after = JSON.stringify(group.members.map((m) => [member(m)?.state, member(m)?.syncFault]));
    if (after === snapshot) return;
  }
}

function aggregate(states: readonly (InstanceState | undefined)[]): VrrpStateName {
  const names = states.map((s) => s?.state ?? 'INIT');
  if (names.every((n) => n === 'STOP')) return 'STOP';
  if (names.includes('FAULT')) return 'FAULT';
  if (names.every((n) => n === 'MASTER')) return 'MASTER';
  if (names.every((n) => n === 'INIT')) return 'INIT';
  return 'BACKUP';
}

function dispatch(ctx: Ctx, spec: RouterSpec, event: RouterEvent): void {
  switch (event.kind) {
    case 'start':
    case 'shutdown':
      for (const i of spec.instances) run(ctx, i.name, { kind: event.kind });
      return;
    case 'timer': {
      const t = parseTimerId(event.id);
      if (t) run(ctx, t.instance, { kind: 'timer', timer: t.timer });
      return;
    }
    case 'tracker':
      for (const i of spec.instances)
        if (i.trackers.some((t) => t.id === event.id))
          run(ctx, i.name, { kind: 'tracker', id: event.id, status: event.status });
      return;
    case 'packet':
      receivePacket(ctx, spec, event);
      return;
    case 'lost-virtual':
      run(ctx, event.instance, { kind: 'lost-virtual', what: event.what });
      return;
    default: {
      const never: never = event;
      return never;
    }
  }
}

function receivePacket(ctx: Ctx, spec: RouterSpec, packet: Extract<RouterEvent, { kind: 'packet' }>): void {
  let e = packet;
  let ahFields: { spi: number; seq: number } | undefined;
  if (packet.ip.protocol === IPPROTO_AH && packet.ip.family === 'ipv4') {
    // keepalived vrrp_get_header / vrrp_check_packet: VRRP follows the AH; an AH for another protocol is dropped.
    const split = splitAh(packet.bytes);
    if (!split.ok) {
      ctx.stats = bump(ctx.stats, rejectStat[split.reason]);
      return;
    }
    if (split.nextHeader !== VRRP_IP_PROTOCOL) return;
    ahFields = { spi: split.spi, seq: split.seq };
    e = { ...packet, bytes: split.vrrp, ip: { ...packet.ip, protocol: VRRP_IP_PROTOCOL } };
  }
  const vrid = e.bytes.length >= 2 ? e.bytes[1] : undefined;
  const candidates = spec.instances.filter(
    (i) =>
      i.vrid === vrid &&
      i.family === e.ip.family &&
      (i.interface === undefined || e.interface === undefined || i.interface === e.interface),
  );
  const target =
    candidates.find((i) => i.unicastPeers.includes(e.ip.src)) ??
    candidates.find((i) => i.unicastPeers.length === 0) ??
    candidates[0];
  if (!target) {
    const r = decodeAdvert(e.bytes, e.ip);
    if (!r.ok) ctx.stats = bump(ctx.stats, rejectStat[r.reason]);
    else {
      ctx.stats = bump(ctx.stats, 'vrid_err');
      const key = `unknown-vrid:${e.ip.src}:${r.packet.advert.vrid}`;
      if (!ctx.reported[key] && Object.keys(ctx.reported).length < 256) {
        ctx.reported[key] = true;
        ctx.effects.push({
          kind: 'report',
          instance: '',
          report: { kind: 'unknown-vrid', from: e.ip.src, vrid: r.packet.advert.vrid },
        });
      }
    }
    return;
  }
  const r = decodeAdvert(e.bytes, e.ip, decodeOptionsFor(target));
  if (!r.ok) {
    run(ctx, target.name, { kind: 'rejected', reason: r.reason, from: e.ip.src });
    return;
  }
  if (!ahFields) {
    run(ctx, target.name, { kind: 'advert', packet: r.packet });
    return;
  }
  // The ICV needs the instance's key; an instance without AH refuses the advert (authtype-mismatch).
  const verdict =
    target.auth.type === 'ah' && packet.ipHeader
      ? verifyAh(
          packet.ipHeader,
          packet.bytes,
          passAuthData(target.auth.password),
          target.unicastPeers.length > 0,
        )
      : { icvOk: false, spiOk: false };
  run(ctx, target.name, { kind: 'advert', packet: { ...r.packet, ah: { ...ahFields, ...verdict } } });
}

export function stepRouter(state: RouterState, event: RouterEvent, now: number): RouterStepResult {
  const ctx = contextOf(state, now);
  dispatch(ctx, state.spec, event);
  return finish(state, state.spec, ctx, event.kind !== 'shutdown');
}

function contextOf(state: RouterState, now: number): Ctx {
  return {
    instances: { ...state.instances },
    effects: [],
    stats: state.stats,
    reported: { ...state.reported },
    now,
  };
}

/** Sync-group rules, group notifies, and one notify sequence for everything the step produced. */
function finish(state: RouterState, spec: RouterSpec, ctx: Ctx, settle: boolean): RouterStepResult {
  if (settle) for (const g of spec.syncGroups ?? []) settleGroup(ctx, g, state.instances);
  const groupStates: Record<string, VrrpStateName> = {};
  const groupNotifies: VrrpEffect[] = [];
  for (const g of spec.syncGroups ?? []) {
    const previous = state.groupStates[g.name];
    if (previous !== undefined) groupStates[g.name] = previous;
    const agg = aggregate(g.members.map((m) => ctx.instances[m]));
    if (agg === 'INIT' || agg === previous) continue;
    groupStates[g.name] = agg;
    groupNotifies.push({
      kind: 'notify',
      seq: 0,
      target: { type: 'group', name: g.name },
      what: agg,
      priority: 0,
    });
  }
  let seq = state.notifySeq;
  const effects = [...ctx.effects, ...groupNotifies].map((fx) =>
    fx.kind === 'notify' ? { ...fx, seq: ++seq } : fx,
  );
  return {
    state: {
      spec,
      instances: ctx.instances,
      groupStates,
      notifySeq: seq,
      stats: ctx.stats,
      reported: ctx.reported,
    },
    effects,
  };
}

/** Same instance across a reload: what the wire and the peers know it by. */
function sameIdentity(a: VrrpInstanceSpec, b: VrrpInstanceSpec): boolean {
  const peers = (s: VrrpInstanceSpec) => [...s.unicastPeers].sort().join(',');
  return (
    a.vrid === b.vrid &&
    a.family === b.family &&
    a.version === b.version &&
    a.interface === b.interface &&
    a.sourceIp === b.sourceIp &&
    peers(a) === peers(b)
  );
}

export type ReloadResult =
  | {
      ok: true;
      state: RouterState;
      effects: readonly VrrpEffect[];
      /** Kept their state (settings may have changed). */
      kept: string[];
      /** New, or changed identity (VRID, family, version, interface, addresses): started afresh in BACKUP. */
      started: string[];
      /** Gone, or replaced because their identity changed: priority 0 if master, VIPs removed, notify DELETED. */
      removed: string[];
    }
  | { ok: false; errors: string[] };

/**
 * SIGHUP: move to a new router spec as keepalived does. Instances with the same name and identity keep
 * their state and take the new settings (a master applies the VIP difference); others leave and start
 * afresh. An invalid spec changes nothing.
 */
export function reloadRouter(state: RouterState, spec: RouterSpec, now: number): ReloadResult {
  const errors = routerSpecErrors(spec);
  if (errors.length > 0) return { ok: false, errors };
  const grouped = new Set((spec.syncGroups ?? []).flatMap((g) => g.members));
  const ctx = contextOf(state, now);
  const next = new Map(spec.instances.map((i) => [i.name, i]));
  const kept: string[] = [];
  const started: string[] = [];
  const removed: string[] = [];
  for (const [name, s] of Object.entries(state.instances)) {
    const n = next.get(name);
    if (n && sameIdentity(s.spec, n)) continue;
    run(ctx, name, { kind: 'remove' });
    delete ctx.instances[name];
    removed.push(name);
  }
  for (const i of spec.instances) {
    if (ctx.instances[i.name]) {
      run(ctx, i.name, { kind: 'reconfigure', spec: i, inSyncGroup: grouped.has(i.name) });
      kept.push(i.name);
    } else {
      ctx.instances[i.name] = initialInstanceState(i, grouped.has(i.name));
      run(ctx, i.name, { kind: 'start' });
      started.push(i.name);
    }
  }
  return { ok: true, ...finish(state, spec, ctx, true), kept, started, removed };
}
