/**
 * The LB planner: desired table vs the data plane's current table -> the ordered operations that turn one
 * into the other. Pure. It never flushes: untouched services and destinations are left alone, so their
 * connections and counters survive (keepalived's ipwrapper does the same with ADD/EDIT/DEL_DEST).
 *
 * Order:
 *   1. set-timeouts, when the desired table names timeouts that differ
 *   2. delete-service for every service no longer desired
 *   3. per desired service, in desired order:
 *        new:      add-service, then add-dest for each destination in desired order
 *        existing: edit-service if scheduler/flags/persistence changed,
 *                  add-dest (new), edit-dest (changed), then delete-dest (gone)
 *      Adding before deleting keeps a pool from going empty while a destination is replaced.
 */
import type {
  LbCapabilities,
  LbDestination,
  LbOp,
  LbService,
  LbServiceKey,
  LbTable,
  LbTimeouts,
} from '../ports/index.ts';
import type { Outcome } from '../model/index.ts';
import { giveUp, ok } from '../model/index.ts';
import { destId, serviceId, unsupported } from '../model/index.ts';
import { validateTable } from './plan-validate.ts';

type ServiceHead = Omit<LbService, 'destinations'>;

function head(svc: LbService): ServiceHead {
  return {
    key: svc.key,
    scheduler: svc.scheduler,
    flags: svc.flags,
    onePacket: svc.onePacket,
    persistence: svc.persistence,
  };
}

/** The fields SET_SERVICE rewrites; counters and list order do not count. */
export function sameServiceSettings(a: ServiceHead, b: ServiceHead): boolean {
  const pa = a.persistence;
  const pb = b.persistence;
  const samePersistence =
    pa === null || pb === null
      ? pa === pb
      : pa.timeout === pb.timeout && pa.prefix === pb.prefix && pa.engine === pb.engine;
  return (
    a.scheduler === b.scheduler &&
    a.flags.flag1 === b.flags.flag1 &&
    a.flags.flag2 === b.flags.flag2 &&
    a.flags.flag3 === b.flags.flag3 &&
    a.onePacket === b.onePacket &&
    samePersistence
  );
}

/** The fields SET_DEST rewrites. */
export function sameDestSettings(a: LbDestination, b: LbDestination): boolean {
  const ta = a.tunnel;
  const tb = b.tunnel;
  const sameTunnel =
    ta === null || tb === null
      ? ta === tb
      : ta.type === tb.type && ta.port === tb.port && ta.csum === tb.csum;
  return (
    a.forwarding === b.forwarding &&
    a.weight === b.weight &&
    a.uThreshold === b.uThreshold &&
    a.lThreshold === b.lThreshold &&
    sameTunnel
  );
}

function sameTimeouts(a: LbTimeouts, b: LbTimeouts | undefined): boolean {
  // 0 means "leave unchanged" in IPVS, so a desired 0 always matches.
  if (!b) return false;
  return (
    (a.tcp === 0 || a.tcp === b.tcp) &&
    (a.tcpFin === 0 || a.tcpFin === b.tcpFin) &&
    (a.udp === 0 || a.udp === b.udp)
  );
}

/** Strips counters so ops carry settings only. */
function settingsOf(d: LbDestination): LbDestination {
  return {
    addr: d.addr,
    port: d.port,
    family: d.family,
    forwarding: d.forwarding,
    weight: d.weight,
    uThreshold: d.uThreshold,
    lThreshold: d.lThreshold,
    tunnel: d.tunnel,
  };
}

function planDests(key: LbServiceKey, want: LbDestination[], have: LbDestination[]): LbOp[] {
  const haveById = new Map(have.map((d) => [destId(d), d]));
  const wantIds = new Set(want.map(destId));
  const adds: LbOp[] = [];
  const edits: LbOp[] = [];
  for (const d of want) {
    const cur = haveById.get(destId(d));
    if (!cur) adds.push({ kind: 'add-dest', service: key, dest: settingsOf(d) });
    else if (!sameDestSettings(d, cur)) edits.push({ kind: 'edit-dest', service: key, dest: settingsOf(d) });
  }
  const deletes: LbOp[] = have
    .filter((d) => !wantIds.has(destId(d)))
    .map((d) => ({
      kind: 'delete-dest',
      service: key,
      dest: { addr: d.addr, port: d.port, family: d.family },
    }));
  return [...adds, ...edits, ...deletes];
}

/**
 * Plans the change from `current` to `desired`. `give-up` (and no ops) when the desired table is invalid,
 * or when `caps` is given and the data plane cannot express part of it.
 */
export function planLb(
  desired: LbTable,
  current: LbTable,
  caps?: LbCapabilities,
  plane = 'selected',
): Outcome<LbOp[]> {
  const invalid = validateTable(desired);
  if (invalid) return giveUp(invalid);
  if (caps) {
    const missing = unsupported(desired, caps, plane);
    if (missing) return giveUp(missing);
  }
  const ops: LbOp[] = [];
  if (desired.timeouts && !sameTimeouts(desired.timeouts, current.timeouts)) {
    ops.push({ kind: 'set-timeouts', timeouts: desired.timeouts });
  }
  const currentById = new Map(current.services.map((s) => [serviceId(s.key), s]));
  const desiredIds = new Set(desired.services.map((s) => serviceId(s.key)));
  for (const svc of current.services) {
    if (!desiredIds.has(serviceId(svc.key))) ops.push({ kind: 'delete-service', key: svc.key });
  }
  for (const svc of desired.services) {
    const cur = currentById.get(serviceId(svc.key));
    if (!cur) {
      ops.push({ kind: 'add-service', service: head(svc) });
      ops.push(...planDests(svc.key, svc.destinations, []));
      continue;
    }
    if (!sameServiceSettings(svc, cur)) ops.push({ kind: 'edit-service', service: head(svc) });
    ops.push(...planDests(svc.key, svc.destinations, cur.destinations));
  }
  return ok(ops);
}
