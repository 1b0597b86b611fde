// @needs root iproute2 keepalived tcpdump iputils-ping
/**
 * use_ipvlan: keepalived 2.2.7 as MASTER and floatip as BACKUP, each on an L2 ipvlan (flags private) with
 * its own address, which is also the advert source. floatip's ipvlan has keepalived's shape, floatip
 * accepts keepalived's adverts, and takes the VIP (on eth0, where keepalived puts it too) when keepalived dies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertLabPrerequisites, createLab, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip } from './lib/floatip.ts';
import { startKeepalived } from './lib/keepalived.ts';
import { linkOf, sysctlsOf } from './lib/links.ts';

const VIP = '10.99.0.172';

const config = (priority: number, address: string) => `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    use_ipvlan ${address}/24 private
    virtual_router_id 53
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;

describe('use_ipvlan against keepalived 2.2', () => {
  let lab: Lab;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(() => {
    assertLabPrerequisites(['keepalived', 'ping']);
    lab = createLab({ directors: 2, client: true });
  });
  /** This kernel can make an ipvlan (CONFIG_IPVLAN); without it keepalived cannot either. */
  const kernelHasIpvlan = (): boolean =>
    lab
      .exec(
        'c',
        [
          'sh',
          '-c',
          'ip link add link eth0 name ivprobe type ipvlan mode l2 && echo made; ip link del ivprobe',
        ],
        {
          allowFail: true,
        },
      )
      .includes('made');
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    lab?.destroy();
  });

  it('without an ipvlan driver the agent refuses to start, naming CONFIG_IPVLAN, and leaves nothing behind', async (t) => {
    if (kernelHasIpvlan()) return t.skip('this kernel has ipvlan');
    const ours = startFloatip(lab, 'd2', config(100, '10.99.0.22'));
    cleanups.push(async () => {
      await ours.kill();
      ours.cleanup();
    });
    const code = await new Promise((r) => ours.process.once('exit', r));
    assert.notEqual(code, 0);
    assert.match(
      ours.log(),
      /create ipvlan vrrp\.53 on eth0: not supported by this kernel \(EOPNOTSUPP\); the kernel has no ipvlan driver \(CONFIG_IPVLAN\)/,
    );
    assert.equal(linkOf(lab, 'd2', 'vrrp.53'), undefined);
  });

  it('floatip builds the same ipvlan, hears keepalived through it and takes over', async (t) => {
    if (!kernelHasIpvlan()) return t.skip('this kernel has no ipvlan driver (CONFIG_IPVLAN)');
    const theirs = startKeepalived(lab, 'd1', config(150, '10.99.0.21'));
    cleanups.push(async () => {
      theirs.kill();
      await theirs.stop();
    });
    const ours = startFloatip(lab, 'd2', config(100, '10.99.0.22'));
    cleanups.push(async () => {
      await ours.kill();
      ours.cleanup();
    });
    await ours.ready();
    const state = async () => (await ours.status()).instances[0]?.state;
    // keepalived leaves the VIP on the base with use_ipvlan (ipvlan-vm.test.ts shows it on a real ipvlan).
    const vipOn = (node: string) => linkOf(lab, node, 'eth0')?.addresses.includes(VIP) ?? false;
    await waitFor('keepalived to hold the VIP', () => (vipOn('d1') ? true : undefined));

    const ka = linkOf(lab, 'd1', 'vrrp.53');
    const fl = linkOf(lab, 'd2', 'vrrp.53');
    assert.ok(
      ka && fl,
      `vrrp.53 missing: keepalived ${JSON.stringify(ka)} floatip ${JSON.stringify(fl)}\n${ours.log()}`,
    );
    const shape = (l: typeof ka) => ({
      kind: l.kind,
      mode: l.mode,
      flags: l.flags,
      base: l.base,
      up: l.up,
      mac: l.mac === lab.nodes[l === ka ? 'd1' : 'd2']?.mac,
    });
    assert.deepEqual(shape(fl), shape(ka));
    assert.equal(fl.kind, 'ipvlan');
    assert.equal(fl.mode, 'l2');
    assert.equal(fl.flags, 'private');
    assert.ok(fl.addresses.includes('10.99.0.22'), 'the ipvlan carries its address');
    assert.deepEqual(sysctlsOf(lab, 'd2', 'vrrp.53'), sysctlsOf(lab, 'd1', 'vrrp.53'));

    // keepalived's master-down at priority 100 is 3.6 s: 4.5 s in BACKUP means its adverts are accepted.
    await new Promise((r) => setTimeout(r, 4500));
    const s = (await ours.status()).instances[0];
    assert.equal(s?.state, 'BACKUP', ours.log());
    assert.equal(s?.master?.address, '10.99.0.21', 'adverts come from the ipvlan address');

    theirs.kill();
    lab.setLink('d1', false);
    await waitFor('floatip to take over', async () =>
      (await state()) === 'MASTER' && vipOn('d2') ? true : undefined,
    );
    await waitFor(
      'the client to reach the VIP on floatip',
      () =>
        lab.exec('c', ['ping', '-c', '1', '-W', '1', VIP], { allowFail: true }).includes(' 0% packet loss')
          ? true
          : undefined,
      15_000,
    );
    assert.equal(await ours.stop(), 0);
    assert.equal(linkOf(lab, 'd2', 'vrrp.53'), undefined, 'the ipvlan is removed at stop');
  });
});
