// @needs root iproute2
/** The rtnetlink AddressManager in a lab namespace, checked against what `ip addr` reports. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLab, type Lab } from '../../helpers/netns.ts';
import { tool } from './lab-tool.ts';

describe('rtnetlink AddressManager in a netns lab', () => {
  let lab: Lab;
  before(() => {
    lab = createLab({ directors: 1, client: false });
  });
  after(() => lab?.destroy());
  const ipShow = (fam: string) => lab.exec('d1', ['ip', '-o', fam, 'addr', 'show', 'dev', 'eth0']);

  it('adds an IPv4 VIP with label, broadcast and scope, idempotently, and removes it', () => {
    const add = ['addr', 'add', 'eth0', '10.99.0.250/24', 'label', 'eth0:vip', 'brd', '10.99.0.255'];
    assert.deepEqual(tool(lab, 'd1', add), [{ ok: true }]);
    assert.deepEqual(tool(lab, 'd1', add), [{ ok: true }], 'adding twice is not an error');
    const line = ipShow('-4')
      .split('\n')
      .find((l) => l.includes('10.99.0.250/24'));
    assert.ok(line, 'the VIP is on eth0');
    assert.match(line, /brd 10\.99\.0\.255 scope global secondary eth0:vip/);
    const listed = tool(lab, 'd1', ['addr', 'list', 'eth0'])[0] as { address: string; label?: string }[];
    assert.deepEqual(
      listed.find((a) => a.address === '10.99.0.250'),
      {
        interfaceName: 'eth0',
        address: '10.99.0.250',
        prefixLength: 24,
        scope: 'global',
        label: 'eth0:vip',
        broadcast: '10.99.0.255',
      },
    );
    tool(lab, 'd1', ['addr', 'remove', 'eth0', '10.99.0.250/24']);
    assert.ok(!ipShow('-4').includes('10.99.0.250'), 'the VIP is gone');
    assert.deepEqual(tool(lab, 'd1', ['addr', 'remove', 'eth0', '10.99.0.250/24']), [{ ok: true }]);
  });

  it('adds an IPv6 /128 VIP as deprecated (preferred_lft 0), an IPv4 host-scope address, and removes them', () => {
    tool(lab, 'd1', ['addr', 'add', 'eth0', 'fd00:99::250/128', 'plft', '0']);
    const line = ipShow('-6')
      .split('\n')
      .find((l) => l.includes('fd00:99::250/128'));
    assert.ok(line);
    assert.match(line, /deprecated/);
    assert.match(line, /preferred_lft 0sec/);
    tool(lab, 'd1', ['addr', 'add', 'eth0', '10.99.0.251/32', 'scope', 'host']);
    assert.match(ipShow('-4'), /10\.99\.0\.251\/32 scope host/);
    tool(lab, 'd1', ['addr', 'remove', 'eth0', 'fd00:99::250/128']);
    tool(lab, 'd1', ['addr', 'remove', 'eth0', '10.99.0.251/32']);
    assert.ok(!ipShow('-6').includes('fd00:99::250'));
  });

  it('lists the lab address of eth0 and rejects an unknown interface clearly', () => {
    const listed = tool(lab, 'd1', ['addr', 'list', 'eth0'])[0] as { address: string }[];
    assert.ok(listed.some((a) => a.address === '10.99.0.11'));
    assert.ok(listed.some((a) => a.address === 'fd00:99::b'));
    assert.throws(() => tool(lab, 'd1', ['addr', 'add', 'nosuch0', '10.99.0.252/24']), /nosuch0/);
    // Removing from an interface that is gone (a VMAC deleted under its instance) is done: so is the address.
    assert.deepEqual(tool(lab, 'd1', ['addr', 'remove', 'nosuch0', '10.99.0.252/24']), [{ ok: true }]);
  });
});
