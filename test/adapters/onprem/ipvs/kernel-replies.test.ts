// Replies laid out as the kernel builds them (ip_vs_genl_fill_service / _fill_dest, reference §6): nests
// without NLA_F_NESTED, STATS with u32 counters and u64 bytes, STATS64 with a zero-length PAD before each
// u64 (nla_put_u64_64bit), dump parts flagged NLM_F_MULTI and closed by NLMSG_DONE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAttrs, type Attr } from '../../../../adapters/onprem/genl/attrs.ts';
import {
  NLMSG_DONE,
  NLM_F_MULTI,
  decodeMessages,
  encodeGenl,
} from '../../../../adapters/onprem/genl/message.ts';
import { decodeDestMessage, decodeServiceMessage } from '../../../../adapters/onprem/ipvs/decode.ts';
import {
  CMD_ATTR,
  DEST_ATTR,
  IPVS_CMD,
  STATS_ATTR,
  SVC_ATTR,
} from '../../../../adapters/onprem/ipvs/constants.ts';

const PAD = 11;
const u64 = (type: number, v: bigint): Attr[] => [
  { type: PAD, bytes: new Uint8Array() },
  { type, u64: v },
];
const stats64 = (n: bigint): Attr[] => [
  ...u64(STATS_ATTR.CONNS, n),
  ...u64(STATS_ATTR.INPKTS, n * 10n),
  ...u64(STATS_ATTR.OUTPKTS, n * 9n),
  ...u64(STATS_ATTR.INBYTES, n * 1000n),
  ...u64(STATS_ATTR.OUTBYTES, 5_000_000_000n),
];
const addr16 = (...b: number[]): Uint8Array => {
  const out = new Uint8Array(16);
  out.set(b);
  return out;
};

function part(cmd: number, attrs: Attr[], seq = 9): Uint8Array {
  const m = encodeGenl({ type: 0x1c, flags: NLM_F_MULTI, seq, pid: 4242, cmd, version: 1, attrs });
  return m;
}

test('a NEW_SERVICE dump part decodes: persistence, /24 mask, sh flags, STATS64 preferred over STATS', () => {
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, 0x1 | 0x2 | 0x8 | 0x10, true); // persistent, hashed (kernel), sh-*
  new DataView(flags.buffer).setUint32(4, 0xffffffff, true);
  const svc: Attr = {
    type: CMD_ATTR.SERVICE, // the kernel's nla_nest_start_noflag: no NLA_F_NESTED
    nested: [
      { type: SVC_ATTR.AF, u16: 2 },
      { type: SVC_ATTR.PROTOCOL, u16: 6 },
      { type: SVC_ATTR.ADDR, bytes: addr16(10, 0, 0, 100) },
      { type: SVC_ATTR.PORT, be16: 80 },
      { type: SVC_ATTR.SCHED_NAME, str: 'sh' },
      { type: SVC_ATTR.FLAGS, bytes: flags },
      { type: SVC_ATTR.TIMEOUT, u32: 300 },
      { type: SVC_ATTR.NETMASK, be32: 0xffffff00 },
      {
        type: SVC_ATTR.STATS,
        nested: [{ type: STATS_ATTR.CONNS, u32: 1 }, ...u64(STATS_ATTR.INBYTES, 7n)],
      },
      { type: SVC_ATTR.STATS64, nested: stats64(12n) },
    ],
  };
  const datagram = new Uint8Array([
    ...part(IPVS_CMD.NEW_SERVICE, [svc]),
    ...encodeGenl({ type: NLMSG_DONE, flags: NLM_F_MULTI, seq: 9, pid: 4242, cmd: 0, version: 0, attrs: [] }),
  ]);
  const [m, done] = decodeMessages(datagram);
  assert.equal(done?.type, NLMSG_DONE);
  assert.deepEqual(decodeServiceMessage(m?.payload ?? new Uint8Array()), {
    key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.0.0.100', port: 80 },
    scheduler: 'sh',
    flags: { flag1: true, flag2: true, flag3: false },
    onePacket: false,
    persistence: { timeout: 300, prefix: 24, engine: null },
    stats: { conns: 12, inPkts: 120, outPkts: 108, inBytes: 12000, outBytes: 5_000_000_000 },
  });
});

test('a NEW_DEST dump part decodes with connection counts; STATS alone (older kernels) is read too', () => {
  const dest: Attr = {
    type: CMD_ATTR.DEST,
    nested: [
      { type: DEST_ATTR.ADDR, bytes: addr16(10, 0, 0, 2) },
      { type: DEST_ATTR.PORT, be16: 8080 },
      { type: DEST_ATTR.FWD_METHOD, u32: 3 },
      { type: DEST_ATTR.WEIGHT, u32: 5 },
      { type: DEST_ATTR.TUN_TYPE, u8: 0 },
      { type: DEST_ATTR.TUN_PORT, be16: 0 },
      { type: DEST_ATTR.TUN_FLAGS, u16: 0 },
      { type: DEST_ATTR.U_THRESH, u32: 100 },
      { type: DEST_ATTR.L_THRESH, u32: 10 },
      { type: DEST_ATTR.ACTIVE_CONNS, u32: 4 },
      { type: DEST_ATTR.INACT_CONNS, u32: 2 },
      { type: DEST_ATTR.PERSIST_CONNS, u32: 1 },
      { type: DEST_ATTR.ADDR_FAMILY, u16: 2 },
      {
        type: DEST_ATTR.STATS,
        nested: [
          { type: STATS_ATTR.CONNS, u32: 3 },
          { type: STATS_ATTR.INPKTS, u32: 30 },
          { type: STATS_ATTR.OUTPKTS, u32: 20 },
          ...u64(STATS_ATTR.INBYTES, 3000n),
          ...u64(STATS_ATTR.OUTBYTES, 2000n),
        ],
      },
    ],
  };
  const [m] = decodeMessages(part(IPVS_CMD.NEW_DEST, [dest]));
  assert.deepEqual(decodeDestMessage(m?.payload ?? new Uint8Array(), 'inet'), {
    addr: '10.0.0.2',
    port: 8080,
    family: 'inet',
    forwarding: 'dr',
    weight: 5,
    uThreshold: 100,
    lThreshold: 10,
    tunnel: null,
    activeConns: 4,
    inactConns: 2,
    persistConns: 1,
    stats: { conns: 3, inPkts: 30, outPkts: 20, inBytes: 3000, outBytes: 2000 },
  });
});

test('a truncated attribute is refused with its offset, not read past the end', () => {
  const bytes = encodeAttrs([{ type: 1, u32: 7 }]);
  assert.throws(
    () => decodeMessages(part(IPVS_CMD.NEW_DEST, []).subarray(0, 10)),
    /ends with 10 stray bytes/,
  );
  const bad = new Uint8Array(bytes);
  new DataView(bad.buffer).setUint16(0, 40, true);
  assert.throws(
    () => decodeDestMessage(new Uint8Array([5, 1, 0, 0, ...bad]), 'inet'),
    /offset 0 has length 40 past the end/,
  );
});
