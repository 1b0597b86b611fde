// The IPVS sync-daemon codec against real ipvsadm 1.31 requests, byte for byte
// (ipvsadm-daemon-captures.json, recorded with capture/ipvsadm-shim.c: the kernel here has no IPVS), the
// start request decoded back, and the port adapter on this kernel: no IPVS, said plainly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import {
  decodeDaemonMessage,
  encodeGetDaemons,
  encodeStartDaemon,
  encodeStopDaemon,
  IpvsSyncDaemon,
  NO_IPVS_MESSAGE,
  type Envelope,
} from '../../../../adapters/onprem/ipvs/index.ts';
import type { SyncDaemonConfig, SyncDaemonRole } from '../../../../core/ports/index.ts';

const data = JSON.parse(readFileSync(new URL('./ipvsadm-daemon-captures.json', import.meta.url), 'utf8')) as {
  captures: Array<{ ipvsadm: string; hex: string }>;
};
const bytes = (hex: string): Uint8Array =>
  Uint8Array.from((hex.match(/../g) ?? []).map((x) => parseInt(x, 16)));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const envelopeOf = (hex: string): Envelope => {
  const v = new DataView(bytes(hex).buffer);
  return { familyId: v.getUint16(4, true), seq: v.getUint32(8, true), pid: v.getUint32(12, true) };
};
const capture = (cmd: string): string => {
  const c = data.captures.find((x) => x.ipvsadm === cmd);
  assert.ok(c, cmd);
  return c.hex;
};

const starts: Array<[string, SyncDaemonRole, SyncDaemonConfig]> = [
  ['--start-daemon master --mcast-interface eth0 --syncid 5', 'master', { interface: 'eth0', syncId: 5 }],
  [
    '--start-daemon backup --mcast-interface eth1 --syncid 51 --sync-maxlen 1400 --mcast-group 224.0.0.99 --mcast-port 9000 --mcast-ttl 3',
    'backup',
    { interface: 'eth1', syncId: 51, maxlen: 1400, group: '224.0.0.99', port: 9000, ttl: 3 },
  ],
  [
    '--start-daemon master --mcast-interface eth0 --syncid 7 --mcast-group ff02::81',
    'master',
    { interface: 'eth0', syncId: 7, group: 'ff02::81' },
  ],
];

test('NEW_DAEMON requests match ipvsadm byte for byte and decode back to the same daemon', () => {
  for (const [cmd, role, config] of starts) {
    const hex = capture(cmd);
    const mine = encodeStartDaemon(envelopeOf(hex), role, config);
    assert.equal(toHex(mine), hex, cmd);
    assert.deepEqual(decodeDaemonMessage(mine.subarray(16)), { role, ...config }, cmd);
  }
});

test('DEL_DAEMON and the GET_DAEMON dump match ipvsadm byte for byte', () => {
  for (const role of ['master', 'backup'] as const) {
    const hex = capture(`--stop-daemon ${role}`);
    assert.equal(toHex(encodeStopDaemon(envelopeOf(hex), role)), hex);
  }
  const list = capture('-L --daemon');
  assert.equal(toHex(encodeGetDaemons(envelopeOf(list))), list);
});

test('bad daemon settings are refused before anything is sent', () => {
  const env = { familyId: 28, seq: 1, pid: 0 };
  assert.throws(
    () => encodeStartDaemon(env, 'master', { interface: 'a-very-long-ifname0', syncId: 1 }),
    /longer than 15/,
  );
  assert.throws(() => encodeStartDaemon(env, 'master', { interface: 'eth0', syncId: 256 }), /0\.\.255/);
  assert.throws(
    () => encodeStartDaemon(env, 'master', { interface: 'eth0', syncId: 1, group: '10.0.0.1' }),
    /not a multicast/,
  );
});

test(
  'on a kernel without IPVS the sync daemon adapter gives up with the plain reason from every call',
  { skip: existsSync('/proc/net/ip_vs') && 'kernel has IPVS' },
  async () => {
    const d = new IpvsSyncDaemon();
    try {
      const cfg = { interface: 'lo', syncId: 1 };
      for (const r of [await d.start('master', cfg), await d.stop('backup', cfg), await d.list()]) {
        assert.deepEqual(r, { kind: 'give-up', reason: NO_IPVS_MESSAGE });
      }
    } finally {
      d.close();
    }
  },
);
