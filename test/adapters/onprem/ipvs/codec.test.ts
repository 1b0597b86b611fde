// The IPVS generic-netlink codec: byte for byte against requests ipvsadm 1.31 (libnl) sent, captured
// from its netlink socket, and round trips (fast-check) through the decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LbDestination, LbService } from '../../../../core/ports/index.ts';
import { encodeOp, encodeTimeouts, encodeGetServices } from '../../../../adapters/onprem/ipvs/encode.ts';
import {
  decodeDestMessage,
  decodeIpvsPayload,
  decodeServiceMessage,
  decodeTimeouts,
} from '../../../../adapters/onprem/ipvs/decode.ts';
import { decodeMessages } from '../../../../adapters/onprem/genl/message.ts';
import { IPVS_CMD } from '../../../../adapters/onprem/ipvs/constants.ts';
import { formatIpv6 } from '../../../../core/model/index.ts';

const hex = (s: string): Uint8Array =>
  Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

// `ipvsadm -a -t 192.168.10.1:80 -r 10.0.0.2:8080 -m -w 5`, family id forced to 0x1c (reference §7).
const capturedNewDest = hex(`
  c8000000 1c00 0500 af64046b 134cc013
  05 01 0000
  5400 0180
    0600 0100 0200 0000
    0600 0200 0600 0000
    1400 0300 c0a80a01 00000000 00000000 00000000
    0600 0400 0050 0000
    0500 0600 00 000000
    0c00 0700 00000000 ffffffff
    0800 0800 00000000
    0800 0900 ffffffff
  6000 0280
    0600 0b00 0200 0000
    1400 0100 0a000002 00000000 00000000 00000000
    0600 0200 1f90 0000
    0800 0300 00000000
    0800 0400 05000000
    0500 0d00 00 000000
    0600 0e00 0000 0000
    0600 0f00 0000 0000
    0800 0500 00000000
    0800 0600 00000000`);

const env = { familyId: 0x1c, seq: 0x6b0464af, pid: 0x13c04c13 };

const natDest = (addr: string, port: number, weight: number): LbDestination => ({
  addr,
  port,
  family: 'inet',
  forwarding: 'nat',
  weight,
  uThreshold: 0,
  lThreshold: 0,
  tunnel: null,
});

test('NEW_DEST matches the ipvsadm capture byte for byte', () => {
  const bytes = encodeOp(env, {
    kind: 'add-dest',
    service: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '192.168.10.1', port: 80 },
    dest: natDest('10.0.0.2', 8080, 5),
  });
  assert.equal(toHex(bytes), toHex(capturedNewDest));
});

test('the capture decodes back to the same service and destination', () => {
  const [m] = decodeMessages(capturedNewDest);
  assert.ok(m);
  assert.equal(m.type, 0x1c);
  assert.equal(m.flags, 0x0005);
  assert.equal(decodeIpvsPayload(m.payload).cmd, IPVS_CMD.NEW_DEST);
  const svc = decodeServiceMessage(m.payload);
  assert.deepEqual(svc.key, {
    kind: 'addr',
    family: 'inet',
    protocol: 'tcp',
    addr: '192.168.10.1',
    port: 80,
  });
  assert.equal(svc.persistence, null);
  assert.deepEqual(decodeDestMessage(m.payload, 'inet'), natDest('10.0.0.2', 8080, 5));
});

test('persistence with a /24 granularity and sh-fallback,sh-port encode FLAGS 0x19 and a be32 mask', () => {
  const bytes = encodeOp(env, {
    kind: 'add-service',
    service: {
      key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 },
      scheduler: 'sh',
      flags: { flag1: true, flag2: true, flag3: false },
      onePacket: false,
      persistence: { timeout: 300, prefix: 24, engine: null },
    },
  });
  const s = toHex(bytes);
  assert.ok(s.includes('0c000700' + '19000000' + 'ffffffff'), 'FLAGS {0x19, ~0}');
  assert.ok(s.includes('08000800' + '2c010000'), 'TIMEOUT 300 host order');
  assert.ok(s.includes('08000900' + 'ffffff00'), 'NETMASK /24 as be32');
  assert.ok(s.includes('07000600' + '736800' + '00'), 'SCHED_NAME "sh" NUL-terminated, padded');
  assert.equal(new DataView(bytes.buffer).getUint32(0, true), bytes.length, 'nlmsg_len covers the message');
});

