// @needs root iproute2 tcpdump iputils-ping
/**
 * use_vmac between two floatip agents: the master's VIP sits on vrrp.<VRID>, a private macvlan with the
 * virtual MAC 00:00:5e:00:01:<VRID>; adverts and GARPs carry that MAC, so the client's neighbour entry for
 * the VIP is the virtual MAC and stays it when the backup takes over after the master is killed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertLabPrerequisites, createLab, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip, type RunningFloatip } from './lib/floatip.ts';
import { captureOn, ipFramesFrom, linkOf, linkNames, neighbourMac, sysctlsOf } from './lib/links.ts';

const VIP = '10.99.0.170';
const VRID = 51;
const VMAC = '00:00:5e:00:01:33';

const config = (priority: number, extra = '') => `global_defs {
    vrrp_garp_master_delay 1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    use_vmac
    virtual_router_id ${VRID}
    priority ${priority}
    advert_int 0.5
    version 3
${extra}    virtual_ipaddress {
        ${VIP}/24
    }
}
`;

describe('floatip use_vmac pair', () => {
  let lab: Lab;
  const cleanups: (() => Promise<void> | void)[] = [];
  const floatip = async (node: string, cfg: string): Promise<RunningFloatip> => {
    const a = startFloatip(lab, node, cfg);
    cleanups.push(async () => {
      await a.kill();
      a.cleanup();
    });
    await a.ready();
    return a;
  };
  const state = async (a: RunningFloatip) => (await a.status()).instances[0]?.state;
  const ping = () =>
    lab.exec('c', ['ping', '-c', '1', '-W', '1', VIP], { allowFail: true }).includes(' 0% packet loss');

  before(() => {
    assertLabPrerequisites(['ping']);
    lab = createLab({ directors: 2, client: true });
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    lab?.destroy();
  });

  it('the master holds the VIP on vrrp.51 with the virtual MAC; the client keeps that MAC across failover', async () => {
    const d1 = await floatip('d1', config(150));
    await waitFor('d1 to become MASTER', async () => ((await state(d1)) === 'MASTER' ? true : undefined));
    // The backup's VMAC joins 224.0.0.18 too: no IGMP report may leave it with the virtual MAC, or the
    // segment would send the VIP's traffic to the backup.
    const started: RunningFloatip[] = [];
    const joining = await captureOn(lab, 'c', 'igmp', async () => {
      started.push(await floatip('d2', config(100)));
      await new Promise((r) => setTimeout(r, 2500)); // unsolicited reports go out within ~1 s of a join
    });
    assert.equal(ipFramesFrom(joining, VMAC, 2), 0, 'IGMP reports from the virtual MAC');
    const d2 = started[0];
    if (!d2) throw new Error('d2 did not start');
    await waitFor('d2 to settle in BACKUP', async () => ((await state(d2)) === 'BACKUP' ? true : undefined));
    // d2's master-down interval is 3 x 0.5 s + skew: staying BACKUP past it means it accepts d1's adverts.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await state(d2), 'BACKUP', `d2 does not hear d1's adverts:\n${d2.log()}`);
    assert.ok(((await d2.status()).instances[0]?.stats['advert_rcvd'] ?? 0) >= 3);

    const link = linkOf(lab, 'd1', 'vrrp.51');
    assert.ok(link, `no vrrp.51 on d1: ${linkNames(lab, 'd1').join(' ')}\n${d1.log()}`);
    assert.equal(link.kind, 'macvlan');
    assert.equal(link.mode, 'private');
    assert.equal(link.mac, VMAC);
    assert.equal(link.base, 'eth0');
    assert.ok(link.up);
    await waitFor('the VIP on d1 vrrp.51', () =>
      linkOf(lab, 'd1', 'vrrp.51')?.addresses.includes(VIP) ? true : undefined,
    );
    assert.ok(!linkOf(lab, 'd1', 'eth0')?.addresses.includes(VIP), 'the VIP is not on eth0');
    assert.ok(!linkOf(lab, 'd2', 'vrrp.51')?.addresses.includes(VIP), 'the backup has no VIP');
    assert.deepEqual(sysctlsOf(lab, 'd1', 'vrrp.51'), {
      arp_ignore: '1',
      arp_filter: '0',
      arp_announce: '0',
      accept_local: '1',
      rp_filter: '0',
      promote_secondaries: '1',
      disable_ipv6: '1',
    });
    const base = sysctlsOf(lab, 'd1', 'eth0');
    assert.equal(base['arp_ignore'], '1');
    assert.equal(base['arp_filter'], '1');
    assert.equal(base['arp_announce'], '2');
    assert.equal(lab.exec('d1', ['cat', '/proc/sys/net/ipv4/igmp_link_local_mcast_reports']).trim(), '0');

    await waitFor('the client to reach the VIP', () => (ping() ? true : undefined), 10_000);
    assert.equal(neighbourMac(lab, 'c', VIP), VMAC, 'the client resolved the VIP to the virtual MAC');

    // A pinger runs through the failover: it must get replies again from the new master.
    const pinger = lab.spawn('c', ['ping', '-i', '0.2', '-W', '1', VIP]);
    let replies = 0;
    pinger.stdout?.on('data', (d: Buffer) => (replies += (d.toString().match(/bytes from/g) ?? []).length));
    cleanups.push(() => void pinger.kill('SIGKILL'));

    await d1.kill();
    // A killed agent leaves its link behind, as keepalived does: cut d1's cable, the machine is gone.
    lab.setLink('d1', false);
    await waitFor('d2 to take over', async () => ((await state(d2)) === 'MASTER' ? true : undefined));
    await waitFor('the VIP on d2 vrrp.51', () =>
      linkOf(lab, 'd2', 'vrrp.51')?.addresses.includes(VIP) ? true : undefined,
    );
    const before = replies;
    await waitFor('the running ping to get replies from d2', () => (replies > before + 3 ? true : undefined));
    assert.equal(neighbourMac(lab, 'c', VIP), VMAC, 'the client still has the virtual MAC');
    pinger.kill('SIGINT');

    // A clean stop removes the link (and puts the base's sysctls back).
    assert.equal(await d2.stop(), 0);
    assert.equal(linkOf(lab, 'd2', 'vrrp.51'), undefined, 'vrrp.51 removed at stop');
    assert.equal(lab.exec('d2', ['cat', '/proc/sys/net/ipv4/igmp_link_local_mcast_reports']).trim(), '1');
    const after = sysctlsOf(lab, 'd2', 'eth0');
    assert.equal(after['arp_ignore'], '0');
    assert.equal(after['arp_filter'], '0');
    assert.equal(after['arp_announce'], '0');
  });

  it('IPv6: vrrp.54 with 00:00:5e:00:02:36 and the base link-local, no EUI-64 address; the client resolves the VIP to it', async () => {
    lab.setLink('d1', true);
    const v6 = (p: number) => `vrrp_instance V6 {
    state BACKUP
    interface eth0
    use_vmac
    virtual_router_id 54
    priority ${p}
    advert_int 0.5
    virtual_ipaddress {
        fd00:99::170/64
    }
}
`;
    const d1 = await floatip('d1', v6(150));
    await waitFor('d1 to become MASTER', async () => ((await state(d1)) === 'MASTER' ? true : undefined));
    const d2 = await floatip('d2', v6(100));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await state(d2), 'BACKUP', `d2 does not hear d1's adverts:\n${d2.log()}`);
    const link = linkOf(lab, 'd1', 'vrrp.54');
    assert.equal(link?.mac, '00:00:5e:00:02:36');
    assert.equal(link?.addrGenMode, 'none');
    const baseLl = linkOf(lab, 'd1', 'eth0')?.addresses.find((a) => a.startsWith('fe80:'));
    assert.deepEqual(
      link?.addresses.sort(),
      ['fd00:99::170', baseLl].sort(),
      'the VIP and the base link-local only',
    );
    assert.equal(sysctlsOf(lab, 'd1', 'vrrp.54')['disable_ipv6'], '0');
    await waitFor(
      'the client to reach the IPv6 VIP',
      () =>
        lab
          .exec('c', ['ping', '-6', '-c', '1', '-W', '1', 'fd00:99::170'], { allowFail: true })
          .includes(' 0% packet loss')
          ? true
          : undefined,
      10_000,
    );
    assert.match(lab.exec('c', ['ip', '-6', 'neigh', 'show', 'fd00:99::170']), /lladdr 00:00:5e:00:02:36/);
  });
});
