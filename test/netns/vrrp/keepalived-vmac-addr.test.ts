// @needs root iproute2 keepalived tcpdump
/**
 * use_vmac_addr, per-address use_vmac and garp_extra_if, and a VMAC deleted under a running instance:
 * keepalived 2.2.7 runs a config on d1, floatip the same config on d2 (one at a time, each alone on the
 * segments), and what each leaves in the kernel (`ip -d -j link`, `ip -j addr`, the sysctls) and puts on
 * the wire is compared field by field. Each director has eth0 (10.99.0.0/24) and eth1 (10.98.0.0/24).
 * floatip alone also reloads between two such configs (SIGHUP) and cleans up at stop.
 *
 * Differences, each asserted: floatip also sets arp_announce=2 on a VMAC's base (keepalived-vmac.test.ts
 * says why); a deleted use_vmac_addr VMAC leaves keepalived in FAULT for good (it only makes the instance's
 * own VMAC again), floatip makes it again and the instance returns to MASTER.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { assertLabPrerequisites, createLab, waitFor, type Lab } from '../../helpers/netns.ts';
import { startFloatip } from './lib/floatip.ts';
import { startKeepalived } from './lib/keepalived.ts';
import { addSecondSegment, announcements, captureOn, linkNames, linkOf, sysctlsOf } from './lib/links.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One director's config; `notify` writes each state to a file so FAULT episodes are seen. */
const instance = (body: string, notify: string, globals = '') => `global_defs {
    vrrp_garp_master_delay 1
${globals}}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority 150
    advert_int 1
    notify ${notify}
${body}
}
`;

/** use_vmac + use_vmac_addr: VIPs/eVIPs on eth1 and of the other family get VMACs of their own. */
const VMAC_ADDR = `    use_vmac
    use_vmac_addr
    garp_extra_if 2
    virtual_ipaddress {
        10.99.0.50/24
        10.98.0.50/24 dev eth1
    }
    virtual_ipaddress_excluded {
        10.98.0.51/24 dev eth1
        fd00:99::50/64
        fd00:98::50/64 dev eth1
    }`;

/** No instance VMAC: one VIP asks for its own; garp_extra_if all also covers the plain eth1. */
const PER_ADDRESS = `    garp_extra_if all 2
    virtual_ipaddress {
        10.99.0.50/24 use_vmac
        10.99.0.52/24
        10.98.0.50/24 dev eth1
        10.98.0.52/24 dev eth1
    }`;

/** The instance's VMAC and one address VMAC, for deleting them. */
const DELETE = `    use_vmac
    virtual_ipaddress {
        10.99.0.50/24
        10.98.0.50/24 dev eth1 use_vmac
    }`;

interface Daemon {
  states(): string[];
  stop(): Promise<void>;
  log(): string;
}

