// The encoder against real ipvsadm 1.31 (libnl-3) requests, byte for byte. ipvsadm-captures.json was
// recorded by capture/capture.sh (an LD_PRELOAD shim answers for the kernel, which has no IPVS here);
// each capture's seq and pid are reused, everything else must come out of encodeOp identically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { LbOp } from '../../../../core/ports/index.ts';
import {
  encodeFlush,
  encodeGetServices,
  encodeOp,
  type Envelope,
} from '../../../../adapters/onprem/ipvs/index.ts';

import { lbDest, lbServiceHead } from '../../../helpers/lb-table.ts';

const file = new URL('./ipvsadm-captures.json', import.meta.url);
const data = JSON.parse(readFileSync(file, 'utf8')) as {
  familyId: number;
  captures: Array<{ ipvsadm: string; hex: string }>;
};

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const envelopeOf = (hex: string): Envelope => {
  const b = Uint8Array.from((hex.match(/../g) ?? []).map((x) => parseInt(x, 16)));
  const v = new DataView(b.buffer);
  return { familyId: v.getUint16(4, true), seq: v.getUint32(8, true), pid: v.getUint32(12, true) };
};

const tcp = (addr: string, port: number) =>
  ({ kind: 'addr', family: addr.includes(':') ? 'inet6' : 'inet', protocol: 'tcp', addr, port }) as const;
const head = lbServiceHead;
const dest = lbDest;
const vs = tcp('192.168.10.1', 80);

/** What floatip sends for the same change ipvsadm made. */
const expected: Record<string, (env: Envelope) => Uint8Array> = {
  '-A -t 192.168.10.1:80 -s rr': (e) => encodeOp(e, { kind: 'add-service', service: head(vs, 'rr') }),
  '-E -t 192.168.10.1:80 -s wrr': (e) => encodeOp(e, { kind: 'edit-service', service: head(vs, 'wrr') }),
  '-D -t 192.168.10.1:80': (e) => encodeOp(e, { kind: 'delete-service', key: vs }),
  '-A -f 21 -s rr': (e) =>
    encodeOp(e, { kind: 'add-service', service: head({ kind: 'fwmark', family: 'inet', fwmark: 21 }, 'rr') }),
  '-A -t [2001:db8::1]:443 -s wlc': (e) =>
    encodeOp(e, { kind: 'add-service', service: head(tcp('2001:db8::1', 443), 'wlc') }),
  '-A -u 10.0.0.1:53 -s rr -o': (e) =>
    encodeOp(e, {
      kind: 'add-service',
      service: head({ kind: 'addr', family: 'inet', protocol: 'udp', addr: '10.0.0.1', port: 53 }, 'rr', {
        onePacket: true,
      }),
    }),
  '-A -t 10.0.0.100:80 -s sh -p 300 -M 255.255.255.0 -b sh-fallback,sh-port': (e) =>
    encodeOp(e, {
      kind: 'add-service',
      service: head(tcp('10.0.0.100', 80), 'sh', {
        flags: { flag1: true, flag2: true, flag3: false },
        persistence: { timeout: 300, prefix: 24, engine: null },
      }),
    }),
  '-A -t [2001:db8::1]:443 -s rr -p 60 -M 64': (e) =>
    encodeOp(e, {
      kind: 'add-service',
      service: head(tcp('2001:db8::1', 443), 'rr', {
        persistence: { timeout: 60, prefix: 64, engine: null },
      }),
    }),
  '-a -t 192.168.10.1:80 -r 10.0.0.2:8080 -m -w 5': (e) =>
    encodeOp(e, { kind: 'add-dest', service: vs, dest: dest('10.0.0.2', 8080, 'nat', 5) }),
  '-e -t 192.168.10.1:80 -r 10.0.0.2:8080 -m -w 7': (e) =>
    encodeOp(e, { kind: 'edit-dest', service: vs, dest: dest('10.0.0.2', 8080, 'nat', 7) }),
  '-d -t 192.168.10.1:80 -r 10.0.0.2:8080': (e) =>
    encodeOp(e, { kind: 'delete-dest', service: vs, dest: { addr: '10.0.0.2', port: 8080, family: 'inet' } }),
  '-a -t 192.168.10.1:80 -r 10.0.0.3 -g -w 2 -x 100 -y 10': (e) =>
    encodeOp(e, {
      kind: 'add-dest',
      service: vs,
      dest: dest('10.0.0.3', 80, 'dr', 2, { uThreshold: 100, lThreshold: 10 }),
    }),
  '-a -t 192.168.10.1:80 -r 10.0.0.4 -i -w 1': (e) =>
    encodeOp(e, { kind: 'add-dest', service: vs, dest: dest('10.0.0.4', 80, 'tun', 1) }),
  '-a -f 21 -r 10.0.0.5 -g -w 1': (e) =>
    encodeOp(e, {
      kind: 'add-dest',
      service: { kind: 'fwmark', family: 'inet', fwmark: 21 },
      dest: dest('10.0.0.5', 0, 'dr', 1),
    }),
  '--set 900 120 300': (e) =>
    encodeOp(e, { kind: 'set-timeouts', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } } satisfies LbOp),
  '-C': (e) => encodeFlush(e),
  '-Ln': (e) => encodeGetServices(e),
};

test('the captures come from ipvsadm with the IPVS family id forced to 0x1c', () => {
  assert.equal(data.familyId, 0x1c);
  assert.ok(data.captures.length >= 17);
  for (const c of data.captures) assert.ok(c.hex.length > 0, `no request captured for ${c.ipvsadm}`);
});

for (const c of data.captures) {
  test(`byte for byte as ipvsadm ${c.ipvsadm}`, () => {
    const build = expected[c.ipvsadm];
    assert.ok(build, `no expectation for ${c.ipvsadm}`);
    assert.equal(toHex(build(envelopeOf(c.hex))), c.hex);
  });
}
