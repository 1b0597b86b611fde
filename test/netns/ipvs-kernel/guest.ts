/**
 * Runs inside the IPVS VM (see ipvs-kernel.test.ts, test/helpers/vm.ts) as root, on a kernel with ip_vs
 * and its schedulers loaded. It only observes: every scenario drives floatip's IPVS data plane or agent
 * and records what floatip said and what the kernel (through the real ipvsadm) shows, into
 * $FIP_VM_OUT/results.json. The host test asserts on those records.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IpvsDataplane } from '../../../adapters/onprem/ipvs/index.ts';
import { IPVS_SCHEDULERS } from '../../../adapters/onprem/ipvs/constants.ts';
import { IpvsSyncDaemon } from '../../../adapters/onprem/ipvs/sync-daemon.ts';
import { formatIpvsadm } from '../../../adapters/onprem/ipvs/ipvsadm-format.ts';
import type { LbOp, LbService } from '../../../core/ports/index.ts';
import { waitFor } from '../../helpers/netns.ts';

const out = process.env.FIP_VM_OUT ?? '/run';
const root = join(import.meta.dirname, '..', '..', '..');
const results: Record<string, unknown> = {};

const ipvsadm = (...args: string[]): string => execFileSync('ipvsadm', args, { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** FIP_VM_ONLY=a,b runs only those scenarios (for working on one). */
const only = process.env.FIP_VM_ONLY?.split(',');

async function scenario(name: string, body: () => Promise<unknown>): Promise<void> {
  if (only && !only.includes(name)) return;
  try {
    results[name] = { ok: true, value: await body() };
  } catch (e) {
    results[name] = { ok: false, error: (e as Error).stack ?? String(e) };
  }
  ipvsadm('-C');
}

const plain = (scheduler: string, port: number): Omit<LbService, 'destinations'> => ({
  key: { kind: 'addr', family: 'inet', protocol: 'tcp', addr: '10.9.0.1', port },
  scheduler,
  flags: { flag1: false, flag2: false, flag3: false },
  onePacket: false,
  persistence: null,
});

await scenario('schedulers', async () => {
  const plane = new IpvsDataplane();
  try {
    const caps = await plane.capabilities();
    const attempts: Record<string, { kind: string; reason?: string }> = {};
    let port = 1000;
    for (const s of IPVS_SCHEDULERS) {
      const r = await plane.apply([{ kind: 'add-service', service: plain(s, port++) }]);
      attempts[s] = r.kind === 'ok' ? { kind: 'ok' } : { kind: r.kind, reason: r.reason };
    }
    const read = await plane.read();
    return {
      caps: caps.kind,
      attempts,
      readBack: read.kind === 'ok' ? read.value.services.map((x) => x.scheduler) : read,
      kernelModules: readFileSync('/proc/modules', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[0])
        .filter((m) => m?.startsWith('ip_vs_')),
    };
  } finally {
    plane.close();
  }
});

await scenario('ipvsadm-made', async () => {
  // A table built by the real ipvsadm with most features; floatip must read it back faithfully.
  ipvsadm('--set', '900', '120', '300');
  ipvsadm('-A', '-t', '10.9.0.1:80', '-s', 'wrr');
  ipvsadm('-a', '-t', '10.9.0.1:80', '-r', '10.9.1.1:8080', '-m', '-w', '3', '-x', '100', '-y', '10');
  ipvsadm('-a', '-t', '10.9.0.1:80', '-r', '10.9.1.2:8080', '-m', '-w', '0');
  ipvsadm('-A', '-u', '10.9.0.2:53', '-s', 'sh', '-b', 'sh-fallback,sh-port', '-o');
  ipvsadm('-a', '-u', '10.9.0.2:53', '-r', '10.9.1.3:53', '-g', '-w', '1');
  ipvsadm('-A', '-t', '10.9.0.3:443', '-s', 'lc', '-p', '300', '-M', '255.255.255.0');
  ipvsadm('-a', '-t', '10.9.0.3:443', '-r', '10.9.1.4:443', '-i', '-w', '2');
  ipvsadm('-A', '-f', '7', '-s', 'mh', '-b', 'mh-port');
  ipvsadm('-a', '-f', '7', '-r', '10.9.1.5:0', '-g', '-w', '5');
  ipvsadm('-A', '-t', '[fd00:9::1]:80', '-s', 'rr');
  ipvsadm('-a', '-t', '[fd00:9::1]:80', '-r', '[fd00:9::10]:80', '-m', '-w', '1');
  ipvsadm('-a', '-t', '[fd00:9::1]:80', '-r', '[fd00:9::11]:80', '-m', '-w', '1');
  const plane = new IpvsDataplane();
  try {
    const read = await plane.read();
    if (read.kind !== 'ok') return { read };
    return {
      table: read.value,
      ipvsadm: ipvsadm('-Ln'),
      ours: formatIpvsadm({ version: 0x010201, connTabSize: 4096, services: read.value.services }),
    };
  } finally {
    plane.close();
  }
});

