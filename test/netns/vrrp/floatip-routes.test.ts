// @needs root iproute2 keepalived
/**
 * virtual_routes / virtual_rules and static_* in a netns lab, against the real keepalived: two floatip
 * agents (d1, d2) share VRID 51; keepalived 2.2.7 runs the same blocks alone on VRID 52 (d3). The master
 * holds the virtual routes and rules, the backup only the static ones; they follow the master on kill -9,
 * preemption, SIGHUP and SIGTERM; and what floatip installs is, `ip -j` field for field, what keepalived
 * installs (its VIP renamed to ours).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { assertLabPrerequisites, createLab, hasAddress, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip, type RunningFloatip } from './lib/floatip.ts';
import { startKeepalived, type RunningKeepalived } from './lib/keepalived.ts';
import { addressesOn, keepalivedEntries } from './lib/routes-state.ts';

const VIP = '10.99.0.150';
const KA_VIP = '10.99.0.160';

const ROUTES = [
  '10.60.0.0/24 via 10.99.0.1 dev eth0',
  '10.61.0.0/24 dev eth0 table 100 metric 7',
  'blackhole 10.62.0.0/24',
  'src VIP 10.63.0.0/24 dev eth0 scope link',
  'default via 10.99.0.1 table 200',
  'fd00:60::/64 via fd00:99::1 dev eth0',
  'unreachable 10.64.0.0/24 table 100 no_track',
  '10.65.0.0/24 via 10.99.0.1 dev eth0 onlink',
];
const RULES = [
  'from VIP/32 table 100 preference 100',
  'to 10.70.0.0/24 fwmark 0x10/0xff iif eth0 lookup 200 priority 101',
  'from fd00:99::150/128 table 100 preference 102',
  'not from 10.1.0.0/16 table 300 preference 103',
  'from 10.2.0.0/16 prohibit preference 105',
  'from 10.71.0.0/24 table 100',
];

function config(o: { vrid: number; priority: number; vip: string; routes?: string[] }): string {
  const lines = (l: string[]) => l.map((x) => `        ${x.replace('VIP', o.vip)}`).join('\n');
  return `global_defs {
    router_id r${o.priority}
}
static_ipaddress {
    198.51.100.1/32 dev lo
}
static_routes {
    10.80.0.0/24 via 10.99.0.1 dev eth0
}
static_rules {
    from 10.81.0.0/24 table 100 preference 200
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id ${o.vrid}
    priority ${o.priority}
    advert_int 1
    virtual_ipaddress {
        ${o.vip}/24
    }
    virtual_routes {
${lines(o.routes ?? ROUTES)}
    }
    virtual_rules {
${lines(RULES)}
    }
}
`;
}

const isStatic = (e: string) => e.includes('10.80.0.0') || e.includes('10.81.0.0');

describe('virtual_routes / virtual_rules follow the floatip master, as keepalived installs them', () => {
  let lab: Lab;
  const agents: RunningFloatip[] = [];
  let ka: RunningKeepalived | undefined;
  const start = async (node: 'd1' | 'd2', priority: number) => {
    const a = startFloatip(lab, node, config({ vrid: 51, priority, vip: VIP }));
    agents.push(a);
    await a.ready();
    return a;
  };
  const state = async (a: RunningFloatip) => (await a.status()).instances[0]?.state;
  const until = (what: string, a: RunningFloatip, wanted: string) =>
    waitFor(what, async () => ((await state(a)) === wanted ? true : undefined), 20_000, 50);
  const entries = (node: string) => keepalivedEntries(lab, node);
  /** Waits until `node` shows `wanted` (route and rule changes land right after the state change). */
  const settle = (what: string, node: string, wanted: string[]) =>
    waitFor(
      what,
      () => (JSON.stringify(entries(node)) === JSON.stringify(wanted) ? true : undefined),
      20_000,
      100,
    ).catch(() => assert.deepEqual(entries(node), wanted, what));

  before(() => {
    assertLabPrerequisites(['keepalived']);
    lab = createLab({ directors: 3, client: false });
  });
  after(async () => {
    for (const a of agents) {
      await a.kill();
      a.cleanup();
    }
    ka?.kill();
    await ka?.stop();
    lab?.destroy();
  });

  let a1: RunningFloatip;
  let a2: RunningFloatip;
  let full: string[] = [];
  let statics: string[] = [];

  it('the master has the virtual and static entries, the backup only the static ones; keepalived installs the same', async () => {
    a1 = await start('d1', 150);
    await until('d1 to become MASTER', a1, 'MASTER');
    a2 = await start('d2', 100);
    await until('d2 to settle in BACKUP', a2, 'BACKUP');
    ka = startKeepalived(lab, 'd3', config({ vrid: 52, priority: 150, vip: KA_VIP }));
    await waitFor(
      'keepalived to become master',
      () => (hasAddress(lab, 'd3', KA_VIP) ? true : undefined),
      30_000,
      100,
    );
    const theirs = () => keepalivedEntries(lab, 'd3', { [KA_VIP]: VIP });
    // 8 routes and 6 rules (the no_track route included) plus one static route and rule.
    await waitFor(
      'keepalived to install its routes and rules',
      () => (theirs().length === 16 ? true : undefined),
      20_000,
      100,
    );
    full = entries('d1');
    assert.deepEqual(full, theirs(), 'floatip installs what keepalived installs');
    assert.equal(full.length, 16);
    assert.ok(full.some((e) => e.includes('"dst":"10.63.0.0/24"') && e.includes(`"prefsrc":"${VIP}"`)));
    assert.ok(
      full.some((e) => e.startsWith('rule -4') && e.includes('"priority":16384')),
      'auto preference',
    );
    statics = full.filter(isStatic);
    assert.equal(statics.length, 2);
    assert.deepEqual(entries('d2'), statics, 'the backup has only the static route and rule');
    for (const n of ['d1', 'd2', 'd3']) assert.ok(addressesOn(lab, n, 'lo').includes('198.51.100.1/32'), n);
  });

  it('kill -9 of the master: the new master installs them', async () => {
    await a1.kill();
    await until('d2 to take over', a2, 'MASTER');
    await settle('d2 to hold every route and rule', 'd2', full);
  });

  it('the old master returns and preempts: its leftovers are replaced, the backup removes its virtual entries', async () => {
    a1 = await start('d1', 150);
    await until('d1 to preempt', a1, 'MASTER');
    await until('d2 to step back', a2, 'BACKUP');
    await settle('d2 to drop the virtual entries', 'd2', statics);
    await settle('d1 to hold every route and rule', 'd1', full);
  });

  /** Deletes the tracked route 10.60.0.0/24 behind the daemon's back, as an operator would. */
  const deleteTrackedRoute = (node: string) =>
    lab.exec(node, [
      'ip',
      'route',
      'del',
      '10.60.0.0/24',
      'via',
      '10.99.0.1',
      'dev',
      'eth0',
      'proto',
      'keepalived',
    ]);

  it('a tracked route deleted on the master makes it leave MASTER and re-take it; no_track and static ones as keepalived', async () => {
    const stats = async () => (await a1.status()).instances[0]?.stats['become_master'] ?? 0;
    const before = await stats();
    deleteTrackedRoute('d1');
    await waitFor(
      'd1 to become MASTER again',
      async () => ((await stats()) > before ? true : undefined),
      20_000,
      50,
    );
    assert.match(a1.log(), /route 10\.60\.0\.0\/24 via 10\.99\.0\.1 dev eth0 was deleted; leaving MASTER/);
    await settle('d1 to hold every route and rule again', 'd1', full);
    // keepalived does the same: BACKUP, then MASTER again with the route back.
    const kaBackups = () => ka!.log().split('Entering BACKUP STATE').length;
    const kaBefore = kaBackups();
    deleteTrackedRoute('d3');
    await waitFor(
      'keepalived to leave MASTER',
      () => (kaBackups() > kaBefore ? true : undefined),
      20_000,
      50,
    );
    await waitFor(
      'keepalived to re-install the route',
      () =>
        JSON.stringify(keepalivedEntries(lab, 'd3', { [KA_VIP]: VIP })) === JSON.stringify(full)
          ? true
          : undefined,
      20_000,
      100,
    );
    // no_track: stays deleted, no transition.
    const now = await stats();
    lab.exec('d1', [
      'ip',
      'route',
      'del',
      'unreachable',
      '10.64.0.0/24',
      'table',
      '100',
      'proto',
      'keepalived',
    ]);
    // static: re-added on the backup (a tracked static route names its device).
    lab.exec('d2', [
      'ip',
      'route',
      'del',
      '10.80.0.0/24',
      'via',
      '10.99.0.1',
      'dev',
      'eth0',
      'proto',
      'keepalived',
    ]);
    await settle('d2 to re-add its static route', 'd2', statics);
    assert.equal(await stats(), now, 'deleting a no_track route changes nothing');
    assert.equal(await state(a1), 'MASTER');
    assert.ok(!entries('d1').some((e) => e.includes('10.64.0.0/24')), 'the no_track route stays deleted');
    // The next MASTER transition puts it back (SIGHUP below keeps the state, so re-add it by hand).
    lab.exec('d1', [
      'ip',
      'route',
      'add',
      'unreachable',
      '10.64.0.0/24',
      'table',
      '100',
      'proto',
      'keepalived',
    ]);
  });

  it('SIGHUP: a changed route list is applied by difference and the master stays master, like keepalived', async () => {
    const routes = [
      ...ROUTES.filter((r) => !r.startsWith('10.61.')),
      '10.66.0.0/24 via 10.99.0.1 dev eth0 metric 3',
    ];
    a1.writeConfig(config({ vrid: 51, priority: 150, vip: VIP, routes }));
    a1.signal('SIGHUP');
    writeFileSync(ka!.configPath, config({ vrid: 52, priority: 150, vip: KA_VIP, routes }));
    ka!.process.kill('SIGHUP');
    const changed = (e: string[]) =>
      e.some((x) => x.includes('10.66.0.0/24')) && !e.some((x) => x.includes('10.61.0.0/24'));
    await waitFor(
      'd1 to apply the new routes',
      () => (changed(entries('d1')) ? true : undefined),
      20_000,
      100,
    ).catch((e: Error) => assert.fail(`${e.message}\n${a1.log()}\n${entries('d1').join('\n')}`));
    await waitFor(
      'keepalived to apply them',
      () => (changed(keepalivedEntries(lab, 'd3')) ? true : undefined),
      20_000,
      100,
    );
    assert.equal(await state(a1), 'MASTER');
    assert.deepEqual(entries('d1'), keepalivedEntries(lab, 'd3', { [KA_VIP]: VIP }));
    assert.ok(a1.log().includes('configuration reloaded'));
  });

  it('SIGTERM: the master removes everything it installed, static entries too, as keepalived does on exit', async () => {
    const held = entries('d1');
    assert.equal(await a1.stop(), 0);
    assert.deepEqual(entries('d1'), [], 'nothing of protocol keepalived is left on d1');
    assert.ok(!addressesOn(lab, 'd1', 'lo').includes('198.51.100.1/32'), 'the static address is gone');
    await until('d2 to take over', a2, 'MASTER');
    // d2 still runs the first config: its entries are the first list, not d1's reloaded one.
    await settle('d2 to hold every route and rule', 'd2', full);
    assert.notDeepEqual(held, full);
    await ka!.stop();
    ka = undefined;
    assert.deepEqual(keepalivedEntries(lab, 'd3'), [], 'keepalived also leaves nothing');
    assert.ok(!addressesOn(lab, 'd3', 'lo').includes('198.51.100.1/32'));
  });
});
