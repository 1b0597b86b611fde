// @needs root iproute2
/**
 * Gratuitous ARP and unsolicited NA move a neighbour's cache entry: the client starts with a wrong MAC for
 * the VIP, the director announces, and the client's entry then holds the director's MAC.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLab, waitFor, type Lab } from '../../helpers/netns.ts';
import { tool } from './lab-tool.ts';

describe('GARP / unsolicited NA in a netns lab', () => {
  let lab: Lab;
  before(() => {
    lab = createLab({ directors: 1, client: true });
  });
  after(() => lab?.destroy());
  const neigh = (fam: string, ip: string) => lab.exec('c', ['ip', fam, 'neigh', 'show', ip, 'dev', 'eth0']);

  it('a gratuitous ARP replaces the client ARP entry for the VIP', async () => {
    const d1 = lab.nodes['d1'];
    assert.ok(d1);
    lab.exec('c', [
      'ip',
      'neigh',
      'replace',
      '10.99.0.250',
      'lladdr',
      '02:00:00:00:00:ee',
      'dev',
      'eth0',
      'nud',
      'stale',
    ]);
    tool(lab, 'd1', ['addr', 'add', 'eth0', '10.99.0.250/24']);
    tool(lab, 'd1', ['announce', 'eth0', '10.99.0.250']);
    await waitFor(
      'the client ARP cache to follow the GARP',
      () => (neigh('-4', '10.99.0.250').includes(d1.mac) ? true : undefined),
      5000,
    );
  });

  it('an unsolicited NA with the override flag replaces the client neighbour entry', async () => {
    const d1 = lab.nodes['d1'];
    assert.ok(d1);
    lab.exec('c', [
      'ip',
      '-6',
      'neigh',
      'replace',
      'fd00:99::250',
      'lladdr',
      '02:00:00:00:00:ee',
      'dev',
      'eth0',
      'nud',
      'stale',
    ]);
    tool(lab, 'd1', ['addr', 'add', 'eth0', 'fd00:99::250/64']);
    tool(lab, 'd1', ['announce', 'eth0', 'fd00:99::250']);
    await waitFor(
      'the client neighbour cache to follow the NA',
      () => (neigh('-6', 'fd00:99::250').includes(d1.mac) ? true : undefined),
      5000,
    );
  });
});