describe('use_vmac_addr / per-address use_vmac / garp_extra_if / deleted VMAC: floatip against keepalived 2.2', () => {
  let lab: Lab;
  let running: Daemon | undefined;

  /** Starts keepalived or floatip on `node` with the instance body; its notify lines go to a file. */
  const start = async (who: 'keepalived' | 'floatip', node: string, body: string, globals = '') => {
    const dir = mkdtempSync(join(tmpdir(), 'fip-vmac-addr-'));
    const statesFile = join(dir, 'states');
    const script = join(dir, 'notify.sh');
    writeFileSync(script, `#!/bin/sh\necho "$3" >> ${statesFile}\n`);
    chmodSync(script, 0o755);
    writeFileSync(statesFile, '');
    const config = instance(body, script, globals);
    const states = () => readFileSync(statesFile, 'utf8').split('\n').filter(Boolean);
    let d: Daemon;
    if (who === 'keepalived') {
      const k = startKeepalived(lab, node, config);
      d = {
        states,
        log: k.log,
        stop: async () => {
          await k.stop();
          rmSync(dir, { recursive: true, force: true });
          // keepalived 2.2.7 leaves the bases' ARP sysctls set after it stops: start the next run clean.
          for (const dev of ['eth0', 'eth1'])
            for (const k of ['arp_ignore', 'arp_filter'])
              lab.exec(node, ['sysctl', '-qw', `net.ipv4.conf.${dev}.${k}=0`]);
        },
      };
    } else {
      const f = startFloatip(lab, node, config);
      d = {
        states,
        log: f.log,
        stop: async () => {
          await f.stop();
          f.cleanup();
          rmSync(dir, { recursive: true, force: true });
        },
      };
      await f.ready();
    }
    running = d;
    await waitFor(`${who} on ${node} to become MASTER`, () =>
      d.states().at(-1) === 'MASTER' ? true : undefined,
    );
    return d;
  };

  /** IPv6 addresses of an interface with preferred lifetime 0 (`ip addr` says "deprecated"). */
  const deprecatedOn = (node: string, dev: string): string[] => {
    const [l] = JSON.parse(lab.exec(node, ['ip', '-6', '-j', 'addr', 'show', 'dev', dev])) as {
      addr_info?: { local: string; preferred_life_time?: number }[];
    }[];
    return (l?.addr_info ?? []).filter((a) => a.preferred_life_time === 0).map((a) => a.local);
  };

  /** The node's VMACs and their bases as comparable data (the node's own MACs and link-locals named). */
  const snapshot = (node: string) => {
    const own = new Map<string, string>();
    for (const dev of ['eth0', 'eth1']) {
      const l = linkOf(lab, node, dev);
      if (!l) continue;
      own.set(l.mac, `mac(${dev})`);
      for (const a of l.addresses) if (a.startsWith('fe80:')) own.set(a, `ll(${dev})`);
    }
    const name = (x: string) => own.get(x) ?? x;
    const links: Record<string, unknown> = {};
    for (const n of linkNames(lab, node).filter((n) => n !== 'lo' && n !== 'eth0' && n !== 'eth1')) {
      const l = linkOf(lab, node, n);
      if (!l) continue;
      links[n] = {
        kind: l.kind,
        mode: l.mode,
        mac: name(l.mac),
        base: l.base,
        up: l.up,
        addrGenMode: l.addrGenMode,
        addresses: l.addresses.map(name).sort(),
        deprecated: deprecatedOn(node, n).map(name),
        sysctls: sysctlsOf(lab, node, n),
      };
    }
    const bases: Record<string, unknown> = {};
    for (const dev of ['eth0', 'eth1']) bases[dev] = { ...sysctlsOf(lab, node, dev), arp_announce: '?' };
    return { links, bases, name };
  };

  /** GARPs/NAs a MASTER sends on eth0 and eth1 over 4.5 s once its become-master bursts are over. */
  const steadyAnnouncements = async (node: string, name: (x: string) => string) => {
    await sleep(2000); // the 2nd burst comes 1 s after MASTER (vrrp_garp_master_delay 1)
    const seen: Record<string, Record<string, number>> = {};
    const eth1 = await captureOn(
      lab,
      node,
      'arp or icmp6',
      async () => {
        const eth0 = await captureOn(lab, node, 'arp or icmp6', () => sleep(4500));
        seen['eth0'] = Object.fromEntries(announcements(eth0));
      },
      'eth1',
    );
    seen['eth1'] = Object.fromEntries(announcements(eth1));
    // Which (MAC, address) pairs were announced; how often is compared separately (≥ 2 in 4.5 s at 2 s).
    const pairs = Object.entries(seen).flatMap(([dev, m]) =>
      Object.keys(m).map((k) => {
        const [mac = '', address = ''] = k.split(' ');
        return `${dev} ${name(mac)} ${address}`;
      }),
    );
    const counts = Object.values(seen).flatMap((m) => Object.values(m));
    return { pairs: pairs.sort(), counts };
  };

  before(() => {
    assertLabPrerequisites(['keepalived', 'tcpdump']);
    lab = createLab({ directors: 2, client: false });
    addSecondSegment(lab);
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  after(() => lab?.destroy());

  it('use_vmac_addr: the same VMACs (names, MACs, bases, addresses, sysctls) and the same periodic GARP/NA', async () => {
    const ka = await start('keepalived', 'd1', VMAC_ADDR);
    await waitFor('keepalived to add its eVIPs', () =>
      linkOf(lab, 'd1', 'vrrp2.61')?.addresses.includes('fd00:98::50') ? true : undefined,
    );
    const theirs = snapshot('d1');
    const theirWire = await steadyAnnouncements('d1', theirs.name);
    await ka.stop();
    running = undefined;

    await start('floatip', 'd2', VMAC_ADDR);
    await waitFor('floatip to add its eVIPs', () =>
      linkOf(lab, 'd2', 'vrrp2.61')?.addresses.includes('fd00:98::50') ? true : undefined,
    );
    const ours = snapshot('d2');
    const ourWire = await steadyAnnouncements('d2', ours.name);

    assert.deepEqual(Object.keys(theirs.links).sort(), ['vrrp.61', 'vrrp1.61', 'vrrp2.61', 'vrrp6.61']);
    assert.deepEqual(ours.links, theirs.links);
    assert.deepEqual(ours.bases, theirs.bases);
    assert.deepEqual((ours.links['vrrp1.61'] as { addresses: string[] }).addresses, [
      '10.98.0.50',
      '10.98.0.51',
    ]);
    assert.equal(sysctlsOf(lab, 'd2', 'eth1')['arp_announce'], '2', 'floatip: arp_announce=2 on the base');
    // Every interface adverts do not refresh, once per 2 s, for its first address: not vrrp.61.
    assert.deepEqual(theirWire.pairs, [
      'eth0 00:00:5e:00:02:3d fd00:99::50',
      'eth1 00:00:5e:00:01:3d 10.98.0.50',
      'eth1 00:00:5e:00:02:3d fd00:98::50',
    ]);
    assert.deepEqual(ourWire.pairs, theirWire.pairs);
    assert.ok(
      ourWire.counts.every((n) => n >= 2),
      `floatip: ${JSON.stringify(ourWire)}`,
    );
  });

  it('per-address use_vmac and garp_extra_if all: a VMAC for one VIP, GARPs on it and on the plain eth1', async () => {
    const globals = '    vmac_prefix vm\n';
    const ka = await start('keepalived', 'd1', PER_ADDRESS, globals);
    const theirs = snapshot('d1');
    const theirWire = await steadyAnnouncements('d1', theirs.name);
    const theirAddrs = (dev: string) => linkOf(lab, 'd1', dev)?.addresses.filter((a) => a.startsWith('10.9'));
    const kaEth = [theirAddrs('eth0'), theirAddrs('eth1')];
    await ka.stop();
    running = undefined;

    await start('floatip', 'd2', PER_ADDRESS, globals);
    const ours = snapshot('d2');
    const ourWire = await steadyAnnouncements('d2', ours.name);
    const ourAddrs = (dev: string) => linkOf(lab, 'd2', dev)?.addresses.filter((a) => a.startsWith('10.9'));

    assert.deepEqual(Object.keys(theirs.links), ['vm.61']);
    assert.deepEqual(ours.links, theirs.links);
    assert.deepEqual(ours.bases, theirs.bases);
    const host = (a: string[] | undefined, own: string) => a?.filter((x) => x !== own).sort();
    assert.deepEqual(
      [host(ourAddrs('eth0'), '10.99.0.12'), host(ourAddrs('eth1'), '10.98.0.12')],
      [host(kaEth[0], '10.99.0.11'), host(kaEth[1], '10.98.0.11')],
    );
    assert.deepEqual(theirWire.pairs, ['eth0 00:00:5e:00:01:3d 10.99.0.50', 'eth1 mac(eth1) 10.98.0.50']);
    assert.deepEqual(ourWire.pairs, theirWire.pairs);
    assert.ok(
      ourWire.counts.every((n) => n >= 2),
      `floatip: ${JSON.stringify(ourWire)}`,
    );
  });

  it('floatip reload (SIGHUP): address VMACs the new config adds are made, those it drops go; stop removes all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fip-vmac-addr-'));
    const notify = join(dir, 'notify.sh');
    writeFileSync(notify, '#!/bin/sh\n');
    chmodSync(notify, 0o755);
    const f = startFloatip(lab, 'd2', instance(DELETE, notify));
    try {
      await f.ready();
      const vmacs = () => linkNames(lab, 'd2').filter((n) => n.startsWith('vrrp'));
      await waitFor('vrrp.61 and vrrp1.61', () => (vmacs().length === 2 ? true : undefined));
      f.writeConfig(instance(VMAC_ADDR, notify));
      f.signal('SIGHUP');
      await waitFor('the use_vmac_addr VMACs after reload', () =>
        linkOf(lab, 'd2', 'vrrp2.61')?.addresses.includes('fd00:98::50') ? true : undefined,
      );
      assert.deepEqual(vmacs().sort(), ['vrrp.61', 'vrrp1.61', 'vrrp2.61', 'vrrp6.61']);
      f.writeConfig(instance(DELETE, notify));
      f.signal('SIGHUP');
      await waitFor('the IPv6 VMACs to go after the second reload', () =>
        vmacs().length === 2 ? true : undefined,
      );
      assert.deepEqual(vmacs().sort(), ['vrrp.61', 'vrrp1.61']);
      assert.equal(await f.stop(), 0);
      assert.deepEqual(vmacs(), [], 'every VMAC removed at stop');
      for (const dev of ['eth0', 'eth1'])
        assert.deepEqual(
          [sysctlsOf(lab, 'd2', dev)['arp_ignore'], sysctlsOf(lab, 'd2', dev)['arp_announce']],
          ['0', '0'],
          `${dev}'s sysctls put back`,
        );
      assert.doesNotMatch(f.log(), /"level":50/, f.log());
    } finally {
      await f.kill();
      f.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a deleted VMAC: FAULT, made again, BACKUP, MASTER as keepalived; a deleted address VMAC is made again too', async () => {
    const episode = async (who: 'keepalived' | 'floatip', node: string) => {
      const d = await start(who, node, DELETE);
      const before = linkOf(lab, node, 'vrrp.61');
      const from = d.states().length;
      lab.exec(node, ['ip', 'link', 'del', 'vrrp.61']);
      await waitFor(`${who}: MASTER again after losing vrrp.61`, () =>
        d.states().slice(from).includes('MASTER') &&
        linkOf(lab, node, 'vrrp.61')?.addresses.includes('10.99.0.50')
          ? true
          : undefined,
      );
      const after = linkOf(lab, node, 'vrrp.61');
      const remade = { ...after, addresses: after?.addresses.sort() };
      const steps = d.states().slice(from);
      const from2 = d.states().length;
      lab.exec(node, ['ip', 'link', 'del', 'vrrp1.61']);
      await waitFor(`${who}: FAULT after losing vrrp1.61`, () =>
        d.states().slice(from2).includes('FAULT') ? true : undefined,
      );
      await sleep(5000); // master-down at priority 150 is 3.4 s: time enough to become MASTER again
      const addressSteps = d.states().slice(from2);
      const addressVmac = linkOf(lab, node, 'vrrp1.61');
      await d.stop();
      running = undefined;
      return { before, remade, steps, addressSteps, addressVmac, log: d.log() };
    };
    const ka = await episode('keepalived', 'd1');
    const fl = await episode('floatip', 'd2');

    // keepalived forks one notify process per transition: FAULT and BACKUP, entered in the same
    // millisecond, can reach the file in either order (seen once in CI); its log has the true order.
    assert.deepEqual([...ka.steps].sort(), ['BACKUP', 'FAULT', 'MASTER'], ka.log);
    assert.equal(ka.steps.at(-1), 'MASTER', ka.log);
    assert.match(ka.log, /Entering FAULT STATE[\s\S]*Entering BACKUP STATE[\s\S]*Entering MASTER STATE/);
    assert.deepEqual(fl.steps, ['FAULT', 'BACKUP', 'MASTER'], fl.log);
    const shape = (l: typeof fl.remade) => ({
      kind: l.kind,
      mode: l.mode,
      mac: l.mac,
      base: l.base,
      up: l.up,
    });
    assert.deepEqual(shape(fl.remade), shape(ka.remade));
    assert.equal(fl.remade.mac, '00:00:5e:00:01:3d');
    // keepalived 2.2.7 does not make an address VMAC again: the instance stays in FAULT.
    assert.deepEqual(ka.addressSteps, ['FAULT'], ka.log);
    assert.equal(ka.addressVmac, undefined);
    assert.deepEqual(fl.addressSteps, ['FAULT', 'BACKUP', 'MASTER'], fl.log);
    assert.ok(fl.addressVmac?.addresses.includes('10.98.0.50'), JSON.stringify(fl.addressVmac));
    assert.equal(fl.addressVmac?.mac, '00:00:5e:00:01:3d');
    assert.doesNotMatch(
      fl.log,
      /cannot remove VIP|cannot make/,
      'VIPs that went with their VMAC are no error',
    );
  });
});
