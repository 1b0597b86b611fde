// lvs_sync_daemon in the agent: keepalived.conf -> settings, and the IPVS sync daemon following its VRRP
// instance through the wrapped state notifier, observed at the SyncDaemonControl port by the in-memory
// data plane (which keeps the running daemons as the kernel does and records every call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeepalived } from '../../../core/config/index.ts';
import type { Config } from '../../../core/model/index.ts';
import type { Logger, StateChange, StateNotifier } from '../../../core/ports/index.ts';
import { MemorySyncDaemon } from '../../../adapters/memory/index.ts';
import { openSyncDaemonSide, syncDaemonSettings } from '../../../functions/agent/lvs-sync-daemon.ts';

function config(globalLine: string, extra = ''): Config {
  const r = parseKeepalived(`global_defs {
  ${globalLine}
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress { 10.0.0.10 }
${extra}
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  priority 100
  virtual_ipaddress { 10.0.0.11 }
}
`);
  if (!r.ok) assert.fail(r.diagnostics.map((d) => d.message).join('\n'));
  return r.config;
}

const recordingLog = () => {
  const lines: string[] = [];
  const log: Logger = {
    debug: () => undefined,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
    child: () => log,
  };
  return { log, lines };
};

const inner = (): StateNotifier & { seen: string[] } => {
  const seen: string[] = [];
  return { seen, notify: (c) => void seen.push(`${c.target.name} ${c.what}`), idle: () => Promise.resolve() };
};
const change = (name: string, what: string): StateChange => ({
  target: { type: 'instance', name },
  what,
  priority: 100,
});

test('lvs_sync_daemon settings: id defaults to the instance VRID, kernel defaults are not sent', () => {
  assert.equal(syncDaemonSettings(config('router_id a')), null);
  assert.deepEqual(syncDaemonSettings(config('lvs_sync_daemon eth1 VI_1')), {
    instance: 'VI_1',
    daemon: { interface: 'eth1', syncId: 51 },
  });
  assert.deepEqual(
    syncDaemonSettings(config('lvs_sync_daemon eth1 VI_2 id 7 maxlen 1400 port 9000 ttl 3 group 224.0.0.99')),
    {
      instance: 'VI_2',
      daemon: { interface: 'eth1', syncId: 7, maxlen: 1400, ttl: 3, port: 9000, group: '224.0.0.99' },
    },
  );
  // an unknown instance is already a config error (the parser names it)
  assert.throws(
    () => config('lvs_sync_daemon eth1 VI_9'),
    /lvs_sync_daemon names vrrp_instance 'VI_9', which is not defined/,
  );
});

test('the sync daemon follows its instance as keepalived: MASTER -> master daemon, BACKUP/FAULT -> backup', async () => {
  const plane = new MemorySyncDaemon();
  const { log, lines } = recordingLog();
  const side = openSyncDaemonSide(config('lvs_sync_daemon eth1 VI_1 id 9'), log, plane);
  const vrrp = inner();
  const n = side.wrap(vrrp);
  n.notify(change('VI_1', 'BACKUP')); // start-up state
  n.notify(change('VI_2', 'MASTER')); // another instance: ignored
  n.notify(change('VI_1', 'MASTER'));
  n.notify(change('VI_1', 'MASTER_RX_LOWER_PRI')); // an event, not a state
  n.notify(change('VI_1', 'BACKUP'));
  n.notify(change('VI_1', 'FAULT')); // already backup: nothing to do
  n.notify(change('VI_1', 'MASTER'));
  await n.idle();
  assert.deepEqual(vrrp.seen, [
    'VI_1 BACKUP',
    'VI_2 MASTER',
    'VI_1 MASTER',
    'VI_1 MASTER_RX_LOWER_PRI',
    'VI_1 BACKUP',
    'VI_1 FAULT',
    'VI_1 MASTER',
  ]);
  assert.deepEqual(plane.calls, [
    'stop master', // leftovers of an earlier run
    'stop backup',
    'stop master', // BACKUP
    'start backup eth1/9',
    'stop backup', // MASTER
    'start master eth1/9',
    'stop master', // BACKUP
    'start backup eth1/9',
    'stop backup', // MASTER
    'start master eth1/9',
  ]);
  const listed = await plane.list();
  assert.deepEqual(listed, { kind: 'ok', value: [{ role: 'master', interface: 'eth1', syncId: 9 }] });
  assert.deepEqual(side.status(), { instance: 'VI_1', wanted: 'master', running: 'master' });
  await side.stop();
  assert.deepEqual(await plane.list(), { kind: 'ok', value: [] });
  assert.ok(lines.some((l) => l.startsWith('info lvs_sync_daemon: master daemon started on eth1')));
});

test('without IPVS the follower says why once, keeps tracking the wanted role, and VRRP carries on', async () => {
  const plane = new MemorySyncDaemon({ unavailable: 'this kernel has no IPVS (ip_vs module not loaded)' });
  const { log, lines } = recordingLog();
  const side = openSyncDaemonSide(config('', 'lvs_sync_daemon_interface eth2'), log, plane);
  const vrrp = inner();
  const n = side.wrap(vrrp);
  n.notify(change('VI_1', 'BACKUP'));
  n.notify(change('VI_1', 'MASTER'));
  await n.idle();
  assert.deepEqual(vrrp.seen, ['VI_1 BACKUP', 'VI_1 MASTER']);
  assert.ok(plane.calls.includes('start master eth2/51'));
  const errors = lines.filter((l) => l.startsWith('error'));
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /lvs_sync_daemon cannot run: this kernel has no IPVS/);
  const s = side.status();
  assert.ok(s);
  assert.equal(s.wanted, 'master');
  assert.equal(s.running, null);
  assert.match(s.error ?? '', /start master: this kernel has no IPVS/);
});

test('a reload that adds, changes or removes lvs_sync_daemon restarts the daemon from the last state', async () => {
  const plane = new MemorySyncDaemon();
  const { log } = recordingLog();
  const side = openSyncDaemonSide(config('router_id a'), log, plane);
  assert.equal(side.status(), null);
  const n = side.wrap(inner());
  n.notify(change('VI_1', 'BACKUP'));
  n.notify(change('VI_2', 'MASTER'));
  await n.idle();
  assert.deepEqual(plane.calls, []); // nothing configured: nothing asked of the kernel
  await side.reload(config('lvs_sync_daemon eth1 VI_2'));
  assert.deepEqual(plane.calls, ['stop master', 'stop backup', 'stop backup', 'start master eth1/52']);
  plane.calls.length = 0;
  await side.reload(config('lvs_sync_daemon eth1 VI_2')); // unchanged: untouched
  assert.deepEqual(plane.calls, []);
  await side.reload(config('lvs_sync_daemon eth1 VI_1 id 3'));
  assert.deepEqual(plane.calls, [
    'stop master', // the old follower stops its daemon
    'stop master',
    'stop backup',
    'stop master',
    'start backup eth1/3', // VI_1 was last BACKUP
  ]);
  plane.calls.length = 0;
  await side.reload(config('router_id a'));
  assert.deepEqual(plane.calls, ['stop backup']);
  assert.deepEqual(await plane.list(), { kind: 'ok', value: [] });
});
