/** use_vmac / use_ipvlan decisions: MAC, naming, reuse of existing interfaces, and keepalived's fix-ups. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  configuredMac,
  freeVmacName,
  planVirtualLink,
  validLinkName,
  vmacName,
  vrrpMac,
  type VirtualLinkRequest,
} from '../../../core/app/virtual-link-plan.ts';
import { planVrrp } from '../../../core/app/vrrp-plan.ts';
import { parseKeepalived } from '../../../core/config/index.ts';
import type { LinkFact } from '../../../core/ports/index.ts';

const eth0: LinkFact = {
  name: 'eth0',
  kind: 'veth',
  mac: '02:99:00:00:00:0b',
  up: true,
  addresses: ['10.0.0.1'],
};
const request = (o: Partial<VirtualLinkRequest> = {}): VirtualLinkRequest => ({
  instance: 'VI_1',
  vrid: 51,
  family: 'ipv4',
  base: 'eth0',
  vmac: {},
  xmitBase: false,
  unicast: false,
  strict: false,
  prefix: 'vrrp',
  sourceIp: '10.0.0.1',
  otherFamilyEvips: false,
  links: [eth0],
  taken: new Set(),
  ...o,
});

describe('virtual MAC and names', () => {
  it('rfc5798 §7.3 MACs: 00:00:5e:00:01:VRID for IPv4, :02: for IPv6', () => {
    assert.equal(vrrpMac(51, 'ipv4'), '00:00:5e:00:01:33');
    assert.equal(vrrpMac(255, 'ipv6'), '00:00:5e:00:02:ff');
  });
  it('a configured MAC: 6 octets as given, 5 octets get the VRID, multicast and rfc5798 ones refused', () => {
    assert.deepEqual(configuredMac('02:AA:bb:1:2:3', 51), { mac: '02:aa:bb:01:02:03' });
    assert.deepEqual(configuredMac('02:aa:bb:cc:dd', 51), { mac: '02:aa:bb:cc:dd:33' });
    assert.deepEqual(configuredMac('02:aa:bb:cc:dd:', 51), { mac: '02:aa:bb:cc:dd:33' });
    assert.match(JSON.stringify(configuredMac('03:aa:bb:cc:dd:ee', 51)), /multicast/);
    assert.match(JSON.stringify(configuredMac('00:00:5e:00:02:07', 51)), /RFC5798/);
    assert.match(JSON.stringify(configuredMac('02:aa:bb', 51)), /invalid/);
    assert.match(JSON.stringify(configuredMac('02:aa:bb:cc:dd:zz', 51)), /invalid/);
  });
  it('names: prefix.VRID cut to 15 characters; numbered when taken (IPv6 tries 6 first)', () => {
    assert.equal(vmacName('vrrp', 0, 51), 'vrrp.51');
    assert.equal(vmacName('averyveryverylongprefix', 0, 255), 'averyveryve.255');
    assert.equal(vmacName('averyveryverylongprefix', 3, 255), 'averyveryv3.255');
    const taken = new Set(['vrrp.51', 'vrrp6.51', 'vrrp1.51']);
    assert.equal(
      freeVmacName('vrrp', 51, 'ipv4', (n) => taken.has(n)),
      'vrrp2.51',
    );
    assert.equal(
      freeVmacName('vrrp', 51, 'ipv6', (n) => taken.has(n)),
      'vrrp2.51',
    );
    assert.equal(
      freeVmacName('vrrp', 51, 'ipv6', (n) => n === 'vrrp.51'),
      'vrrp6.51',
    );
    const upTo6 = new Set(['vrrp.9', 'vrrp6.9', 'vrrp1.9', 'vrrp2.9', 'vrrp3.9', 'vrrp4.9', 'vrrp5.9']);
    assert.equal(
      freeVmacName('vrrp', 9, 'ipv6', (n) => upTo6.has(n)),
      'vrrp7.9',
    );
  });
  it('interface names as the kernel takes them', () => {
    assert.ok(validLinkName('vrrp.51'));
    for (const bad of ['', '.', '..', 'a/b', 'a:b', 'a b', 'sixteen-chars-xx'])
      assert.ok(!validLinkName(bad), bad);
  });
});

describe('planVirtualLink', () => {
  it('default: create vrrp.<VRID> on the interface with the rfc5798 MAC, IPv6 off', () => {
    const d = planVirtualLink(request());
    assert.deepEqual(d.errors, []);
    assert.deepEqual(d.spec, {
      instance: 'VI_1',
      kind: 'macvlan',
      name: 'vrrp.51',
      base: 'eth0',
      mac: '00:00:5e:00:01:33',
      action: 'create',
      family: 'ipv4',
      ipv6: false,
    });
    assert.equal(d.xmitBase, false);
  });
  it('takes over a private macvlan on the same base with the MAC, whatever its name', () => {
    const old: LinkFact = {
      name: 'keep.me',
      kind: 'macvlan',
      macvlanMode: 'private',
      base: 'eth0',
      mac: '00:00:5e:00:01:33',
      up: false,
      addresses: [],
    };
    const d = planVirtualLink(request({ links: [eth0, old], vmac: { name: 'vrrp.51' } }));
    assert.equal(d.spec?.name, 'keep.me');
    assert.equal(d.spec?.action, 'reuse');
    assert.match(d.warnings.join(), /name mismatch vrrp\.51 <=> keep\.me/);
  });
  it('a configured name: refused when it is not a private macvlan, updated or replaced when it is', () => {
    const phys: LinkFact = { name: 'eth1', kind: 'veth', up: true, addresses: [] };
    const refused = planVirtualLink(request({ links: [eth0, phys], vmac: { name: 'eth1' } }));
    assert.equal(refused.spec?.name, 'vrrp.51');
    assert.equal(refused.spec?.action, 'create');
    assert.match(refused.warnings.join(), /eth1 already exists and is not a private macvlan/);
    const wrongMac: LinkFact = {
      name: 'vm1',
      kind: 'macvlan',
      macvlanMode: 'private',
      base: 'eth0',
      mac: '02:00:00:00:00:01',
      up: true,
      addresses: [],
    };
    assert.equal(
      planVirtualLink(request({ links: [eth0, wrongMac], vmac: { name: 'vm1' } })).spec?.action,
      'update',
    );
    const otherBase = { ...wrongMac, base: 'eth1' };
    assert.equal(
      planVirtualLink(request({ links: [eth0, otherBase], vmac: { name: 'vm1' } })).spec?.action,
      'replace',
    );
  });
  it('skips names other instances took and names that exist', () => {
    const taken = new Set(['vrrp.51']);
    const d = planVirtualLink(
      request({ taken, links: [eth0, { name: 'vrrp1.51', up: true, addresses: [] }] }),
    );
    assert.equal(d.spec?.name, 'vrrp2.51');
    assert.ok(taken.has('vrrp2.51'));
  });
  it("keepalived's fix-ups: unicast forces vmac_xmit_base; strict mode drops it and a configured MAC", () => {
    const u = planVirtualLink(request({ unicast: true }));
    assert.equal(u.xmitBase, true);
    assert.match(u.warnings.join(), /requires vmac_xmit_base/);
    const s = planVirtualLink(request({ xmitBase: true, strict: true, vmac: { mac: '02:11:22:33:44:55' } }));
    assert.equal(s.xmitBase, false);
    assert.equal(s.spec?.mac, '00:00:5e:00:01:33');
    assert.equal(s.warnings.length, 2);
    const none = planVirtualLink(request({ vmac: undefined, xmitBase: true }));
    assert.equal(none.spec, undefined);
    assert.match(none.warnings.join(), /only valid with use_vmac/);
  });
  it('IPv6: the :02: MAC, IPv6 kept, the source link-local put on the VMAC (not with vmac_xmit_base)', () => {
    const d = planVirtualLink(request({ family: 'ipv6', sourceIp: 'fe80::1' }));
    assert.equal(d.spec?.mac, '00:00:5e:00:02:33');
    assert.equal(d.spec?.ipv6, true);
    assert.deepEqual(d.spec?.address, { address: 'fe80::1', prefixLength: 64 });
    assert.equal(
      planVirtualLink(request({ family: 'ipv6', sourceIp: 'fe80::1', xmitBase: true })).spec?.address,
      undefined,
    );
  });
  it('ipvlan: an IPv4 one needs an address, which becomes the advert source; flags default to bridge', () => {
    const missing = planVirtualLink(request({ vmac: undefined, ipvlan: {} }));
    assert.match(missing.errors.join(), /IPv4 use_ipvlan needs an address/);
    const d = planVirtualLink(request({ vmac: undefined, ipvlan: { address: '10.0.0.21/24' } }));
    assert.deepEqual(d.errors, []);
    assert.equal(d.spec?.kind, 'ipvlan');
    assert.equal(d.spec?.ipvlanFlags, 'bridge');
    assert.equal(d.spec?.mac, undefined);
    assert.deepEqual(d.spec?.address, { address: '10.0.0.21', prefixLength: 24 });
    assert.equal(d.sourceIp, '10.0.0.21');
    const wrong = planVirtualLink(request({ vmac: undefined, ipvlan: { address: 'fd00::1' } }));
    assert.match(wrong.errors.join(), /must be an IPv4 address/);
    const existing: LinkFact = {
      name: 'iv0',
      kind: 'ipvlan',
      ipvlanMode: 'l2',
      ipvlanFlags: 'private',
      base: 'eth0',
      up: true,
      addresses: ['10.0.0.21'],
    };
    const reuse = planVirtualLink(
      request({
        vmac: undefined,
        links: [eth0, existing],
        ipvlan: { address: '10.0.0.21', mode: 'private' },
      }),
    );
    assert.equal(reuse.spec?.name, 'iv0');
    assert.equal(reuse.spec?.action, 'reuse');
  });
});

describe('planVrrp with use_vmac', () => {
  const conf = (extra: string) => `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    ${extra}
    virtual_ipaddress {
        10.0.0.100/24
        10.0.0.101/24 dev eth1
    }
    virtual_ipaddress_excluded {
        fd00::100/64
    }
}
`;
  const plan = (extra: string) => {
    const parsed = parseKeepalived(conf(extra));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
    const r = planVrrp(parsed.config, (i, f) => (i === 'eth0' && f === 'ipv4' ? '10.0.0.1' : undefined), [
      eth0,
    ]);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return r.plan;
  };
  it('VIPs of the family on the interface and the adverts go on vrrp.51; other devs and families stay', () => {
    const p = plan('use_vmac');
    const b = p.instances[0];
    assert.equal(b?.interfaceName, 'vrrp.51');
    assert.equal(b?.spec.interface, 'vrrp.51');
    assert.equal(b?.spec.sourceIp, '10.0.0.1', 'adverts keep the base address as source');
    assert.equal(b?.addresses['10.0.0.100']?.interfaceName, 'vrrp.51');
    assert.equal(b?.addresses['10.0.0.101']?.interfaceName, 'eth1');
    assert.equal(b?.addresses['fd00::100']?.interfaceName, 'eth0');
    assert.equal(p.virtualLinks[0]?.name, 'vrrp.51');
    assert.equal(p.virtualLinks[0]?.ipv6, true, 'eVIPs of the other family keep IPv6 on');
    assert.ok(!p.warnings.some((w) => /use_vmac/.test(w)), p.warnings.join());
  });
  it('vmac_xmit_base: VIPs on the VMAC, adverts on the base', () => {
    const b = plan('use_vmac vm51 02:11:22:33:44\n    vmac_xmit_base').instances[0];
    assert.equal(b?.interfaceName, 'eth0');
    assert.equal(b?.addresses['10.0.0.100']?.interfaceName, 'vm51');
  });
  it('the configured name and 5-octet MAC reach the link', () => {
    const l = plan('use_vmac vm51 02:11:22:33:44').virtualLinks[0];
    assert.equal(l?.name, 'vm51');
    assert.equal(l?.mac, '02:11:22:33:44:33');
  });
  it('without use_vmac nothing changes', () => {
    const p = plan('');
    assert.equal(p.instances[0]?.interfaceName, 'eth0');
    assert.deepEqual(p.virtualLinks, []);
  });
});
