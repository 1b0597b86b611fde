// Both LB data planes give every real server the same share: the nftables slot maps against core/lb's
// model of the kernel's schedulers (the one the IPVS conformance tests check). The model is built as the
// agent builds an IPVS service (one add per real server, in config order); the nftables plane receives
// the destination list as IPVS lists it. rr and wrr: one cycle of the nftables map is the model's pick
// sequence. sh, dh and mh: for 4,096 clients, the nftables bucket the kernel's own hash of the client
// points at holds the server the model schedules (nftables reaches its bucket through jhash instead, so
// only the choice of bucket differs), and each server owns the same number of buckets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LbDestination, LbService } from '../../../../core/ports/index.ts';
import {
  MH_HASH1,
  MH_TAB_SIZE,
  createVirtualService,
  dhHashKey,
  mhHashKey,
  parseAddress,
  shHashKey,
  type SchedulerName,
} from '../../../../core/lb/index.ts';
import { slotMap } from '../../../../adapters/onprem/nft/schedule-map.ts';

const servers = [
  { addr: '10.1.0.1', port: 80, weight: 5 },
  { addr: '10.1.0.2', port: 80, weight: 1 },
  { addr: '10.1.0.3', port: 8080, weight: 3 },
  { addr: 'fd00::4', port: 80, weight: 2 },
  { addr: '10.1.0.5', port: 80, weight: 0 },
];

/** The model as the agent programs IPVS, and the nftables plane's service with the kernel's list. */
function both(scheduler: SchedulerName) {
  const model = createVirtualService({ scheduler, port: 80, fwmark: 0 });
  servers.forEach((s, i) => model.addServer({ id: i, ...s }));
  const order = model.servers().map((s) => s.id as number);
  const dests: LbDestination[] = order.map((i) => {
    const s = servers[i]!;
    return {
      addr: s.addr,
      port: s.port,
      family: s.addr.includes(':') ? 'inet6' : 'inet',
      forwarding: 'nat',
      weight: s.weight,
      uThreshold: 0,
      lThreshold: 0,
      tunnel: null,
    };
  });
  const svc: LbService = {
    key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 },
    scheduler,
    flags: { flag1: false, flag2: false, flag3: false },
    onePacket: false,
    persistence: null,
    destinations: dests,
  };
  const map = slotMap(svc);
  assert.ok(map);
  /** nftables slot -> the config index of its server. */
  const owner = (slot: number): number | null => {
    const i = map.slots[slot];
    return i === null || i === undefined ? null : (order[i] ?? null);
  };
  return { model, map, owner };
}

const request = (saddr: string) => ({ saddr, daddr: '10.0.0.100', sport: 40000, dport: 80, proto: 'tcp' });
const clients = Array.from({ length: 4096 }, (_, k) => `198.51.${k >> 8}.${k & 255}`);

const shares = (ids: ReadonlyArray<number | null>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const id of ids) if (id !== null) out[String(id)] = (out[String(id)] ?? 0) + 1;
  return out;
};

for (const scheduler of ['rr', 'wrr'] as const) {
  test(`${scheduler}: one cycle of the nftables map is the model's pick sequence`, () => {
    const { model, map, owner } = both(scheduler);
    const picks = map.slots.map(() => model.schedule(request('198.51.100.1')) as number | null);
    assert.deepEqual(
      map.slots.map((_, slot) => owner(slot)),
      picks,
    );
    const want = scheduler === 'rr' ? { 0: 1, 1: 1, 2: 1, 3: 1 } : { 0: 5, 1: 1, 2: 3, 3: 2 };
    assert.deepEqual(shares(picks), Object.fromEntries(Object.entries(want).map(([k, v]) => [k, v])));
  });
}

const kernelBucket: Record<'sh' | 'dh' | 'mh', (client: string) => number> = {
  sh: (c) => shHashKey(parseAddress(c, 'saddr').fold, 0, 0),
  // dh hashes the destination; the request's daddr is fixed, so every client shares one bucket
  dh: () => dhHashKey(parseAddress('10.0.0.100', 'daddr').fold),
  mh: (c) => mhHashKey(parseAddress(c, 'saddr').fold, 0, MH_HASH1, 0) % MH_TAB_SIZE,
};

for (const scheduler of ['sh', 'dh', 'mh'] as const) {
  test(`${scheduler}: the nftables bucket table is the kernel's, so each client goes where IPVS sends it`, () => {
    const { model, map, owner } = both(scheduler);
    assert.equal(map.slots.length, scheduler === 'mh' ? MH_TAB_SIZE : 256);
    for (const c of clients) {
      assert.equal(owner(kernelBucket[scheduler](c)), model.schedule(request(c)), `client ${c}`);
    }
    const table = model.table();
    assert.ok(table);
    const available = (id: number | string | null) =>
      id !== null && (servers[id as number]?.weight ?? 0) > 0 ? (id as number) : null;
    assert.deepEqual(
      shares(map.slots.map((_, slot) => owner(slot))),
      shares(table.map(available)),
      'each server owns the same number of buckets',
    );
  });
}