test('SET_CONFIG carries the three timeouts as u32 and decodes back', () => {
  const bytes = encodeTimeouts(env, { tcp: 900, tcpFin: 120, udp: 300 });
  assert.equal(
    toHex(bytes).slice(32),
    '0c010000' + '08000400' + '84030000' + '08000500' + '78000000' + '08000600' + '2c010000',
  );
  const [m] = decodeMessages(bytes);
  assert.deepEqual(decodeTimeouts(m?.payload ?? new Uint8Array()), { tcp: 900, tcpFin: 120, udp: 300 });
});

test('a GET_SERVICE dump asks with NLM_F_REQUEST|ACK|DUMP = 0x0305', () => {
  const bytes = encodeGetServices(env);
  assert.equal(toHex(bytes), '14000000' + '1c00' + '0503' + 'af64046b' + '134cc013' + '04010000');
});

const arbAddr = (family: 'inet' | 'inet6'): fc.Arbitrary<string> =>
  family === 'inet' ? fc.ipV4() : fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIpv6(b));

const arbService = fc.constantFrom('inet' as const, 'inet6' as const).chain((family) =>
  fc.record({
    key: fc.oneof(
      fc.record({
        kind: fc.constant('addr' as const),
        family: fc.constant(family),
        protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const),
        addr: arbAddr(family),
        port: fc.integer({ min: 0, max: 65535 }),
      }),
      fc.record({
        kind: fc.constant('fwmark' as const),
        family: fc.constant(family),
        fwmark: fc.integer({ min: 1, max: 0xffffffff }),
      }),
    ),
    scheduler: fc.constantFrom('rr', 'wrr', 'sh', 'mh', 'lblcr', 'twos'),
    flags: fc.record({ flag1: fc.boolean(), flag2: fc.boolean(), flag3: fc.boolean() }),
    onePacket: fc.boolean(),
    persistence: fc.option(
      fc.record({
        timeout: fc.integer({ min: 1, max: 2678400 }),
        prefix: fc.integer({ min: 1, max: family === 'inet' ? 32 : 128 }),
        engine: fc.constantFrom(null, 'sip'),
      }),
    ),
  }),
);

test('property: every service encodes and decodes back to itself', () => {
  fc.assert(
    fc.property(arbService, fc.integer({ min: 0, max: 0xffffffff }), (service, seq) => {
      const bytes = encodeOp({ ...env, seq }, { kind: 'add-service', service });
      const [m] = decodeMessages(bytes);
      assert.ok(m);
      assert.equal(m.seq, seq);
      assert.deepEqual(
        decodeServiceMessage(m.payload),
        JSON.parse(JSON.stringify(service)) as Omit<LbService, 'destinations'>,
      );
    }),
  );
});

const arbDest = fc.constantFrom('inet' as const, 'inet6' as const).chain((family) =>
  fc.record({
    addr: arbAddr(family),
    port: fc.integer({ min: 0, max: 65535 }),
    family: fc.constant(family),
    forwarding: fc.constantFrom('nat' as const, 'dr' as const, 'tun' as const),
    weight: fc.integer({ min: 0, max: 0x7fffffff }),
    uThreshold: fc.integer({ min: 0, max: 0xffffffff }),
    lThreshold: fc.integer({ min: 0, max: 0xffffffff }),
    tunnel: fc.constant(null),
  }),
);

test('property: every destination encodes and decodes back to itself (SET_DEST)', () => {
  fc.assert(
    fc.property(arbDest, (dest) => {
      const bytes = encodeOp(env, {
        kind: 'edit-dest',
        service: { kind: 'fwmark', family: 'inet', fwmark: 7 },
        dest,
      });
      const [m] = decodeMessages(bytes);
      assert.ok(m);
      assert.equal(decodeIpvsPayload(m.payload).cmd, IPVS_CMD.SET_DEST);
      assert.deepEqual(
        decodeDestMessage(m.payload, 'inet'),
        JSON.parse(JSON.stringify(dest)) as LbDestination,
      );
    }),
  );
});

test('GUE tunnel options travel as TUN_TYPE 1, be16 TUN_PORT and TUN_FLAGS', () => {
  const dest: LbDestination = {
    ...natDest('10.0.0.9', 80, 1),
    forwarding: 'tun',
    tunnel: { type: 'gue', port: 6080, csum: 'remcsum' },
  };
  const bytes = encodeOp(env, {
    kind: 'add-dest',
    service: { kind: 'fwmark', family: 'inet', fwmark: 1 },
    dest,
  });
  const s = toHex(bytes);
  assert.ok(s.includes('05000d00' + '01000000'));
  assert.ok(s.includes('06000e00' + '17c00000'));
  assert.ok(s.includes('06000f00' + '02000000'));
  const [m] = decodeMessages(bytes);
  assert.deepEqual(decodeDestMessage(m?.payload ?? new Uint8Array(), 'inet'), dest);
});
