/** RTM_NEWLINK / RTM_DELLINK bodies for macvlan and ipvlan links, encoded and decoded back. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeIfInfoMsg,
  decodeLink,
  encodeAddrGenModeNone,
  encodeDelLink,
  encodeLinkUp,
  encodeNewLink,
  IFF_UP,
  iflaLink,
} from '../../../../adapters/onprem/rtnetlink/link-message.ts';
import {
  decodeAttributes,
  decodeMessages,
  encodeMessage,
} from '../../../../adapters/onprem/rtnetlink/message.ts';

describe('link-message', () => {
  it('a macvlan create request decodes back to what was asked (private mode, MAC, lower, name, alias)', () => {
    const body = encodeNewLink({
      kind: 'macvlan',
      name: 'vrrp.51',
      lowerIndex: 7,
      mac: '00:00:5e:00:01:33',
      macvlanMode: 'private',
      alias: 'floatip:VI_1',
    });
    // As it travels: one netlink message, then back.
    const [msg] = decodeMessages(encodeMessage(16, 0x605, 9, body));
    assert.equal(msg?.type, 16);
    assert.equal(msg?.seq, 9);
    const link = decodeLink(msg?.body ?? new Uint8Array());
    assert.deepEqual(link, {
      index: 0,
      name: 'vrrp.51',
      up: false,
      mac: '00:00:5e:00:01:33',
      lowerIndex: 7,
      alias: 'floatip:VI_1',
      kind: 'macvlan',
      macvlanMode: 'private',
    });
    // IFLA_MACVLAN_MODE is a u32 with MACVLAN_MODE_PRIVATE = 1 (linux/if_link.h).
    const info = decodeAttributes(body.subarray(16)).find((a) => a.type === iflaLink.LINKINFO);
    const data = decodeAttributes(info?.data ?? new Uint8Array()).find((a) => a.type === iflaLink.INFO_DATA);
    const mode = decodeAttributes(data?.data ?? new Uint8Array())[0];
    assert.deepEqual([...(mode?.data ?? [])], [1, 0, 0, 0]);
  });

  it('an ipvlan create request carries L2 mode and the flags as u16', () => {
    for (const [flags, value] of [
      ['bridge', 0],
      ['private', 1],
      ['vepa', 2],
    ] as const) {
      const body = encodeNewLink({
        kind: 'ipvlan',
        name: 'vrrp.53',
        lowerIndex: 2,
        ipvlanMode: 'l2',
        ipvlanFlags: flags,
      });
      const link = decodeLink(body);
      assert.equal(link.kind, 'ipvlan');
      assert.equal(link.ipvlanMode, 'l2');
      assert.equal(link.ipvlanFlags, flags);
      assert.equal(link.mac, undefined, 'an ipvlan shares its base MAC');
      const info = decodeAttributes(body.subarray(16)).find((a) => a.type === iflaLink.LINKINFO);
      const data = decodeAttributes(info?.data ?? new Uint8Array()).find(
        (a) => a.type === iflaLink.INFO_DATA,
      );
      const attrs = decodeAttributes(data?.data ?? new Uint8Array());
      assert.deepEqual(
        attrs.map((a) => [a.type, [...a.data]]),
        [
          [iflaLink.IPVLAN_MODE, [0, 0]],
          [iflaLink.IPVLAN_FLAGS, [value, 0]],
        ],
      );
    }
  });

  it('an update names the link by index, not by name or lower device', () => {
    const link = decodeLink(
      encodeNewLink({ kind: 'macvlan', index: 12, name: 'ignored', lowerIndex: 3, mac: '02:11:22:33:44:33' }),
    );
    assert.equal(link.index, 12);
    assert.equal(link.name, '');
    assert.equal(link.lowerIndex, undefined);
    assert.equal(link.mac, '02:11:22:33:44:33');
  });

  it('link up, delete and addr_gen_mode none', () => {
    assert.deepEqual(decodeIfInfoMsg(encodeLinkUp(5)), {
      family: 0,
      type: 0,
      index: 5,
      flags: IFF_UP,
      change: IFF_UP,
    });
    assert.deepEqual(decodeIfInfoMsg(encodeDelLink(5)), {
      family: 0,
      type: 0,
      index: 5,
      flags: 0,
      change: 0,
    });
    const body = encodeAddrGenModeNone(5);
    assert.equal(decodeIfInfoMsg(body).index, 5);
    const spec = decodeAttributes(body.subarray(16));
    assert.equal(spec[0]?.type, iflaLink.AF_SPEC);
    const inet6 = decodeAttributes(spec[0]?.data ?? new Uint8Array());
    assert.equal(inet6[0]?.type, 10, 'AF_INET6');
    const mode = decodeAttributes(inet6[0]?.data ?? new Uint8Array());
    assert.deepEqual(
      mode.map((a) => [a.type, [...a.data]]),
      [[iflaLink.INET6_ADDR_GEN_MODE, [iflaLink.IN6_ADDR_GEN_MODE_NONE]]],
    );
  });

  it('refuses a malformed MAC', () => {
    assert.throws(() => encodeNewLink({ kind: 'macvlan', mac: '00:00:5e:00:01' }), /invalid MAC/);
  });
});
