// @needs root iproute2 keepalived
/**
 * vrrp_sync_group on real links: two directors, each on two bridges (eth0 on the lab hub, eth1 on a second
 * bridge added here), one sync group of an instance per interface. Both instances are MASTER on d1; cutting
 * d1's eth1 cable faults one member, and the whole group moves to d2 together (keepalived.md §1.3). The
 * same config in a mixed pair with keepalived 2.2.7 fails over both ways.
 */
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createLab, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip, type RunningFloatip } from './lib/floatip.ts';
import { startKeepalived, type RunningKeepalived } from './lib/keepalived.ts';

const VIP_A = '10.99.0.170';
const VIP_B = '10.98.0.170';

function config(priority: number): string {
  const inst = (name: string, dev: string, vrid: number, vip: string) => `
vrrp_instance ${name} {
    state BACKUP
    interface ${dev}
    version 3
    virtual_router_id ${vrid}
    priority ${priority}
    advert_int 0.2
    virtual_ipaddress {
        ${vip}/24
    }
}`;
  return `vrrp_sync_group G1 {
    group {
        VI_A
        VI_B
    }
}
${inst('VI_A', 'eth0', 71, VIP_A)}
${inst('VI_B', 'eth1', 72, VIP_B)}
`;
}

/** The address is on any interface of the node (the lab helper's hasAddress looks at eth0 only). */
const hasAddress = (lab: Lab, node: string, address: string) =>
  lab.exec(node, ['ip', '-o', 'addr', 'show']).includes(` ${address}/`);

