// @needs root iproute2
/**
 * Interface tracking between two floatip agents: the master's own interface going down puts it in FAULT
 * (VIP removed, the backup takes over) and it comes back and preempts when the link returns; a weighted
 * track_interface lowers the effective priority so the backup takes over, as keepalived does; so do a
 * failing vrrp_script and a track_file whose value (× weight) the agent re-reads when the file changes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLab, hasAddress, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip, type RunningFloatip } from './lib/floatip.ts';

const VIP = '10.99.0.180';

const dir = mkdtempSync(join(tmpdir(), 'fip-vrrp-track-'));
/** A check that passes while the node's flag file exists. */
const flag = (priority: number) => join(dir, `healthy-${priority}`);
/** The node's track_file (init_file writes 0 at start). */
const weightFile = (priority: number) => join(dir, `weight-${priority}`);
const check = join(dir, 'check.sh');
writeFileSync(check, '#!/bin/sh\ntest -e "$1"\n', { mode: 0o755 });

function config(priority: number): string {
  return `track_file tf_weight {
    file "${weightFile(priority)}"
    weight -1
    init_file 0
}

vrrp_script chk_flag {
    script "${check} ${flag(priority)}"
    interval 0.1
    weight -70
}

vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    version 3
    virtual_router_id 91
    priority ${priority}
    advert_int 0.1
    track_interface {
        trk0 weight -60
    }
    track_script {
        chk_flag
    }
    track_file {
        tf_weight
    }
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;
}

describe('floatip agents track interfaces', () => {
  let lab: Lab;
  const agents: RunningFloatip[] = [];
  before(() => {
    writeFileSync(flag(150), '');
    writeFileSync(flag(100), '');
    lab = createLab({ directors: 2, client: false });
    for (const n of ['d1', 'd2']) {
      // A veth pair stands in for a second NIC (this kernel has no dummy driver).
      lab.exec(n, ['ip', 'link', 'add', 'trk0', 'type', 'veth', 'peer', 'name', 'trk1']);
      lab.exec(n, ['ip', 'link', 'set', 'trk1', 'up']);
      lab.exec(n, ['ip', 'link', 'set', 'trk0', 'up']);
    }
  });
  after(async () => {
    for (const a of agents) {
      await a.kill();
      a.cleanup();
    }
    lab?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const status = async (a: RunningFloatip) => (await a.status()).instances[0];
  const until = (what: string, a: RunningFloatip, state: string) =>
    waitFor(what, async () => ((await status(a))?.state === state ? true : undefined));

  let a1: RunningFloatip;
  let a2: RunningFloatip;

  it('goes FAULT when its own interface goes down, and preempts back when it returns', async () => {
    a1 = startFloatip(lab, 'd1', config(150));
    agents.push(a1);
    await a1.ready();
    await until('d1 to become MASTER', a1, 'MASTER');
    a2 = startFloatip(lab, 'd2', config(100));
    agents.push(a2);
    await a2.ready();
    await until('d2 to settle in BACKUP', a2, 'BACKUP');
    lab.exec('d1', ['ip', 'link', 'set', 'eth0', 'down']);
    await until('d1 to go FAULT', a1, 'FAULT');
    await until('d2 to take over', a2, 'MASTER');
    assert.ok(!hasAddress(lab, 'd1', VIP), 'a FAULT instance holds no VIP');
    lab.exec('d1', ['ip', 'link', 'set', 'eth0', 'up']);
    await until('d1 to preempt back', a1, 'MASTER');
    await until('d2 to yield', a2, 'BACKUP');
  });

  it('lowers the effective priority by the track_interface weight; the backup then takes over', async () => {
    lab.exec('d1', ['ip', 'link', 'set', 'trk0', 'down']);
    await waitFor('d1 effective priority 90', async () =>
      (await status(a1))?.effectivePriority === 90 ? true : undefined,
    );
    // A master whose priority drops keeps advertising; the backup discards the lower adverts and takes over.
    await until('d2 to take over from the weakened master', a2, 'MASTER');
    await until('d1 to yield', a1, 'BACKUP');
    lab.exec('d1', ['ip', 'link', 'set', 'trk0', 'up']);
    await until('d1 to preempt back at priority 150', a1, 'MASTER');
    assert.equal((await status(a1))?.effectivePriority, 150);
  });

  it('applies a failing vrrp_script weight; the backup takes over until the check passes again', async () => {
    rmSync(flag(150));
    await waitFor('d1 effective priority 80', async () =>
      (await status(a1))?.effectivePriority === 80 ? true : undefined,
    );
    await until('d2 to take over', a2, 'MASTER');
    writeFileSync(flag(150), '');
    await until('d1 to preempt back', a1, 'MASTER');
    assert.equal((await status(a1))?.effectivePriority, 150);
    assert.match(a1.log(), /vrrp_script chk_flag is failing/);
  });

  it('adds a track_file value x weight when the file changes; the backup takes over until it is 0 again', async () => {
    writeFileSync(weightFile(150), '65\n');
    await waitFor('d1 effective priority 85', async () =>
      (await status(a1))?.effectivePriority === 85 ? true : undefined,
    );
    await until('d2 to take over', a2, 'MASTER');
    writeFileSync(weightFile(150), '0\n');
    await until('d1 to preempt back', a1, 'MASTER');
    assert.equal((await status(a1))?.effectivePriority, 150);
    assert.match(a1.log(), /track_file tf_weight reads 65/);
  });
});
