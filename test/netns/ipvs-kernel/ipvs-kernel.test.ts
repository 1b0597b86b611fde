/**
 * floatip's IPVS data plane against a real kernel IPVS. This machine's kernel has no ip_vs, so the test
 * boots Debian's stock kernel under qemu (test/helpers/vm.ts; .ci/vm-kernel unpacks it) and runs guest.ts
 * there; the real ipvsadm 1.31 in the guest is the witness: what floatip programs, ipvsadm must show, and
 * what ipvsadm programs, floatip must read. Root only (qemu's 9p export of /).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { vmHookOptions, runVm, vmTestKernel, type VmRun } from '../../helpers/vm.ts';
import { IPVS_SCHEDULERS } from '../../../adapters/onprem/ipvs/constants.ts';
import type { LbService, LbTable } from '../../../core/ports/index.ts';

const here = import.meta.dirname;
const root = join(here, '..', '..', '..');
const vmKernel = vmTestKernel();
const skip = vmKernel.skip;

interface Scenario<T> {
  ok: boolean;
  value: T;
  error?: string;
}
let run: VmRun;
let results: Record<string, Scenario<unknown>>;

function scenario<T>(name: string): T {
  const s = results[name];
  assert.ok(s, `the guest recorded no scenario ${name}:\n${run.output}\n${run.console.slice(-3000)}`);
  assert.ok(s.ok, `scenario ${name} failed in the guest:\n${s.error}`);
  return s.value as T;
}

const VM_RUN_MS = 15 * 60_000;
before(async () => {
  if (skip) return;
  const kernel = vmKernel.required();
  const schedulerModules = IPVS_SCHEDULERS.map((s) => `ip_vs_${s}`);
  // Load what this kernel has: twos came in Linux 6.7, so a 6.1 kernel lacks it and floatip must say so.
  const available = schedulerModules.filter((m) => moduleExists(kernel.root, kernel.version, m));
  run = await runVm(kernel, {
    modules: ['ip_vs', 'dummy', ...available],
    files: {
      'agent-1.conf': readFileSync(join(here, 'agent-1.conf'), 'utf8'),
      'agent-2.conf': readFileSync(join(here, 'agent-2.conf'), 'utf8'),
    },
    script: `cd '${root}' && node_modules/.bin/node test/netns/ipvs-kernel/guest.ts`,
    timeoutMs: VM_RUN_MS,
  });
  assert.equal(
    run.exitCode,
    0,
    `guest failed (exit ${run.exitCode}):\n${run.output}\n${run.console.slice(-3000)}`,
  );
  results = JSON.parse(run.read('results.json')) as Record<string, Scenario<unknown>>;
}, vmHookOptions(VM_RUN_MS));

function moduleExists(kroot: string, version: string, name: string): boolean {
  const dep = readFileSync(join(kroot, 'lib', 'modules', version, 'modules.dep'), 'utf8');
  return dep.includes(`/${name}.ko`);
}

test('every IPVS scheduler the kernel has is accepted; one it lacks is refused by name', { skip }, () => {
  const v = scenario<{
    caps: string;
    attempts: Record<string, { kind: string; reason?: string }>;
    readBack: string[];
    kernelModules: string[];
  }>('schedulers');
  assert.equal(v.caps, 'ok');
  const loaded = new Set(v.kernelModules.map((m) => m.replace(/^ip_vs_/, '')));
  assert.ok(loaded.size >= 13, `expected the kernel's schedulers loaded, got ${[...loaded].join(' ')}`);
  for (const s of IPVS_SCHEDULERS) {
    const a = v.attempts[s];
    assert.ok(a, `no attempt recorded for ${s}`);
    if (loaded.has(s)) assert.equal(a.kind, 'ok', `${s}: ${a.reason}`);
    else {
      assert.notEqual(a.kind, 'ok', `${s} is not in this kernel yet was accepted`);
      assert.match(a.reason ?? '', new RegExp(`\\b${s}\\b`), `the refusal must name ${s}: ${a.reason}`);
    }
  }
  assert.deepEqual(
    [...v.readBack].sort(),
    IPVS_SCHEDULERS.filter((s) => loaded.has(s)).sort(),
    'the kernel holds one service per accepted scheduler, each read back with its scheduler',
  );
});

test('a table made by ipvsadm reads back field by field and prints exactly as ipvsadm -Ln', { skip }, () => {
  const v = scenario<{ table: LbTable; ipvsadm: string; ours: string }>('ipvsadm-made');
  assert.equal(v.ours, v.ipvsadm);
  assert.deepEqual(v.table.timeouts, { tcp: 900, tcpFin: 120, udp: 300 });
  const find = (pred: (s: LbService) => boolean): LbService => {
    const s = v.table.services.find(pred);
    assert.ok(s, `service missing from ${JSON.stringify(v.table.services.map((x) => x.key))}`);
    return s;
  };
  const addr = (a: string) => (s: LbService) => s.key.kind === 'addr' && s.key.addr === a;
  const wrr = find(addr('10.9.0.1'));
  assert.equal(wrr.scheduler, 'wrr');
  // IPVS puts each new destination at the head of its list: the dump is the reverse of the adds.
  assert.deepEqual(
    wrr.destinations.map((d) => [d.addr, d.port, d.forwarding, d.weight, d.uThreshold, d.lThreshold]),
    [
      ['10.9.1.2', 8080, 'nat', 0, 0, 0],
      ['10.9.1.1', 8080, 'nat', 3, 100, 10],
    ],
  );
  const sh = find(addr('10.9.0.2'));
  assert.deepEqual(sh.key, { kind: 'addr', family: 'inet', protocol: 'udp', addr: '10.9.0.2', port: 53 });
  assert.deepEqual([sh.scheduler, sh.flags.flag1, sh.flags.flag2, sh.onePacket], ['sh', true, true, true]);
  assert.equal(sh.destinations[0]?.forwarding, 'dr');
  const persistent = find(addr('10.9.0.3'));
  assert.deepEqual(persistent.persistence, { timeout: 300, prefix: 24, engine: null });
  assert.equal(persistent.destinations[0]?.forwarding, 'tun');
  const fwm = find((s) => s.key.kind === 'fwmark');
  assert.deepEqual(fwm.key, { kind: 'fwmark', family: 'inet', fwmark: 7 });
  assert.deepEqual([fwm.scheduler, fwm.flags.flag1, fwm.flags.flag2], ['mh', false, true]);
  const v6 = find(addr('fd00:9::1'));
  assert.deepEqual(v6.destinations.map((d) => [d.family, d.addr]).sort(), [
    ['inet6', 'fd00:9::10'],
    ['inet6', 'fd00:9::11'],
  ]);
});

test('ops apply one by one as diffs; conflicts come back as conflicts and change nothing', { skip }, () => {
  const steps = scenario<Array<{ op: string; result: string; ipvsadm: string }>>('diff-apply');
  const at = (op: string) => {
    const s = steps.find((x) => x.op === op);
    assert.ok(s, `no step ${op}`);
    return s;
  };
  const dests = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.includes('->') && !l.includes('RemoteAddress'))
      .map((l) => l.trim().split(/\s+/).slice(1, 4).join(' '));
  assert.equal(at('add').result, 'ok');
  assert.match(at('add').ipvsadm, /^TCP {2}10\.9\.0\.1:80 wrr\s*$/m);
  assert.deepEqual(dests(at('add').ipvsadm), [
    '10.9.1.1:80 Masq 4',
    '10.9.1.2:80 Masq 3',
    '10.9.1.3:80 Masq 2',
  ]);
  assert.equal(at('edit weight').result, 'ok');
  assert.deepEqual(dests(at('edit weight').ipvsadm), [
    '10.9.1.1:80 Masq 4',
    '10.9.1.2:80 Masq 7',
    '10.9.1.3:80 Masq 2',
  ]);
  assert.equal(at('scheduler').result, 'ok');
  assert.match(at('scheduler').ipvsadm, /^TCP {2}10\.9\.0\.1:80 lc\s*$/m);
  assert.equal(dests(at('scheduler').ipvsadm).length, 3, 'changing the scheduler keeps the real servers');
  assert.equal(at('delete dest').result, 'ok');
  assert.deepEqual(dests(at('delete dest').ipvsadm), ['10.9.1.2:80 Masq 7', '10.9.1.3:80 Masq 2']);
  for (const op of ['add again (conflict)', 'delete missing dest (conflict)']) {
    assert.match(at(op).result, /^conflict: /, op);
    assert.equal(at(op).ipvsadm, at('delete dest').ipvsadm, `${op} changed the table`);
  }
});

test(
  'floatip agent programs keepalived.conf into IPVS, reloads as a diff, removes it on stop',
  { skip },
  () => {
    const v = scenario<{
      phase1: { status: string; ipvsadm: string; daemon: string };
      phase2: { status: string; ipvsadm: string };
      afterStop: string;
      daemonAfterStop: string;
      exitCode: number | null;
      log: string;
    }>('agent');
    // `floatip status --lvs` is the kernel's own table, printed as ipvsadm prints it.
    assert.equal(v.phase1.status.trimEnd(), v.phase1.ipvsadm.trimEnd());
    assert.match(v.phase1.ipvsadm, /^TCP {2}10\.9\.0\.1:80 wrr persistent 60$/m);
    assert.match(v.phase1.ipvsadm, /^ {2}-> 10\.9\.1\.1:80 +Masq +3 /m);
    assert.match(v.phase1.ipvsadm, /^UDP {2}10\.9\.0\.2:53 sh\s*$/m);
    assert.match(v.phase1.ipvsadm, /^FWM {2}5 rr\s*$/m);
    assert.equal(v.phase2.status.trimEnd(), v.phase2.ipvsadm.trimEnd());
    assert.match(
      v.phase2.ipvsadm,
      /^ {2}-> 10\.9\.1\.2:80 +Masq +5 /m,
      'the weight change reached the kernel',
    );
    assert.match(
      v.phase2.ipvsadm,
      /^ {2}-> 10\.9\.1\.3:80 +Masq +1 /m,
      'the new real server reached the kernel',
    );
    assert.doesNotMatch(v.phase2.ipvsadm, /10\.9\.0\.2:53/, 'the removed virtual server left the kernel');
    assert.match(v.phase2.ipvsadm, /^FWM {2}5 rr\s*$/m, 'the unchanged virtual server stayed');
    assert.match(v.log, /applied 3 change\(s\)/, `the reload was one diff of 3 ops:\n${v.log}`);
    assert.equal(v.exitCode, 0, v.log);
    assert.doesNotMatch(v.afterStop, /^(TCP|UDP|FWM) /m, 'SIGTERM removes what floatip programmed');
    // lvs_sync_daemon vm0 VI_VM id 7: the MASTER runs the master daemon; a stopped agent leaves none.
    assert.match(v.phase1.daemon, /^master sync daemon \(mcast=vm0, syncid=7\b/m);
    assert.doesNotMatch(v.phase1.daemon, /backup sync daemon/);
    assert.doesNotMatch(v.daemonAfterStop, /sync daemon/, `after SIGTERM: ${v.daemonAfterStop}`);
  },
);

test(
  'lvs_sync_daemon: backup and master daemons start and stop in the kernel as ipvsadm shows',
  { skip },
  () => {
    const steps =
      scenario<Array<{ step: string; result: string; list: unknown; ipvsadm: string }>>('sync-daemon');
    const at = (name: string) => {
      const s = steps.find((x) => x.step === name);
      assert.ok(s, `no step ${name}`);
      assert.equal(s.result, 'ok', `${name}: ${s.result}`);
      return s;
    };
    const want = { interface: 'sync0', syncId: 51, port: 8850, ttl: 2, group: '224.0.0.82' };
    const backup = at('start backup');
    assert.match(
      backup.ipvsadm,
      /^backup sync daemon \(mcast=sync0, syncid=51, maxlen=\d+, group=224\.0\.0\.82, port=8850, ttl=2\)$/m,
    );
    assert.deepEqual(backup.list, [
      { role: 'backup', ...want, maxlen: (backup.list as Array<{ maxlen: number }>)[0]?.maxlen },
    ]);
    assert.doesNotMatch(at('become master: stop backup').ipvsadm, /sync daemon/);
    const master = at('become master: start master');
    assert.match(
      master.ipvsadm,
      /^master sync daemon \(mcast=sync0, syncid=51, maxlen=\d+, group=224\.0\.0\.82, port=8850, ttl=2\)$/m,
    );
    assert.deepEqual(
      (master.list as Array<{ role: string }>).map((d) => d.role),
      ['master'],
    );
    assert.doesNotMatch(at('stop master').ipvsadm, /sync daemon/);
    at('stop master again'); // stopping a daemon that is not running is what stop wants: ok
  },
);