describe('a sync group of two instances on two links moves together (floatip pair)', () => {
  let lab: Lab;
  const agents: RunningFloatip[] = [];
  const kas: RunningKeepalived[] = [];
  const hubPort1 = (n: string) => `w-${n}`;

  before(() => {
    lab = createLab({ directors: 2, client: false });
    // the second segment: bridge br1 in the hub, eth1 in each director
    const hub = (args: string[]) => execFileSync('ip', ['-n', lab.hub, ...args]);
    hub(['link', 'add', 'br1', 'type', 'bridge']);
    hub([
      'link',
      'set',
      'br1',
      'type',
      'bridge',
      'forward_delay',
      '0',
      'stp_state',
      '0',
      'mcast_snooping',
      '0',
    ]);
    hub(['link', 'set', 'br1', 'up']);
    for (const [i, d] of lab.directors.entries()) {
      hub(['link', 'add', hubPort1(d.name), 'type', 'veth', 'peer', 'name', 'eth1', 'netns', d.ns]);
      hub(['link', 'set', hubPort1(d.name), 'master', 'br1', 'up']);
      lab.exec(d, ['ip', 'addr', 'add', `10.98.0.${11 + i}/24`, 'dev', 'eth1']);
      lab.exec(d, ['ip', 'link', 'set', 'eth1', 'up']);
    }
  });
  after(async () => {
    for (const a of agents) {
      await a.kill();
      a.cleanup();
    }
    for (const k of kas) await k.stop();
    lab?.destroy(); // deleting the hub namespace removes br1 and the eth1 pairs
  });

  const states = async (a: RunningFloatip) =>
    Object.fromEntries((await a.status()).instances.map((i) => [i.name, i.state]));
  const until = (what: string, a: RunningFloatip, want: Record<string, string>) =>
    waitFor(
      what,
      async () => {
        const s = await states(a);
        return Object.entries(want).every(([k, v]) => s[k] === v) ? true : undefined;
      },
      20_000,
      50,
    );

  it('both MASTER on d1; a fault of VI_B (eth1 cut) moves VI_A too; both return when the link does', async () => {
    const d1 = startFloatip(lab, 'd1', config(150));
    const d2 = startFloatip(lab, 'd2', config(100));
    agents.push(d1, d2);
    await d1.ready();
    await d2.ready();
    await until('d1 MASTER of both', d1, { VI_A: 'MASTER', VI_B: 'MASTER' });
    await until('d2 BACKUP of both', d2, { VI_A: 'BACKUP', VI_B: 'BACKUP' });
    await waitFor(
      'both VIPs on d1',
      () => (hasAddress(lab, 'd1', VIP_A) && hasAddress(lab, 'd1', VIP_B)) || undefined,
      10_000,
      50,
    );

    execFileSync('ip', ['-n', lab.hub, 'link', 'set', hubPort1('d1'), 'down']);
    await until('d1: VI_B FAULT and VI_A pulled to FAULT with it', d1, { VI_A: 'FAULT', VI_B: 'FAULT' });
    await until('d2 MASTER of both', d2, { VI_A: 'MASTER', VI_B: 'MASTER' });
    await waitFor(
      'both VIPs on d2',
      () => (hasAddress(lab, 'd2', VIP_A) && hasAddress(lab, 'd2', VIP_B)) || undefined,
      10_000,
      50,
    );
    // VI_A left d1 although its own link is fine
    await waitFor('VI_A VIP gone from d1', () => !hasAddress(lab, 'd1', VIP_A) || undefined, 10_000, 50);

    execFileSync('ip', ['-n', lab.hub, 'link', 'set', hubPort1('d1'), 'up']);
    await until('d1 preempts both back', d1, { VI_A: 'MASTER', VI_B: 'MASTER' });
    await until('d2 BACKUP of both again', d2, { VI_A: 'BACKUP', VI_B: 'BACKUP' });
  });

  const vipsOn = (node: string) =>
    waitFor(
      `both VIPs on ${node}`,
      () => (hasAddress(lab, node, VIP_A) && hasAddress(lab, node, VIP_B)) || undefined,
      20_000,
      50,
    );
  const cut = (node: string, up: boolean) =>
    execFileSync('ip', ['-n', lab.hub, 'link', 'set', hubPort1(node), up ? 'up' : 'down']);

  it('mixed with keepalived 2.2.7 running the same sync group: failover both ways', async () => {
    for (const a of agents.splice(0)) {
      await a.kill();
      a.cleanup();
    }
    // keepalived master on d1, floatip backup on d2: d1's eth1 cut moves both to floatip, and back
    const ka = startKeepalived(lab, 'd1', config(150));
    kas.push(ka);
    const fip = startFloatip(lab, 'd2', config(100));
    agents.push(fip);
    await fip.ready();
    await vipsOn('d1');
    await until('floatip BACKUP of both', fip, { VI_A: 'BACKUP', VI_B: 'BACKUP' });
    cut('d1', false);
    await until('floatip MASTER of both', fip, { VI_A: 'MASTER', VI_B: 'MASTER' });
    await vipsOn('d2');
    await waitFor(
      'keepalived dropped VI_A with its group',
      () => !hasAddress(lab, 'd1', VIP_A) || undefined,
      20_000,
      50,
    );
    cut('d1', true);
    await until('keepalived preempts: floatip BACKUP again', fip, { VI_A: 'BACKUP', VI_B: 'BACKUP' });
    await vipsOn('d1');
    await ka.stop();
    kas.splice(0);
    await fip.kill();

    // floatip master on d1, keepalived backup on d2: the same cut moves both to keepalived
    const fip1 = startFloatip(lab, 'd1', config(150));
    agents.push(fip1);
    kas.push(startKeepalived(lab, 'd2', config(100)));
    await fip1.ready();
    await until('floatip MASTER of both on d1', fip1, { VI_A: 'MASTER', VI_B: 'MASTER' });
    await vipsOn('d1');
    cut('d1', false);
    await until('floatip FAULT of both', fip1, { VI_A: 'FAULT', VI_B: 'FAULT' });
    await vipsOn('d2');
    cut('d1', true);
    await until('floatip preempts both back', fip1, { VI_A: 'MASTER', VI_B: 'MASTER' });
    await waitFor(
      'keepalived released both',
      () => (!hasAddress(lab, 'd2', VIP_A) && !hasAddress(lab, 'd2', VIP_B)) || undefined,
      20_000,
      50,
    );
  });
});
