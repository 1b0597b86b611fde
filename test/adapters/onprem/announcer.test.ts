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

  for (const c of [
    {
      name: 'a gratuitous ARP replaces the client ARP entry for the VIP',
      family: '-4',
      vip: '10.99.0.250',
      prefixLen: 24,
      what: 'the client ARP cache to follow the GARP',
    },
    {
      name: 'an unsolicited NA with the override flag replaces the client neighbour entry',
      family: '-6',
      vip: 'fd00:99::250',
      prefixLen: 64,
      what: 'the client neighbour cache to follow the NA',
    },
  ])
    it(c.name, async () => {
      const d1 = lab.nodes['d1'];
      assert.ok(d1);
      // The client starts with a wrong MAC for the VIP.
      lab.exec('c', [
        'ip',
        c.family,
        'neigh',
        'replace',
        c.vip,
        'lladdr',
        '02:00:00:00:00:ee',
        'dev',
        'eth0',
        'nud',
        'stale',
      ]);
      tool(lab, 'd1', ['addr', 'add', 'eth0', `${c.vip}/${c.prefixLen}`]);
      tool(lab, 'd1', ['announce', 'eth0', c.vip]);
      await waitFor(c.what, () => (neigh(c.family, c.vip).includes(d1.mac) ? true : undefined), 5000);
    });
});