await scenario('diff-apply', async () => {
  // floatip's ops land one by one; an edit must leave the rest of the table as it was.
  const plane = new IpvsDataplane();
  try {
    const svc = plain('wrr', 80);
    const dest = (addr: string, weight: number) => ({
      addr,
      port: 80,
      family: 'inet' as const,
      forwarding: 'nat' as const,
      weight,
      uThreshold: 0,
      lThreshold: 0,
      tunnel: null,
    });
    const steps: Array<{ op: string; result: string; ipvsadm: string }> = [];
    const run = async (what: string, ops: LbOp[]) => {
      const r = await plane.apply(ops);
      steps.push({
        op: what,
        result: r.kind === 'ok' ? 'ok' : `${r.kind}: ${r.reason}`,
        ipvsadm: ipvsadm('-Ln'),
      });
    };
    await run('add', [
      { kind: 'add-service', service: svc },
      { kind: 'add-dest', service: svc.key, dest: dest('10.9.1.1', 4) },
      { kind: 'add-dest', service: svc.key, dest: dest('10.9.1.2', 3) },
      { kind: 'add-dest', service: svc.key, dest: dest('10.9.1.3', 2) },
    ]);
    await run('edit weight', [{ kind: 'edit-dest', service: svc.key, dest: dest('10.9.1.2', 7) }]);
    await run('scheduler', [{ kind: 'edit-service', service: { ...svc, scheduler: 'lc' } }]);
    await run('delete dest', [{ kind: 'delete-dest', service: svc.key, dest: dest('10.9.1.1', 0) }]);
    await run('add again (conflict)', [{ kind: 'add-service', service: svc }]);
    await run('delete missing dest (conflict)', [
      { kind: 'delete-dest', service: svc.key, dest: dest('10.9.1.99', 0) },
    ]);
    return steps;
  } finally {
    plane.close();
  }
});

await scenario('sync-daemon', async () => {
  // lvs_sync_daemon: the kernel's connection-sync threads, started and stopped as the VRRP role moves.
  execFileSync('ip', ['link', 'add', 'sync0', 'type', 'dummy']);
  execFileSync('ip', ['link', 'set', 'sync0', 'multicast', 'on', 'up']);
  execFileSync('ip', ['addr', 'add', '10.9.8.1/24', 'dev', 'sync0']);
  const syncd = new IpvsSyncDaemon();
  const steps: Array<{ step: string; result: string; list: unknown; ipvsadm: string }> = [];
  const cfg = { interface: 'sync0', syncId: 51, port: 8850, ttl: 2, group: '224.0.0.82' };
  const record = async (step: string, r: Promise<{ kind: string; reason?: string }>) => {
    const out = await r;
    const list = await syncd.list();
    steps.push({
      step,
      result: out.kind === 'ok' ? 'ok' : `${out.kind}: ${out.reason}`,
      list: list.kind === 'ok' ? list.value : list,
      ipvsadm: ipvsadm('-L', '--daemon'),
    });
  };
  try {
    await record('start backup', syncd.start('backup', cfg));
    await record('become master: stop backup', syncd.stop('backup', cfg));
    await record('become master: start master', syncd.start('master', cfg));
    await record('stop master', syncd.stop('master', cfg));
    await record('stop master again', syncd.stop('master', cfg));
    return steps;
  } finally {
    syncd.close();
    execFileSync('ip', ['link', 'del', 'sync0']);
  }
});

/** Polls `check` every 250 ms until it returns a value; throws naming `what` after `ms`. */
const until = <T>(what: string, ms: number, check: () => T | undefined): Promise<T> =>
  waitFor(what, check, ms, 250);

await scenario('agent', async () => {
  const conf = join(out, 'keepalived.conf');
  writeFileSync(conf, readFileSync(join(out, 'agent-1.conf'), 'utf8'));
  // The VRRP side needs a segment: a dummy interface, where the instance is alone and becomes MASTER.
  execFileSync('ip', ['link', 'add', 'vm0', 'type', 'dummy']);
  execFileSync('ip', ['link', 'set', 'vm0', 'multicast', 'on', 'up']);
  execFileSync('ip', ['addr', 'add', '10.9.7.1/24', 'dev', 'vm0']);
  const sock = '/run/fip-agent.sock';
  const node = join(root, 'node_modules', '.bin', 'node');
  const cli = join(root, 'bin', 'floatip.mjs');
  const agent = spawn(node, [cli, 'agent', '--config', conf, '--socket', sock], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  agent.stdout.on('data', (d: Buffer) => (log += d.toString()));
  agent.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => agent.once('exit', (code) => r(code)));
  const status = () => execFileSync(node, [cli, 'status', '--lvs', '--socket', sock], { encoding: 'utf8' });
  try {
    const lines = (text: string) => text.split('\n').filter((l) => /^(TCP|UDP|FWM|SCTP) /.test(l)).length;
    const first = await until('the agent to program 3 services', 400_000, () =>
      lines(ipvsadm('-Ln')) === 3 ? true : undefined,
    );
    const daemon = await until('the master sync daemon', 120_000, () => {
      const d = ipvsadm('-L', '--daemon');
      return d.includes('master') ? d : undefined;
    });
    const phase1 = { status: await until('status', 60_000, status), ipvsadm: ipvsadm('-Ln'), first, daemon };
    writeFileSync(conf, readFileSync(join(out, 'agent-2.conf'), 'utf8'));
    agent.kill('SIGHUP');
    await until('the reload to reach the kernel', 300_000, () =>
      ipvsadm('-Ln').includes('10.9.1.3:80') ? true : undefined,
    );
    await sleep(1000);
    // Under emulation one status call can time out while the agent is busy: retry it as in phase 1.
    const phase2 = {
      status: await until('status after the reload', 60_000, status),
      ipvsadm: ipvsadm('-Ln'),
    };
    agent.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(60_000).then(() => 'no exit')]);
    return {
      phase1,
      phase2,
      afterStop: ipvsadm('-Ln'),
      daemonAfterStop: ipvsadm('-L', '--daemon'),
      exitCode: code,
      log,
    };
  } catch (e) {
    throw new Error(`${(e as Error).message}\nkernel table:\n${ipvsadm('-Ln')}\nagent log:\n${log}`);
  } finally {
    agent.kill('SIGKILL');
    execFileSync('ip', ['link', 'del', 'vm0']);
  }
});

writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2));
