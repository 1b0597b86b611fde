import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type PoolConfig,
  type PoolEffect,
  type PoolEvent,
  type PoolState,
  clampPoolConfig,
  desiredPool,
  diffPools,
  initialPool,
  stepPool,
} from '../../../core/lb/rules.ts';
import type { LbServiceKey } from '../../../core/ports/index.ts';

const svc: LbServiceKey = { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 };

function config(over: Partial<PoolConfig> = {}): PoolConfig {
  return {
    services: [svc],
    servers: [
      { id: 'a', weight: 3, inhibit: false, alpha: false },
      { id: 'b', weight: 2, inhibit: false, alpha: false },
      { id: 'c', weight: 2, inhibit: false, alpha: false },
    ],
    quorum: 1,
    hysteresis: 0,
    omega: false,
    haSuspend: false,
    ...over,
  };
}

function run(state: PoolState, ...events: PoolEvent[]) {
  const effects: PoolEffect[] = [];
  for (const e of events) {
    const r = stepPool(state, e);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects, pool: Object.fromEntries(desiredPool(state).destinations) };
}

const down = (rs: string): PoolEvent => ({ kind: 'rs-alive', rs, alive: false });
const up = (rs: string): PoolEvent => ({ kind: 'rs-alive', rs, alive: true });
const start: PoolEvent = { kind: 'start', addressPresent: true };
const scripts = (effects: PoolEffect[]) =>
  effects.flatMap((e) => (e.kind === 'run-script' ? [e.script] : []));

test('alive servers are in the pool at their weight; a failed one is removed', () => {
  const r = run(initialPool(config()), start, down('b'));
  assert.deepEqual(r.pool, { a: 3, c: 2 });
  assert.deepEqual(
    r.effects.filter((e) => e.kind === 'notify-rs'),
    [{ kind: 'notify-rs', rs: 'b', up: false }],
  );
});

test('inhibit_on_failure keeps a failed server at weight 0 instead of removing it', () => {
  const c = config({
    servers: [
      { id: 'a', weight: 3, inhibit: true, alpha: false },
      { id: 'b', weight: 2, inhibit: false, alpha: false },
    ],
  });
  const r = run(initialPool(c), start, down('a'), down('b'));
  assert.deepEqual(r.pool, { a: 0 });
  assert.deepEqual(run(r.state, up('a')).pool, { a: 3 });
});

test('alpha servers start dead: not in the pool (weight 0 with inhibit) until they come up', () => {
  const c = config({
    servers: [
      { id: 'a', weight: 3, inhibit: false, alpha: true },
      { id: 'b', weight: 2, inhibit: true, alpha: true },
    ],
  });
  const r = run(initialPool(c), start);
  assert.deepEqual(r.pool, { b: 0 });
  assert.deepEqual(run(r.state, up('a')).pool, { a: 3, b: 0 });
});

test('quorum with hysteresis: gained at quorum+h, lost below quorum-h, scripts run as effects', () => {
  // weights a3 b2 c2 = 7; quorum 5, hysteresis 1 -> gain at >= 6, lose at < 4
  const c = config({ quorum: 5, hysteresis: 1, quorumUp: ['/bin/up'], quorumDown: ['/bin/down'] });
  let r = run(initialPool(c), start);
  assert.equal(r.state.quorumUp, true);
  assert.deepEqual(scripts(r.effects), []);
  r = run(r.state, down('a')); // 4: not < 4, still up
  assert.equal(r.state.quorumUp, true);
  r = run(r.state, down('b')); // 2 < 4: lost
  assert.equal(r.state.quorumUp, false);
  assert.deepEqual(scripts(r.effects), ['quorum_down']);
  assert.ok(r.effects.some((e) => e.kind === 'log' && e.message === 'Lost quorum 5-1=4 > 2'));
  r = run(r.state, up('a')); // 5 < 6: still down
  assert.equal(r.state.quorumUp, false);
  assert.deepEqual(scripts(r.effects), []);
  r = run(r.state, up('b')); // 7 >= 6: gained
  assert.equal(r.state.quorumUp, true);
  assert.deepEqual(scripts(r.effects), ['quorum_up']);
  assert.ok(r.effects.some((e) => e.kind === 'log' && e.message === 'Gained quorum 5+1=6 <= 7'));
});

test('start with quorum down: quorum_down runs only when a sorry server is configured', () => {
  const alpha = config({
    quorum: 2,
    quorumDown: ['/bin/down'],
    servers: [{ id: 'a', weight: 3, inhibit: false, alpha: true }],
  });
  assert.deepEqual(scripts(run(initialPool(alpha), start).effects), []);
  const withSorry = { ...alpha, sorryServer: { id: 's', weight: 1, inhibit: false } };
  const r = run(initialPool(withSorry), start);
  assert.deepEqual(scripts(r.effects), ['quorum_down']);
  assert.deepEqual(r.pool, { s: 1 });
});

test('sorry server replaces every alive server on quorum loss and leaves on quorum gain', () => {
  const c = config({ quorum: 4, sorryServer: { id: 's', weight: 1, inhibit: false } });
  let r = run(initialPool(c), start);
  assert.deepEqual(r.pool, { a: 3, b: 2, c: 2 });
  r = run(r.state, down('a'), down('b')); // 2 < 4
  assert.deepEqual(r.pool, { s: 1 });
  // changes while the sorry server serves are not pushed to the pool
  r = run(r.state, { kind: 'rs-weight', rs: 'c', setWeight: 1, addWeight: 0 });
  assert.deepEqual(r.pool, { s: 1 });
  r = run(r.state, up('a')); // 3 + 1 = 4 >= 4
  assert.deepEqual(r.pool, { a: 3, c: 1 });
});

