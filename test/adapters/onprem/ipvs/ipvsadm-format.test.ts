// `floatip status --lvs` prints the table as `ipvsadm -Ln` does: checked against the format strings and
// the output of ipvsadm 1.31 (ipvsadm.c print_title/print_service/print_dest) on the same table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LbService } from '../../../../core/ports/index.ts';
import { formatIpvsadm, largeNumber } from '../../../../adapters/onprem/ipvs/ipvsadm-format.ts';
import { lbDest, lbService } from '../../../helpers/lb-table.ts';

const dest = lbDest;
const service = lbService;

const info = { version: 0x010201, connTabSize: 4096 };

test('ipvsadm -Ln: header, service line and the "  -> %-28s %-7s %-6d %-10u %-10u" destination line', () => {
  const out = formatIpvsadm({
    ...info,
    services: [
      service({ kind: 'fwmark', family: 'inet', fwmark: 21 }, 'rr', []),
      service(
        { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 },
        'lc',
        [dest('10.0.0.102', 80, 'dr', 3)],
        {
          persistence: { timeout: 60, prefix: 32, engine: null },
        },
      ),
    ],
  });
  const lines = out.split('\n');
  assert.deepEqual(lines.slice(0, 3), [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ]);
  // services sort by fwmark first (0 for address services), as ipvs_cmp_services does
  assert.equal(lines[3], 'TCP  10.0.0.100:80 lc persistent 60');
  assert.equal(lines[4], '  -> 10.0.0.102:80                Route   3      0          0         ');
  assert.equal(lines[4]?.trimEnd(), '  -> 10.0.0.102:80                Route   3      0          0');
  assert.equal(lines[5], 'FWM  21 rr');
  assert.equal(lines[6], '');
});

test('flags: mask for a non-/32 granularity, pe, ops, sh flag names, IPv6 prefix, forward names', () => {
  const out = formatIpvsadm(
    {
      ...info,
      services: [
        service(
          { kind: 'addr', family: 'inet', protocol: 'udp', addr: '10.0.0.1', port: 53 },
          'sh',
          [dest('10.1.0.1', 53, 'nat', 1), dest('10.1.0.2', 53, 'tun', 2)],
          {
            flags: { flag1: true, flag2: true, flag3: false },
            persistence: { timeout: 300, prefix: 24, engine: 'sip' },
            onePacket: true,
          },
        ),
        service(
          { kind: 'addr', family: 'inet6', protocol: 'tcp', addr: '2001:db8::1', port: 443 },
          'wrr',
          [dest('2001:db8::10', 443, 'dr', 5)],
          {
            persistence: { timeout: 60, prefix: 64, engine: null },
            flags: { flag1: false, flag2: true, flag3: false },
          },
        ),
        service({ kind: 'fwmark', family: 'inet6', fwmark: 7 }, 'mh', [], {
          flags: { flag1: true, flag2: false, flag3: false },
        }),
      ],
    },
    { nosort: true },
  );
  const lines = out.split('\n');
  assert.equal(
    lines[3],
    'UDP  10.0.0.1:53 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0 pe sip ops',
  );
  assert.equal(lines[4]?.trimEnd(), '  -> 10.1.0.1:53                  Masq    1      0          0');
  assert.equal(lines[5]?.trimEnd(), '  -> 10.1.0.2:53                  Tunnel  2      0          0');
  assert.equal(lines[6], 'TCP  [2001:db8::1]:443 wrr (flag-2) persistent 60 mask 64');
  assert.equal(lines[7]?.trimEnd(), '  -> [2001:db8::10]:443           Route   5      0          0');
  assert.equal(lines[8], 'FWM  7 IPv6 mh (mh-fallback)');
});

test('--stats: "%-33s %8s..." header and print_largenum columns (%9llu, else %8llu + K/M/G/T)', () => {
  const svc = service(
    { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 },
    'rr',
    [
      dest('10.0.0.102', 80, 'nat', 1, {
        stats: {
          conns: 5,
          inPkts: 100_000_000,
          outPkts: 1_000_000_000,
          inBytes: 100_000_000_000,
          outBytes: 1e14,
        },
      }),
    ],
    { stats: { conns: 12, inPkts: 99_999_999, outPkts: 0, inBytes: 123_456, outBytes: 7 } },
  );
  const lines = formatIpvsadm({ ...info, services: [svc] }, { stats: true }).split('\n');
  assert.equal(lines[1], 'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes');
  assert.equal(lines[2], '  -> RemoteAddress:Port');
  assert.equal(lines[3], 'TCP  10.0.0.100:80                      12 99999999        0   123456        7');
  assert.equal(lines[4], '  -> 10.0.0.102:80                       5  100000K    1000M     100G     100T');
});

test('print_largenum thresholds and --exact widths', () => {
  assert.equal(largeNumber(99_999_999), ' 99999999');
  assert.equal(largeNumber(100_000_000), '  100000K');
  assert.equal(largeNumber(999_999_999), '  999999K');
  assert.equal(largeNumber(1_000_000_000), '    1000M');
  assert.equal(largeNumber(99_999_999_999), '   99999M');
  assert.equal(largeNumber(100_000_000_000), '     100G');
  assert.equal(largeNumber(100_000_000_000_000), '     100T');
  assert.equal(largeNumber(5, true), '        5');
  assert.equal(largeNumber(123_456_789_012, true), ' 123456789012');
});

test('sorting: services by protocol, address, port; destinations by address, port (unless --nosort)', () => {
  const k = (protocol: 'tcp' | 'udp', addr: string, port: number): LbService['key'] => ({
    kind: 'addr',
    family: 'inet',
    protocol,
    addr,
    port,
  });
  const out = formatIpvsadm({
    ...info,
    services: [
      service(k('udp', '10.0.0.1', 53), 'rr', []),
      service(k('tcp', '10.0.0.2', 80), 'rr', []),
      service(k('tcp', '10.0.0.10', 80), 'rr', [
        dest('10.1.0.10', 80, 'nat', 1),
        dest('10.1.0.9', 81, 'nat', 1),
        dest('10.1.0.9', 80, 'nat', 1),
      ]),
      service(k('tcp', '10.0.0.2', 22), 'rr', []),
    ],
  });
  const rows = out
    .split('\n')
    .slice(3)
    .filter(Boolean)
    .map((l) => l.trimEnd().split(/\s+/).slice(0, 3).join(' '));
  assert.deepEqual(rows, [
    'TCP 10.0.0.2:22 rr',
    'TCP 10.0.0.2:80 rr',
    'TCP 10.0.0.10:80 rr',
    ' -> 10.1.0.9:80',
    ' -> 10.1.0.9:81',
    ' -> 10.1.0.10:80',
    'UDP 10.0.0.1:53 rr',
  ]);
});
