// @needs root iproute2
/**
 * `lvs_sync_daemon` in a real agent on this kernel, which has no IPVS: the agent becomes MASTER, tries to
 * start the master sync daemon as keepalived would, says plainly (once) that the kernel has no IPVS, and
 * keeps serving VRRP: the VIP is up and the control socket answers. (The state-following order itself
 * is checked at the port in test/functions/agent/lvs-sync-daemon.test.ts; the bytes against ipvsadm in
 * test/adapters/onprem/ipvs/sync-daemon.test.ts.)
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createLab, hasAddress, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip, type RunningFloatip } from './lib/floatip.ts';

const VIP = '10.99.0.181';
const config = `global_defs {
    lvs_sync_daemon eth0 VI_1 id 9
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 92
    priority 150
    advert_int 0.1
    version 3
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;

describe(
  'lvs_sync_daemon on a kernel without IPVS',
  { skip: existsSync('/proc/net/ip_vs') && 'kernel has IPVS' },
  () => {
    let lab: Lab;
    let agent: RunningFloatip | undefined;
    before(() => {
      lab = createLab({ directors: 1, client: false });
    });
    after(async () => {
      await agent?.kill();
      agent?.cleanup();
      lab?.destroy();
    });

    it('reports the missing IPVS once and keeps the instance MASTER with its VIP', async () => {
      agent = startFloatip(lab, 'd1', config);
      await agent.ready();
      await waitFor(`VIP ${VIP} on d1`, () => (hasAddress(lab, 'd1', VIP) ? true : undefined), 30_000);
      const a = agent;
      await waitFor(
        'the sync daemon error in the log',
        () => (/lvs_sync_daemon cannot run/.test(a.log()) ? true : undefined),
        30_000,
      );
      const log = a.log();
      assert.match(log, /lvs_sync_daemon cannot run: this kernel has no IPVS \(ip_vs module not loaded\)/);
      assert.equal(log.match(/lvs_sync_daemon cannot run/g)?.length, 1);
      const st = await a.status();
      assert.equal(st.instances[0]?.state, 'MASTER');
      assert.equal(a.process.exitCode, null);
    });
  },
);
