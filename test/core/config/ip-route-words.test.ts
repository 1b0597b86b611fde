/** `ip route` / `ip rule` lines of keepalived.conf -> IpRoute / IpRule, and their errors at file:line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRouteWords, parseRuleWords } from '../../../core/config/ip-route-words.ts';
import { planVrrp } from '../../../core/app/vrrp-plan.ts';
import { kp, mustFail, mustLoad } from './helpers.ts';

const opts = { noTrack: false, allowTrackGroup: false };
const route = (line: string, o = opts) => parseRouteWords(line.split(' '), o);
const rule = (line: string, o = opts) => parseRuleWords(line.split(' '), o);
const ok = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
};
const err = (r: { ok: boolean; error?: { message: string; index: number } }) => {
  assert.equal(r.ok, false);
  return r.error!;
};

describe('virtual_routes lines', () => {
  it('reads keepalived man page forms: src, to, via/gw, dev, scope, table, metric, types, onlink', () => {
    assert.deepEqual(ok(route('src 192.168.100.1 to 192.168.109.0/24 via 192.168.200.254 dev eth1')), {
      family: 'inet',
      type: 'unicast',
      dst: { address: '192.168.109.0', length: 24 },
      prefsrc: '192.168.100.1',
      via: '192.168.200.254',
      dev: 'eth1',
      table: 254,
      protocol: 18,
      tos: 0,
      onlink: false,
      mode: 'prepend',
      noTrack: false,
    });
    const bh = ok(route('blackhole 192.168.114.0/24'));
    assert.equal(bh.type, 'blackhole');
    const def = parseRouteWords('0.0.0.0/0 gw 192.168.0.1 table 100'.split(' '), opts);
    assert.ok(def.ok);
    assert.equal(def.value.table, 100);
    assert.deepEqual(def.value.dst, { address: '0.0.0.0', length: 0 });
    assert.match(def.warnings[0]!.message, /'gw' is deprecated/);
    const full = ok(
      route('10.1.0.0/16 via 10.0.0.1 dev eth0 onlink scope link proto static metric 5 table main append'),
    );
    assert.equal(full.scope, 253);
    assert.equal(full.metric, 5);
    assert.equal(full.onlink, true);
    assert.equal(full.mode, 'append');
    assert.equal(full.protocol, 18, 'a tracked route keeps protocol keepalived');
    assert.equal(ok(route('10.1.0.0/16 dev eth0 proto static', { ...opts, noTrack: true })).protocol, 4);
    const v6 = ok(route('default via FD00:0:0::1 dev eth0'));
    assert.deepEqual([v6.family, v6.dst, v6.via], ['inet6', { address: '::', length: 0 }, 'fd00::1']);
    assert.equal(ok(route('inet6 default dev eth0')).dst.address, '::');
    assert.equal(ok(route('unreachable 10.9.0.0/16 table 0x10')).table, 16);
  });

  it('refuses bad lines, naming the word', () => {
    assert.match(
      err(route('10.1.0.5/16 dev eth0')).message,
      /host bits set \(the network is 10\.1\.0\.0\/16\)/,
    );
    assert.match(err(route('10.1.0.0/16 via fd00::1')).message, /cannot mix IPv4 and IPv6/);
    assert.match(err(route('via 10.0.0.1 dev eth0')).message, /needs a destination/);
    assert.deepEqual(err(route('10.1.0.0/16 dev eth0 mtu 1400')), {
      index: 3,
      message: "route option 'mtu' is not supported by floatip yet",
      unsupported: true,
    });
    assert.match(err(route('10.1.0.0/16 tabel 7')).message, /unknown route option 'tabel'/);
    assert.match(err(route('10.1.0.0/16 table mine')).message, /unknown table 'mine'/);
    assert.match(err(route('10.1.0.0/16 metric')).message, /'metric' needs a value/);
    assert.match(err(route('10.1.0.0/33')).message, /prefix length must be 0\.\.32/);
    assert.match(err(route('10.1.0.0/16 dev eth0 onlink')).message, /'onlink' needs a gateway/);
    assert.match(err(route('10.1.0.0/16 track_group G')).message, /only valid for static routes/);
  });
});

describe('virtual_rules lines', () => {
  it('reads from, to, table/lookup, preference, fwmark/mask, iif/oif, not, actions', () => {
    assert.deepEqual(ok(rule('from 192.168.2.0/24 table 1 preference 10')), {
      family: 'inet',
      from: { address: '192.168.2.0', length: 24 },
      action: 'table',
      table: 1,
      priority: 10,
      not: false,
      tos: 0,
      protocol: 18,
      noTrack: false,
    });
    const r = ok(rule('not to 10.0.0.0/8 fwmark 0x10/0xff iif eth0 oif eth1 lookup main priority 7'));
    assert.deepEqual(
      [r.not, r.to, r.fwmark, r.fwmask, r.iif, r.oif, r.table, r.priority],
      [true, { address: '10.0.0.0', length: 8 }, 16, 255, 'eth0', 'eth1', 254, 7],
    );
    assert.equal(ok(rule('from fd00::/64 blackhole order 3')).family, 'inet6');
    assert.equal(ok(rule('from all goto 20 preference 10')).gotoTarget, 20);
    assert.equal(ok(rule('from all table 5')).priority, undefined, 'the caller numbers it');
  });

  it('refuses rules keepalived refuses', () => {
    assert.match(err(rule('from 10.0.0.0/8')).message, /needs an action/);
    assert.match(err(rule('from 10.0.0.0/8 table 0')).message, /table 0 is not valid/);
    assert.match(err(rule('table 1 blackhole')).message, /only one of/);
    assert.match(err(rule('goto 5 preference 10')).message, /must be below the goto target/);
    assert.match(err(rule('goto 5')).message, /needs a preference/);
    assert.match(err(rule('from 10.0.0.0/8 table 1 pref 3')).message, /unknown rule option 'pref'/);
    assert.equal(err(rule('from 10.0.0.0/8 table 1 uidrange 1-2')).index, 4);
  });
});

const conf = (blocks: string) => `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    virtual_ipaddress {
        10.0.0.100/24
    }
${blocks}
}
`;

describe('keepalived.conf route and rule blocks', () => {
  it('reports a bad line at its file:line and word', () => {
    const d = mustFail(
      kp(conf('    virtual_routes {\n        10.1.0.0/16 dev eth0\n        10.2.0.0/16 via nowhere\n    }')),
    );
    const e = d.find((x) => x.severity === 'error')!;
    assert.deepEqual(
      [e.file, e.line, e.column, e.keyword],
      ['/etc/keepalived/test.conf', 9, 25, 'virtual_routes'],
    );
    assert.match(e.message, /'nowhere' is not a valid gateway address/);
  });

  it('numbers rules without a preference 16384, 16383, … per family in file order, with a warning', () => {
    const r = mustLoad(
      kp(
        `static_rules {\n    from 10.9.0.0/16 table 9\n}\n` +
          conf('    virtual_rules {\n        from 10.1.0.0/16 table 1\n        from fd00::/8 table 2\n    }'),
      ),
    );
    assert.deepEqual(r.config.staticRules[0]!.words.slice(-2), ['preference', '16384']);
    assert.deepEqual(
      r.config.vrrpInstances['VI_1']!.virtualRules.map((x) => x.words.slice(-1)[0]),
      ['16383', '16384'],
    );
    assert.equal(r.warnings.filter((w) => /no preference/.test(w.message)).length, 3);
  });

  it('maps routes then rules per instance, statics apart; an unsupported option stops the agent', () => {
    const text = conf(
      '    virtual_routes {\n        10.1.0.0/16 via 10.0.0.1 no_track\n    }\n    virtual_rules {\n        from 10.1.0.0/16 table 1 preference 5\n    }',
    );
    const parsed = mustLoad(kp(`static_ipaddress {\n    192.0.2.1/32 dev lo\n}\n${text}`));
    const p = planVrrp(parsed.config, () => '10.0.0.1');
    assert.ok(p.ok);
    const list = p.plan.routes!.virtual['VI_1']!;
    assert.deepEqual(
      list.map((e) => e.kind),
      ['route', 'rule'],
    );
    assert.equal(list[0]!.kind === 'route' && list[0]!.route.noTrack, true);
    assert.deepEqual(p.plan.routes!.staticAddresses, [
      { interfaceName: 'lo', address: '192.0.2.1', prefixLength: 32, scope: 'global' },
    ]);
    assert.ok(!p.plan.warnings.some((w) => /not applied/.test(w)), 'the old warning is gone');
    const bad = kp(conf('    virtual_routes {\n        10.1.0.0/16 via 10.0.0.1 or 10.0.0.2\n    }'));
    const loaded = mustLoad(bad);
    assert.ok(
      loaded.warnings.some((w) => /'or' is not supported by floatip yet/.test(w.message) && w.line === 8),
    );
    const refused = planVrrp(loaded.config, () => '10.0.0.1');
    assert.equal(refused.ok, false);
    assert.match(
      !refused.ok ? refused.errors.join() : '',
      /vrrp_instance VI_1: route '10\.1\.0\.0\/16 via 10\.0\.0\.1 or 10\.0\.0\.2': route option 'or'/,
    );
  });
});
