// RouteKeeper decisions through recording ports: keepalived's order (routes then rules on MASTER, rules then
// routes on leaving), start-up clean-up, reload by difference, stop clearing statics, and which external
// deletions count (tracked, matching, still installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteKeeper, describeEntry } from '../../../core/app/route-keeper.ts';
import { planRoutes } from '../../../core/app/vrrp-routes-plan.ts';
import { addressEntry } from '../../../core/app/vrrp-plan.ts';
import { parseKeepalived } from '../../../core/config/index.ts';
import type { AddressManager, RouteManager, RouteOrRule } from '../../../core/ports/index.ts';
import { silentLogger } from '../../../adapters/memory/index.ts';

function plan(routes: string, rules: string) {
  const text = `static_routes {\n  10.80.0.0/24 via 10.0.0.1 dev eth0\n}\nstatic_ipaddress {\n  192.0.2.1/32 dev lo\n}
vrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n  virtual_ipaddress {\n    10.0.0.100\n  }
  virtual_routes {\n${routes}\n  }\n  virtual_rules {\n${rules}\n  }\n}\n`;
  const parsed = parseKeepalived(text);
  assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.diagnostics));
  const r = planRoutes(parsed.config, (e) => addressEntry(e, e.dev ?? ''));
  assert.deepEqual(r.errors, []);
  return r.plan;
}

function recorder() {
  const calls: string[] = [];
  const routes: RouteManager = {
    add: async (e) => void calls.push(`add ${describeEntry(e)}`),
    remove: async (e) => void calls.push(`remove ${describeEntry(e)}`),
    close: () => undefined,
  };
  const addresses: AddressManager = {
    list: async () => [],
    add: async (a) => void calls.push(`add address ${a.address}`),
    remove: async (a) => void calls.push(`remove address ${a.address}`),
    close: () => undefined,
  };
  return { calls, keeper: new RouteKeeper({ routes, addresses, logger: silentLogger }) };
}

const R1 = '    10.1.0.0/16 via 10.0.0.1 dev eth0';
const R2 = '    10.2.0.0/16 via 10.0.0.1 dev eth0 no_track';
const U1 = '    from 10.1.0.0/16 table 7 preference 10';

test('start clears leftovers then adds statics; MASTER adds routes then rules; leaving removes rules first', async () => {
  const { calls, keeper } = recorder();
  await keeper.start(plan(`${R1}\n${R2}`, U1));
  assert.deepEqual(calls.splice(0), [
    'remove rule 10: from 10.1.0.0/16 lookup 7',
    'remove route 10.2.0.0/16 via 10.0.0.1 dev eth0',
    'remove route 10.1.0.0/16 via 10.0.0.1 dev eth0',
    'remove route 10.80.0.0/24 via 10.0.0.1 dev eth0',
    'remove address 192.0.2.1',
    'add address 192.0.2.1',
    'add route 10.80.0.0/24 via 10.0.0.1 dev eth0',
  ]);
  await keeper.master('A');
  await keeper.master('A');
  assert.deepEqual(calls.splice(0), [
    'add route 10.1.0.0/16 via 10.0.0.1 dev eth0',
    'add route 10.2.0.0/16 via 10.0.0.1 dev eth0',
    'add rule 10: from 10.1.0.0/16 lookup 7',
  ]);
  await keeper.leaveMaster('A');
  await keeper.leaveMaster('A');
  assert.deepEqual(calls.splice(0), [
    'remove rule 10: from 10.1.0.0/16 lookup 7',
    'remove route 10.2.0.0/16 via 10.0.0.1 dev eth0',
    'remove route 10.1.0.0/16 via 10.0.0.1 dev eth0',
  ]);
  await keeper.stop();
  assert.deepEqual(calls.splice(0), [
    'remove route 10.80.0.0/24 via 10.0.0.1 dev eth0',
    'remove address 192.0.2.1',
  ]);
});

test('reload applies only the difference to a master; a master that had none gets the new ones', async () => {
  const { calls, keeper } = recorder();
  await keeper.start(plan(R1, U1));
  await keeper.master('A');
  calls.splice(0);
  await keeper.reload(
    plan(`${R1}\n    10.3.0.0/16 via 10.0.0.1 dev eth0`, '    from 10.1.0.0/16 table 8 preference 10'),
    () => true,
  );
  assert.deepEqual(calls.splice(0), [
    'remove rule 10: from 10.1.0.0/16 lookup 7',
    'add route 10.3.0.0/16 via 10.0.0.1 dev eth0',
    'add rule 10: from 10.1.0.0/16 lookup 8',
  ]);
  const other = recorder();
  await other.keeper.start(plan(R1, U1));
  other.calls.splice(0);
  await other.keeper.reload(plan(R1, U1), () => true);
  assert.deepEqual(other.calls, [
    'add route 10.1.0.0/16 via 10.0.0.1 dev eth0',
    'add rule 10: from 10.1.0.0/16 lookup 7',
  ]);
});

test('external deletions: a tracked installed entry names its instance; no_track, others and removed ones do not', async () => {
  const { keeper } = recorder();
  const p = plan(`${R1}\n${R2}`, U1);
  await keeper.start(p);
  const [r1, r2, u1] = p.virtual['A']!;
  const seen = (e: RouteOrRule) => keeper.removedExternally(e)?.kind;
  assert.equal(seen(r1!), undefined, 'not MASTER: nothing installed');
  await keeper.master('A');
  assert.deepEqual(keeper.removedExternally(r1!), { kind: 'virtual', instance: 'A', entry: r1 });
  assert.equal(seen(r2!), undefined, 'no_track');
  assert.equal(seen(u1!), 'virtual');
  const kernelView: RouteOrRule = {
    kind: 'route',
    route: { ...(r1!.kind === 'route' ? r1!.route : ({} as never)), via: '10.0.0.9', metric: 0 },
  };
  assert.equal(seen(kernelView), 'virtual', 'matched on table, prefix, metric, tos and dev, as keepalived');
  const otherTable: RouteOrRule = {
    kind: 'route',
    route: { ...(r1!.kind === 'route' ? r1!.route : ({} as never)), table: 9 },
  };
  assert.equal(seen(otherTable), undefined);
  assert.equal(seen(p.static[0]!), 'static');
  await keeper.leaveMaster('A');
  assert.equal(seen(r1!), undefined, 'our own removal is not an external deletion');
});
