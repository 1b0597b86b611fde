// @needs root iproute2 keepalived tcpdump iputils-ping
/**
 * use_vmac between floatip and the real keepalived 2.2.7 with the same keepalived.conf, both ways round:
 * each accepts the other's adverts sent from the VMAC, failover works after a kill -9, and the interface
 * floatip creates is the one keepalived creates (kind, mode, MAC, base, addrgenmode, sysctls), with one
 * documented difference: floatip also sets arp_announce=2 on the base, because keepalived's master
 * re-teaches every neighbour the VIP at the base MAC as soon as it ARPs for it (shown below).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { assertLabPrerequisites, createLab, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip, type RunningFloatip } from './lib/floatip.ts';
import { startKeepalived, type RunningKeepalived } from './lib/keepalived.ts';
import { captureOn, garpSenderMacs, linkOf, neighbourMac, sysctlsOf, vrrpSourceMacs } from './lib/links.ts';

const VIP = '10.99.0.171';
const VMAC = '00:00:5e:00:01:34';

const config = (priority: number) => `global_defs {
    vrrp_garp_master_delay 1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    use_vmac
    virtual_router_id 52
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        ${VIP}/24
    }
}
`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const entered = (ka: RunningKeepalived, state: string) =>
  (ka.log().match(new RegExp(`\\(VI_1\\) Entering ${state} STATE`, 'g')) ?? []).length;

describe('use_vmac: floatip and keepalived 2.2 on one segment', () => {
  let lab: Lab;
  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    for (const n of ['d1', 'd2']) lab.exec(n, ['ip', 'link', 'del', 'vrrp.52'], { allowFail: true });
    lab.setLink('d1', true);
  };
  const floatip = async (node: string): Promise<RunningFloatip> => {
    const a = startFloatip(lab, node, config(node === 'd1' ? 150 : 100));
    cleanups.push(async () => {
      await a.kill();
      a.cleanup();
    });
    await a.ready();
    return a;
  };
  const keepalived = (node: string): RunningKeepalived => {
    const k = startKeepalived(lab, node, config(node === 'd1' ? 150 : 100));
    cleanups.push(async () => {
      k.kill();
      await k.stop();
    });
    return k;
  };
  const state = async (a: RunningFloatip) => (await a.status()).instances[0]?.state;
  const ping = () =>
    lab.exec('c', ['ping', '-c', '1', '-W', '1', VIP], { allowFail: true }).includes(' 0% packet loss');
  const vipOn = (node: string) => linkOf(lab, node, 'vrrp.52')?.addresses.includes(VIP) ?? false;
  const capture = (body: () => Promise<void>) => captureOn(lab, 'c', 'vrrp or arp', body);

  before(() => {
    assertLabPrerequisites(['keepalived', 'ping', 'tcpdump']);
    lab = createLab({ directors: 2, client: true });
  });
  afterEach(runCleanups);
  after(async () => {
    if (lab) await runCleanups();
    lab?.destroy();
  });

  it('keepalived MASTER, floatip BACKUP: same interface both sides; floatip takes over after kill -9 and the client ends on the virtual MAC', async () => {
    const theirs = keepalived('d1');
    const ours = await floatip('d2');
    await waitFor('keepalived to become MASTER', () =>
      entered(theirs, 'MASTER') > 0 && vipOn('d1') ? true : undefined,
    );
    await waitFor('floatip to settle in BACKUP', async () =>
      (await state(ours)) === 'BACKUP' ? true : undefined,
    );

    // The interface: what floatip made on d2 against what keepalived made on d1.
    const ka = linkOf(lab, 'd1', 'vrrp.52');
    const fl = linkOf(lab, 'd2', 'vrrp.52');
    assert.ok(ka && fl, `vrrp.52 missing: keepalived ${JSON.stringify(ka)} floatip ${JSON.stringify(fl)}`);
    const shape = (l: typeof ka) => ({
      kind: l.kind,
      mode: l.mode,
      mac: l.mac,
      base: l.base,
      up: l.up,
      addrGenMode: l.addrGenMode,
    });
    assert.deepEqual(shape(fl), shape(ka));
    assert.equal(fl.mac, VMAC);
    assert.deepEqual(sysctlsOf(lab, 'd2', 'vrrp.52'), sysctlsOf(lab, 'd1', 'vrrp.52'));
    const kaBase = sysctlsOf(lab, 'd1', 'eth0');
    const flBase = sysctlsOf(lab, 'd2', 'eth0');
    assert.deepEqual({ ...flBase, arp_announce: '?' }, { ...kaBase, arp_announce: '?' });
    assert.equal(kaBase['arp_announce'], '0');
    assert.equal(flBase['arp_announce'], '2', 'floatip also sets arp_announce=2 on the base');

    // keepalived's adverts come from the VMAC and floatip accepts them: it stays BACKUP past master-down.
    const frames = await capture(() => sleep(4000));
    assert.deepEqual([...vrrpSourceMacs(frames)], [VMAC], 'adverts are sent from the virtual MAC');
    assert.equal(
      await state(ours),
      'BACKUP',
      `floatip:\n${ours.log()}\n${JSON.stringify(await ours.status())}\n${lab.exec('d2', ['ip', '-s', 'link', 'show', 'vrrp.52'])}\n${lab.exec('d2', ['ip', 'maddr'])}`,
    );
    assert.ok(!vipOn('d2'));

    await waitFor('the client to reach the VIP on keepalived', () => (ping() ? true : undefined), 10_000);
    // keepalived's own ARP request for the client leaves the base with the VIP as sender: the client now
    // has the VIP at d1's base MAC (the reason for floatip's arp_announce=2).
    assert.equal(neighbourMac(lab, 'c', VIP), lab.nodes['d1']?.mac);

    const pinger = lab.spawn('c', ['ping', '-i', '0.2', '-W', '1', VIP]);
    let replies = 0;
    pinger.stdout?.on('data', (d: Buffer) => (replies += (d.toString().match(/bytes from/g) ?? []).length));
    cleanups.push(() => void pinger.kill('SIGKILL'));
    const failover = await capture(async () => {
      theirs.kill();
      lab.setLink('d1', false); // keepalived killed leaves its VMAC and VIP: the machine is gone
      await waitFor('floatip to take over', async () =>
        (await state(ours)) === 'MASTER' && vipOn('d2') ? true : undefined,
      );
      const before = replies;
      await waitFor('the running ping to get replies from floatip', () =>
        replies > before + 3 ? true : undefined,
      );
    });
    assert.ok(garpSenderMacs(failover, VIP).has(VMAC), 'floatip announced the VIP at the virtual MAC');
    assert.ok(!garpSenderMacs(failover, VIP).has(lab.nodes['d2']?.mac ?? '?'));
    assert.equal(neighbourMac(lab, 'c', VIP), VMAC, 'the client is back on the virtual MAC');
    pinger.kill('SIGINT');
  });

  it('floatip MASTER, keepalived BACKUP: keepalived accepts adverts from our VMAC and takes over after kill -9', async () => {
    const ours = await floatip('d1');
    await waitFor('floatip to become MASTER', async () =>
      (await state(ours)) === 'MASTER' && vipOn('d1') ? true : undefined,
    );
    const theirs = keepalived('d2');
    await waitFor('keepalived to enter BACKUP', () => (entered(theirs, 'BACKUP') > 0 ? true : undefined));
    const frames = await capture(() => sleep(4500));
    assert.equal(
      entered(theirs, 'MASTER'),
      0,
      `keepalived took over:\n${theirs.log()}\nfloatip:\n${ours.log()}`,
    );
    assert.deepEqual([...vrrpSourceMacs(frames)], [VMAC], 'our adverts are sent from the virtual MAC');

    await waitFor('the client to reach the VIP on floatip', () => (ping() ? true : undefined), 10_000);
    assert.equal(neighbourMac(lab, 'c', VIP), VMAC, 'the client has the VIP at the virtual MAC');

    const pinger = lab.spawn('c', ['ping', '-i', '0.2', '-W', '1', VIP]);
    let replies = 0;
    pinger.stdout?.on('data', (d: Buffer) => (replies += (d.toString().match(/bytes from/g) ?? []).length));
    cleanups.push(() => void pinger.kill('SIGKILL'));
    const failover = await capture(async () => {
      await ours.kill();
      lab.setLink('d1', false);
      await waitFor('keepalived to take over', () =>
        entered(theirs, 'MASTER') > 0 && vipOn('d2') ? true : undefined,
      );
      const before = replies;
      await waitFor('the running ping to get replies from keepalived', () =>
        replies > before + 3 ? true : undefined,
      );
    });
    assert.ok(garpSenderMacs(failover, VIP).has(VMAC), 'keepalived announced the VIP at the virtual MAC');
    pinger.kill('SIGINT');
  });
});
