/**
 * use_vmac_addr / per-address use_vmac / garp_extra_if planning: which addresses get a VMAC of their own,
 * its name, MAC, base and link-local, sharing and reuse, tracking, and which addresses garp_extra_if
 * announces. The layouts asserted here are the ones keepalived 2.2.7 made in
 * test/netns/vrrp/keepalived-vmac-addr.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eui64LinkLocal } from '../../../core/app/address-links-plan.ts';
import { planVrrp } from '../../../core/app/vrrp-plan.ts';
import { parseKeepalived } from '../../../core/config/index.ts';
import type { LinkFact } from '../../../core/ports/index.ts';

const link = (name: string, mac: string, extra: Partial<LinkFact> = {}): LinkFact => ({
  name,
  kind: 'veth',
  mac,
  up: true,
  addresses: [],
  ...extra,
});
const host = [link('eth0', '02:99:00:00:00:0b'), link('eth1', '02:98:00:00:00:0b')];
const lls: Record<string, string> = { eth0: 'fe80::99:ff:fe00:b', eth1: 'fe80::98:ff:fe00:b' };

const plan = (body: string, globals = '', links: LinkFact[] = host) => {
  const parsed = parseKeepalived(`global_defs {
${globals}}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 61
${body}
}
`);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  const r = planVrrp(
    parsed.config,
    (i, f) => (f === 'ipv4' ? (i === 'eth0' ? '10.99.0.11' : '10.98.0.11') : lls[i]),
    links,
  );
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.plan;
};
const on = (p: ReturnType<typeof plan>) =>
  Object.fromEntries(Object.entries(p.instances[0]?.addresses ?? {}).map(([a, e]) => [a, e.interfaceName]));
const links = (p: ReturnType<typeof plan>) =>
  p.virtualLinks.map((l) => [l.name, l.base, l.mac, l.family, l.ipv6, l.address?.address ?? '-', l.action]);
const interfaceTrackers = (p: ReturnType<typeof plan>) =>
  (p.instances[0]?.spec.trackers ?? []).filter((t) => t.kind === 'interface').map((t) => [t.id, t.weight]);

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

describe('use_vmac_addr', () => {
  it('other interfaces and the other family get VMACs named and addressed as keepalived names them', () => {
    const p = plan(VMAC_ADDR);
    assert.deepEqual(links(p), [
      ['vrrp.61', 'eth0', '00:00:5e:00:01:3d', 'ipv4', true, '-', 'create'],
      ['vrrp1.61', 'eth1', '00:00:5e:00:01:3d', 'ipv4', false, '-', 'create'],
      ['vrrp6.61', 'eth0', '00:00:5e:00:02:3d', 'ipv6', true, lls['eth0'], 'create'],
      ['vrrp2.61', 'eth1', '00:00:5e:00:02:3d', 'ipv6', true, lls['eth1'], 'create'],
    ]);
    assert.deepEqual(on(p), {
      '10.99.0.50': 'vrrp.61',
      '10.98.0.50': 'vrrp1.61',
      '10.98.0.51': 'vrrp1.61',
      'fd00:99::50': 'vrrp6.61',
      'fd00:98::50': 'vrrp2.61',
    });
    assert.ok(!p.warnings.some((w) => /use_vmac/.test(w)), p.warnings.join('\n'));
  });
  it('every VMAC of the instance is tracked unweighted: losing one is a FAULT', () => {
    assert.deepEqual(interfaceTrackers(plan(VMAC_ADDR)), [
      ['interface:eth0', 0],
      ['interface:vrrp.61', 0],
      ['interface:vrrp1.61', 0],
      ['interface:vrrp6.61', 0],
      ['interface:vrrp2.61', 0],
    ]);
  });
  it('garp_extra_if announces the first address of each VMAC adverts do not leave from', () => {
    const g = plan(VMAC_ADDR).instances[0]?.spec.garp;
    assert.equal(g?.extraIfMs, 2000);
    assert.deepEqual(g?.extraIfAddresses, ['10.98.0.50', 'fd00:99::50', 'fd00:98::50']);
  });
  it('vmac_addr_prefix names them, else vmac_prefix', () => {
    const names = (globals: string) => plan(VMAC_ADDR, globals).virtualLinks.map((l) => l.name);
    assert.deepEqual(names('    vmac_prefix vm\n'), ['vm.61', 'vm1.61', 'vm6.61', 'vm2.61']);
    assert.deepEqual(names('    vmac_prefix vm\n    vmac_addr_prefix va\n'), [
      'vm.61',
      'va.61',
      'va6.61',
      'va1.61',
    ]);
  });
  it('a MAC configured on use_vmac is every VMAC MAC, and an address VMAC of the same base and MAC is shared', () => {
    const p = plan(VMAC_ADDR.replace('    use_vmac\n', '    use_vmac vm61 02:11:22:33:44:55\n'));
    assert.deepEqual(
      p.virtualLinks.map((l) => [l.name, l.base, l.mac]),
      [
        ['vm61', 'eth0', '02:11:22:33:44:55'],
        ['vrrp.61', 'eth1', '02:11:22:33:44:55'],
      ],
    );
    assert.equal(on(p)['fd00:99::50'], 'vm61', 'same base and MAC: the instance VMAC');
    assert.equal(on(p)['fd00:98::50'], 'vrrp.61');
  });
  it('a private macvlan with the base and MAC that exists is taken over under its name', () => {
    const left = link('old61', '00:00:5e:00:01:3d', {
      kind: 'macvlan',
      macvlanMode: 'private',
      base: 'eth1',
    });
    const p = plan(VMAC_ADDR, '', [...host, left]);
    assert.deepEqual(links(p)[1], ['old61', 'eth1', '00:00:5e:00:01:3d', 'ipv4', false, '-', 'reuse']);
    assert.equal(on(p)['10.98.0.51'], 'old61');
  });
  it('no_track addresses do not track their VMAC; a base without link-local gets the EUI-64 one', () => {
    const p = plan(
      VMAC_ADDR.replace('10.98.0.50/24 dev eth1', '10.98.0.50/24 dev eth1 no_track').replace(
        '10.98.0.51/24 dev eth1',
        '10.98.0.51/24 dev eth1 no_track',
      ),
    );
    assert.ok(!interfaceTrackers(p).some(([id]) => id === 'interface:vrrp1.61'));
    delete lls['eth1'];
    try {
      const l = plan(VMAC_ADDR).virtualLinks.find((x) => x.name === 'vrrp2.61');
      assert.equal(l?.address?.address, 'fe80::98:ff:fe00:b');
    } finally {
      lls['eth1'] = 'fe80::98:ff:fe00:b';
    }
  });
});

describe('per-address use_vmac', () => {
  const PER_ADDRESS = `    garp_extra_if all 2
    virtual_ipaddress {
        10.99.0.50/24 use_vmac
        10.99.0.52/24
        10.98.0.50/24 dev eth1
        10.98.0.52/24 dev eth1
    }`;
  it('without an instance VMAC: a VMAC on the instance interface for that VIP only; adverts stay on eth0', () => {
    const p = plan(PER_ADDRESS, '    vmac_prefix vm\n');
    assert.deepEqual(links(p), [['vm.61', 'eth0', '00:00:5e:00:01:3d', 'ipv4', false, '-', 'create']]);
    assert.deepEqual(on(p), {
      '10.99.0.50': 'vm.61',
      '10.99.0.52': 'eth0',
      '10.98.0.50': 'eth1',
      '10.98.0.52': 'eth1',
    });
    assert.equal(p.instances[0]?.interfaceName, 'eth0');
  });
  it('garp_extra_if all: the VMAC and the plain eth1, not the interface adverts leave from', () => {
    assert.deepEqual(plan(PER_ADDRESS).instances[0]?.spec.garp.extraIfAddresses, [
      '10.99.0.50',
      '10.98.0.50',
    ]);
    const noAll = plan(PER_ADDRESS.replace('garp_extra_if all 2', 'garp_extra_if 2'));
    assert.deepEqual(noAll.instances[0]?.spec.garp.extraIfAddresses, ['10.99.0.50']);
  });
  it('global vrrp_garp_extra_if is the default; the instance keyword wins', () => {
    const body = PER_ADDRESS.replace('    garp_extra_if all 2\n', '');
    assert.equal(plan(body, '    vrrp_garp_extra_if 30\n').instances[0]?.spec.garp.extraIfMs, 30_000);
    assert.equal(plan(PER_ADDRESS, '    vrrp_garp_extra_if 30\n').instances[0]?.spec.garp.extraIfMs, 2000);
  });
  it('garp_extra_if is off when no address is on an extra interface (without all: on a VMAC)', () => {
    const none = plan(`    garp_extra_if 2
    virtual_ipaddress {
        10.99.0.50/24
        10.98.0.50/24 dev eth1
    }`);
    assert.equal(none.instances[0]?.spec.garp.extraIfMs, undefined);
  });
  it('with vmac_xmit_base the instance VMAC is announced too (adverts leave from the base MAC)', () => {
    const p = plan(`    use_vmac
    vmac_xmit_base
    garp_extra_if 2
    virtual_ipaddress {
        10.99.0.50/24
        10.98.0.50/24 dev eth1 use_vmac
    }`);
    assert.deepEqual(p.instances[0]?.spec.garp.extraIfAddresses, ['10.99.0.50', '10.98.0.50']);
  });
  it('use_ipvlan: VIPs stay on the base, which garp_extra_if all announces (it is not the ipvlan)', () => {
    const p = plan(`    use_ipvlan iv53 10.99.0.21/24
    garp_extra_if all 2
    virtual_ipaddress {
        10.99.0.50/24
    }`);
    assert.equal(on(p)['10.99.0.50'], 'eth0');
    assert.equal(p.instances[0]?.interfaceName, 'iv53', 'adverts leave from the ipvlan');
    assert.deepEqual(p.instances[0]?.spec.garp.extraIfAddresses, ['10.99.0.50']);
  });
  it('use_vmac written where it changes nothing is warned about, as keepalived does', () => {
    const p = plan(`    use_vmac
    use_vmac_addr
    virtual_ipaddress {
        10.99.0.50/24 use_vmac
        10.98.0.50/24 dev eth1 use_vmac
    }`);
    assert.equal(on(p)['10.99.0.50'], 'vrrp.61');
    assert.equal(on(p)['10.98.0.50'], 'vrrp1.61');
    assert.equal(
      p.warnings.filter((w) => /use_vmac on 10\.9[89]\.0\.50/.test(w)).length,
      2,
      p.warnings.join('\n'),
    );
  });
});

it('eui64LinkLocal: rfc4291 appendix A (universal/local bit flipped, ff:fe in the middle)', () => {
  assert.equal(eui64LinkLocal('02:98:00:00:00:0b'), 'fe80::98:ff:fe00:b');
  assert.equal(eui64LinkLocal('00:00:5e:00:01:3d'), 'fe80::200:5eff:fe00:13d');
  assert.equal(eui64LinkLocal('nonsense'), undefined);
});
