/** Route and rule netlink bodies: what is encoded decodes back to the same fields; fixed bytes for one of each. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeRoute,
  decodeRule,
  encodeRoute,
  encodeRule,
} from '../../../adapters/onprem/rtnetlink/route-message.ts';
import { parseRouteWords, parseRuleWords } from '../../../core/config/ip-route-words.ts';
import type { IpRoute, IpRule } from '../../../core/model/index.ts';

const opts = { noTrack: false, allowTrackGroup: false };
const routeOf = (line: string): IpRoute => {
  const r = parseRouteWords(line.split(' '), opts);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const ruleOf = (line: string): IpRule => {
  const r = parseRuleWords(line.split(' '), opts);
  if (!r.ok) throw new Error(r.error.message);
  return { ...r.value, priority: r.value.priority ?? 16384 };
};
const ifIndex = (name: string) => ({ eth0: 2, eth1: 3 })[name] ?? 9;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('route bodies', () => {
  const lines = [
    'src 10.0.0.100 10.1.0.0/16 via 10.0.0.1 dev eth0 metric 5',
    '10.2.0.0/24 dev eth1 table 1000 scope link',
    'blackhole 10.3.0.0/24 table 100',
    'default via 10.0.0.1 dev eth0 onlink',
    'fd00:1::/64 from fd00:2::/64 via fd00::1 dev eth0 metric 1024',
    'unreachable 10.4.0.0/24 tos 0x10',
  ];
  for (const line of lines)
    it(`round-trips '${line}'`, () => {
      const r = routeOf(line);
      const d = decodeRoute(encodeRoute(r, true, ifIndex));
      assert.ok(d);
      assert.deepEqual(
        {
          family: d.family,
          type: d.type,
          dst: d.dst,
          src: d.src,
          prefsrc: d.prefsrc,
          via: d.via,
          oif: d.oif,
          table: d.table,
          protocol: d.protocol,
          scope: d.scope,
          metric: d.metric,
          tos: d.tos,
          onlink: d.onlink,
        },
        {
          family: r.family,
          type: r.type,
          dst: r.dst,
          src: r.src,
          prefsrc: r.prefsrc,
          via: r.via,
          oif: r.dev === undefined ? undefined : ifIndex(r.dev),
          table: r.table,
          protocol: 18,
          scope: r.scope ?? 0,
          metric: r.metric,
          tos: r.tos,
          onlink: r.onlink,
        },
      );
    });

  it('encodes rtmsg and attributes as keepalived does (golden bytes); a delete asks for any scope', () => {
    const r = routeOf('10.1.0.0/16 via 10.0.0.1 dev eth0 metric 5');
    // rtmsg: AF_INET, /16, src 0, tos 0, table main, proto keepalived, scope universe, unicast, flags 0
    assert.equal(
      hex(encodeRoute(r, true, ifIndex)),
      '02100000fe1200010000000008000100' +
        '0a010000' +
        '08000500' +
        '0a000001' +
        '08000400' +
        '02000000' +
        '08000600' +
        '05000000',
    );
    const del = encodeRoute(r, false, ifIndex);
    assert.equal(del[6], 255, 'RT_SCOPE_NOWHERE');
    assert.equal(del[7], 0, 'type unspecified for a unicast delete');
  });
});

describe('rule bodies', () => {
  const lines = [
    'from 10.1.0.0/16 table 100 preference 10',
    'not to 10.2.0.0/24 fwmark 0x10/0xff iif eth0 oif eth1 lookup 1000 priority 11',
    'from fd00::/8 blackhole preference 12',
    'from all goto 50 preference 13',
    'to 10.3.0.0/24 table main suppress_prefixlength 0 preference 14',
  ];
  for (const line of lines)
    it(`round-trips '${line}'`, () => {
      const r = ruleOf(line);
      const d = decodeRule(encodeRule(r));
      const { noTrack: _n, trackGroup: _t, ...expected } = r;
      assert.deepEqual(d, expected);
    });

  it('encodes fib_rule_hdr with the table in the header below 256 and always a priority and protocol', () => {
    const b = encodeRule(ruleOf('from 10.1.0.0/16 table 100 preference 10'));
    // family, dst_len, src_len, tos, table 100, res, res, FR_ACT_TO_TBL, flags
    assert.equal(hex(b.subarray(0, 12)), '020010006400000100000000');
    assert.equal(
      hex(b.subarray(12)),
      '08000200' + '0a010000' + '08000600' + '0a000000' + '05001500' + '12000000',
    );
  });
});
