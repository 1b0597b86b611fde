// @needs root iproute2
/**
 * The raw-socket PacketIo between two lab namespaces: multicast with group join, unicast, TTL sent and
 * reported, IPv4 and IPv6 (hop limit from ancillary data), payload bytes unchanged.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createLab, linkLocal, type Lab } from '../../helpers/netns.ts';
import { startReceiver, tool } from './lab-tool.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/vrrp-captures/${name}`, import.meta.url), 'utf8')) as {
    packets: { vrrpHex: string }[];
  };

describe('raw VRRP sockets in a netns lab', () => {
  let lab: Lab;
  before(() => {
    lab = createLab({ directors: 2, client: false });
  });
  after(() => lab?.destroy());

  it('delivers an IPv4 multicast advert with TTL 255 to a member of 224.0.0.18', async () => {
    const payload = fixture('v3-ipv4.json').packets[0]?.vrrpHex ?? '';
    const rx = await startReceiver(lab, 'd2', ['eth0', '4', '10.99.0.12', '224.0.0.18', '5', '1']);
    tool(lab, 'd1', ['send', 'eth0', '4', '10.99.0.11', '224.0.0.18', payload, '3']);
    const [got] = await rx.done;
    assert.deepEqual(got, {
      family: 4,
      source: '10.99.0.11',
      destination: '224.0.0.18',
      ttl: 255,
      payload,
    });
  });

  it('delivers a unicast advert and reports the TTL it arrived with', async () => {
    const payload = fixture('v3-ipv4-unicast.json').packets[0]?.vrrpHex ?? '';
    const rx = await startReceiver(lab, 'd2', ['eth0', '4', '10.99.0.12', '-', '5', '1']);
    tool(lab, 'd1', ['send', 'eth0', '4', '10.99.0.11', '10.99.0.12', payload, '3', '64']);
    const [got] = await rx.done;
    assert.equal(got?.['ttl'], 64);
    assert.equal(got?.['destination'], '10.99.0.12');
    assert.equal(got?.['payload'], payload);
  });

  it('delivers an IPv6 advert to ff02::12 from the link-local source with hop limit 255', async () => {
    const payload = fixture('v3-ipv6.json').packets[0]?.vrrpHex ?? '';
    const src = linkLocal(lab, 'd1');
    const rx = await startReceiver(lab, 'd2', ['eth0', '6', linkLocal(lab, 'd2'), 'ff02::12', '5', '1']);
    tool(lab, 'd1', ['send', 'eth0', '6', src, 'ff02::12', payload, '3']);
    const [got] = await rx.done;
    assert.deepEqual(got, { family: 6, source: src, destination: 'ff02::12', ttl: 255, payload });
  });

  it('does not receive multicast without joining the group', async () => {
    const payload = fixture('v3-ipv4.json').packets[0]?.vrrpHex ?? '';
    const rx = await startReceiver(lab, 'd2', ['eth0', '4', '10.99.0.12', '-', '1.5', '1']);
    tool(lab, 'd1', ['send', 'eth0', '4', '10.99.0.11', '224.0.0.18', payload, '3']);
    assert.deepEqual(await rx.done, []);
  });

  it('names the missing interface instead of failing obscurely', () => {
    assert.throws(
      () => tool(lab, 'd1', ['send', 'nosuch0', '4', '10.99.0.11', '224.0.0.18', '00', '1']),
      /no network interface named \\?"nosuch0/,
    );
  });
});
