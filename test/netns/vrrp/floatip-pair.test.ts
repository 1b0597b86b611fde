// @needs root iproute2 iputils-ping
/**
 * Two floatip agents on one segment (lab namespaces d1, d2, client c): election, failover when the master
 * is killed (-9), stale-VIP cleanup and preemption back when it returns, graceful stop (priority 0), notify
 * scripts and FIFO lines in order, SIGHUP reload keeping state, `floatip status`. States are polled with
 * generous upper bounds; timing is measured in bench/failover.bench.ts, not here.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { drainFifo } from '../../helpers/fifo.ts';
import { assertLabPrerequisites, createLab, hasAddress, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip, type RunningFloatip } from './lib/floatip.ts';

const VIP = '10.99.0.150';

function config(o: { priority: number; dir: string; extra?: string }): string {
  return `global_defs {
    router_id ${o.priority}
    vrrp_notify_fifo ${join(o.dir, 'vrrp.fifo')}
    vrrp_garp_master_delay 1
}

vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 51
    priority ${o.priority}
    advert_int 0.2
    notify "${join(o.dir, 'notify.sh')}"
    virtual_ipaddress {
        ${VIP}/24 label eth0:vip
    }
}
${o.extra ?? ''}`;
}

function notifyScript(dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync('sh', [
    '-c',
    `printf '#!/bin/sh\\necho "$*" >> ${join(dir, 'notify.log')}\\n' > ${path} && chmod 755 ${path}`,
  ]);
  execFileSync('mkfifo', [join(dir, 'vrrp.fifo')]);
  return path;
}

const state = async (agent: RunningFloatip, name = 'VI_1') =>
  (await agent.status()).instances.find((i) => i.name === name)?.state;

const until = (what: string, agent: RunningFloatip, wanted: string, name = 'VI_1') =>
  waitFor(what, async () => ((await state(agent, name)) === wanted ? true : undefined), 15_000, 50);

describe('two floatip agents in a netns lab', () => {
  let lab: Lab;
  const dirs: Record<string, string> = {};
  const agents: RunningFloatip[] = [];
  const start = async (node: 'd1' | 'd2', priority: number, extra?: string) => {
    const dir = dirs[node] ?? '';
    const a = startFloatip(lab, node, config({ priority, dir, ...(extra ? { extra } : {}) }));
    agents.push(a);
    await a.ready();
    return a;
  };
  const ping = () =>
    lab.exec('c', ['ping', '-c', '1', '-W', '1', VIP], { allowFail: true }).includes(' 0% packet loss');
  const clientMacFor = () => lab.exec('c', ['ip', 'neigh', 'show', VIP, 'dev', 'eth0']);

  before(() => {
    assertLabPrerequisites(['ping', 'mkfifo']);
    lab = createLab({ directors: 2, client: true });
    for (const n of ['d1', 'd2']) {
      dirs[n] = mkdtempSync(join(tmpdir(), `fip-vrrp-${n}-`));
      notifyScript(dirs[n], 'notify.sh');
    }
  });
  after(async () => {
    for (const a of agents) {
      await a.kill();
      a.cleanup();
    }
    lab?.destroy();
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  });

  let a1: RunningFloatip;
  let a2: RunningFloatip;

  it('elects the higher priority, puts the VIP on it only, and the client reaches the VIP', async () => {
    // d2 starts once d1 is master: agents start in ~0.5 s, and a late d1 would let d2 win first.
    a1 = await start('d1', 150);
    await until('d1 to become MASTER', a1, 'MASTER');
    a2 = await start('d2', 100);
    await until('d2 to settle in BACKUP', a2, 'BACKUP');
    await waitFor('the backup to learn who the master is', async () =>
      (await a2.status()).instances[0]?.master?.address === '10.99.0.11' ? true : undefined,
    );
    assert.ok(hasAddress(lab, 'd1', VIP));
    assert.ok(!hasAddress(lab, 'd2', VIP));
    await waitFor('the client to reach the VIP', () => (ping() ? true : undefined), 10_000);
    assert.ok(clientMacFor().includes(lab.nodes['d1']?.mac ?? '?'));
  });

  it('fails over when the master is killed with SIGKILL; the client ARP cache follows the GARP', async () => {
    await a1.kill();
    await until('d2 to take over', a2, 'MASTER');
    assert.ok(hasAddress(lab, 'd2', VIP));
    await waitFor('the client ARP entry to point at d2', () =>
      clientMacFor().includes(lab.nodes['d2']?.mac ?? '?') ? true : undefined,
    );
    await waitFor('the client to reach the VIP on d2', () => (ping() ? true : undefined), 10_000);
    assert.ok(hasAddress(lab, 'd1', VIP), 'a killed agent leaves its VIP behind (as keepalived does)');
  });

  it('removes the stale VIP at restart and preempts back to the higher priority', async () => {
    a1 = await start('d1', 150);
    await waitFor('the restarted agent to remove its stale VIP', () =>
      /removing stale VIP/.test(a1.log()) && a1.log().includes(VIP) ? true : undefined,
    );
    await until('d1 to preempt back', a1, 'MASTER');
    await until('d2 to yield', a2, 'BACKUP');
    await waitFor('the VIP to leave d2', () => (!hasAddress(lab, 'd2', VIP) ? true : undefined));
    await waitFor('the client ARP entry to point at d1 again', () =>
      clientMacFor().includes(lab.nodes['d1']?.mac ?? '?') ? true : undefined,
    );
    assert.ok(ping(), 'the client reaches the VIP after preemption');
  });

  it('keeps VI_1 MASTER across a SIGHUP reload that adds an instance, and starts the new one', async () => {
    const before = (await a1.status()).instances.find((i) => i.name === 'VI_1');
    const extra = `
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 52
    priority 120
    advert_int 0.2
    virtual_ipaddress {
        10.99.0.151/24
    }
}`;
    a1.writeConfig(config({ priority: 150, dir: dirs['d1'] ?? '', extra }));
    a1.signal('SIGHUP');
    await until('VI_2 to start and win (no other router for VRID 52)', a1, 'MASTER', 'VI_2');
    const after = (await a1.status()).instances.find((i) => i.name === 'VI_1');
    assert.equal(after?.state, 'MASTER');
    assert.ok(
      (after?.stats['become_master'] ?? 0) === (before?.stats['become_master'] ?? -1),
      'VI_1 did not restart',
    );
    assert.ok(hasAddress(lab, 'd1', '10.99.0.151'));
  });

  it('prints the instances through `floatip status`', () => {
    const launcher = fileURLToPath(new URL('../../../bin/floatip.mjs', import.meta.url));
    const text = execFileSync(process.execPath, [launcher, 'status', '--socket', a1.socketPath], {
      encoding: 'utf8',
    });
    assert.match(text, /VI_1: MASTER/);
    assert.match(text, /priority: 150/);
    assert.match(text, /vips: +10\.99\.0\.150 +\[configured here\]/);
  });

  it('stops gracefully: priority 0 hands over to the backup, VIPs removed, notify STOP last', async () => {
    assert.equal(await a1.stop(), 0);
    await until('d2 to take over after the priority-0 advert', a2, 'MASTER');
    assert.ok(!hasAddress(lab, 'd1', VIP), 'the stopping master removed its VIP');
    assert.ok(!hasAddress(lab, 'd1', '10.99.0.151'));
    const log = readFileSync(join(dirs['d1'] ?? '', 'notify.log'), 'utf8')
      .trim()
      .split('\n');
    // A winner re-announces (GARP + MASTER notify) after hearing a competing master, so a MASTER line may
    // repeat; the order of the changes is what matters.
    const changes = (lines: string[]) => lines.filter((l, i) => l !== lines[i - 1]);
    const vi1 = changes(log.filter((l) => l.includes(' VI_1 ')));
    assert.deepEqual(vi1, [
      'INSTANCE VI_1 BACKUP 150',
      'INSTANCE VI_1 MASTER 150',
      'INSTANCE VI_1 BACKUP 150',
      'INSTANCE VI_1 MASTER 150',
      'INSTANCE VI_1 STOP 150',
    ]);
    const d2log = readFileSync(join(dirs['d2'] ?? '', 'notify.log'), 'utf8')
      .trim()
      .split('\n');
    assert.deepEqual(changes(d2log), [
      'INSTANCE VI_1 BACKUP 100',
      'INSTANCE VI_1 MASTER 100',
      'INSTANCE VI_1 BACKUP 100',
      'INSTANCE VI_1 MASTER 100',
    ]);
    const fifo = drainFifo(join(dirs['d2'] ?? '', 'vrrp.fifo'));
    assert.match(fifo, /^INSTANCE "VI_1" BACKUP 100\nINSTANCE "VI_1" MASTER 100\n/);
  });
});