test('sorry_server_inhibit keeps the sorry server at weight 0 while quorum is up', () => {
  const c = config({ quorum: 4, sorryServer: { id: 's', weight: 5, inhibit: true } });
  let r = run(initialPool(c), start);
  assert.deepEqual(r.pool, { a: 3, b: 2, c: 2, s: 0 });
  r = run(r.state, down('a'), down('b'));
  assert.deepEqual(r.pool, { s: 5 });
});

test('misc_dynamic weight replaces the configured weight, FILE_CHECK adds; both drive the quorum', () => {
  const c = config({ quorum: 6, quorumDown: ['/bin/down'] });
  let r = run(initialPool(c), start, { kind: 'rs-weight', rs: 'a', setWeight: 10, addWeight: -4 });
  assert.deepEqual(r.pool, { a: 6, b: 2, c: 2 });
  r = run(r.state, { kind: 'rs-weight', rs: 'a', setWeight: 0, addWeight: 0 }); // 0 + 2 + 2 = 4 < 6
  assert.equal(r.state.quorumUp, false);
  assert.deepEqual(scripts(r.effects), ['quorum_down']);
  assert.deepEqual(r.pool, { a: 0, b: 2, c: 2 });
});

test('ha_suspend suspends and resumes checks with the virtual address; the pool stays programmed', () => {
  const c = config({ haSuspend: true });
  let r = run(initialPool(c), { kind: 'start', addressPresent: false });
  assert.deepEqual(r.effects.at(-1), { kind: 'suspend-checks', rs: ['a', 'b', 'c'] });
  assert.deepEqual(r.pool, { a: 3, b: 2, c: 2 });
  r = run(r.state, { kind: 'address', present: true });
  assert.deepEqual(r.effects, [{ kind: 'resume-checks', rs: ['a', 'b', 'c'] }]);
  const noSuspend = run(initialPool(config()), { kind: 'start', addressPresent: false });
  assert.ok(!noSuspend.effects.some((e) => e.kind === 'suspend-checks'));
});

test('stop empties the pool; quorum_down and notify_down run only with omega', () => {
  const plain = run(initialPool(config({ quorumDown: ['/bin/down'] })), start, { kind: 'stop' });
  assert.deepEqual(plain.pool, {});
  assert.deepEqual(desiredPool(plain.state).services, []);
  assert.deepEqual(scripts(plain.effects), []);
  const omega = run(initialPool(config({ quorumDown: ['/bin/down'], omega: true })), start, down('c'), {
    kind: 'stop',
  });
  assert.deepEqual(scripts(omega.effects), ['quorum_down']);
  assert.equal(omega.effects.filter((e) => e.kind === 'notify-rs' && !e.up).length, 3);
});

test('virtual_server_group and fwmark services all carry the same destination set', () => {
  const services: LbServiceKey[] = [
    { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.1', port: 80 },
    { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.2', port: 80 },
    { kind: 'fwmark', family: 'inet', fwmark: 21 },
  ];
  const r = run(initialPool(config({ services })), start, down('a'));
  const d = desiredPool(r.state);
  assert.deepEqual(d.services, services);
  assert.deepEqual(Object.fromEntries(d.destinations), { b: 2, c: 2 });
});

test('reload keeps verdicts of servers that stay, starts new ones alive, drops removed ones', () => {
  let r = run(initialPool(config()), start, down('b'));
  const next = config({
    servers: [
      { id: 'b', weight: 2, inhibit: false, alpha: false },
      { id: 'd', weight: 4, inhibit: false, alpha: false },
    ],
  });
  r = run(r.state, { kind: 'reload', config: next });
  assert.deepEqual(r.pool, { d: 4 });
  const bad = run(r.state, { kind: 'reload', config: { ...next, quorum: 0 } });
  assert.equal(bad.state, r.state);
  assert.match(JSON.stringify(bad.effects), /quorum: 0 is not an integer/);
});

test('diffPools gives removals, edits and adds between two desired pools', () => {
  const c = config({ quorum: 4, sorryServer: { id: 's', weight: 1, inhibit: false } });
  const a = run(initialPool(c), start);
  const b = run(a.state, { kind: 'rs-weight', rs: 'c', setWeight: 7, addWeight: 0 }, down('a'));
  assert.deepEqual(diffPools(desiredPool(a.state), desiredPool(b.state)), [
    { op: 'remove', id: 'a' },
    { op: 'edit', id: 'c', weight: 7, from: 2 },
  ]);
  const lost = run(b.state, down('b'), down('c'));
  assert.deepEqual(diffPools(desiredPool(b.state), desiredPool(lost.state)), [
    { op: 'remove', id: 'b' },
    { op: 'remove', id: 'c' },
    { op: 'add', id: 's', weight: 1 },
  ]);
});

test('bad config is refused with every field named; keepalived clamps are reported', () => {
  assert.throws(
    () =>
      initialPool(
        config({ quorum: 0, servers: [{ id: 'a', weight: -1, inhibit: false, alpha: false }], services: [] }),
      ),
    /quorum: 0.*servers\[0\]\.weight: -1.*services:/,
  );
  const { config: c, warnings } = clampPoolConfig(config({ quorum: 50, hysteresis: 60 }));
  assert.equal(c.quorum, 7);
  assert.equal(c.hysteresis, 6);
  assert.equal(warnings.length, 2);
});
