// Runs inside the IPVS VM for `npm run bench:checker-vm` (bench/checker-vm.bench.ts): keepalived's own
// TCP_CHECK checker and the floatip agent, one after the other, on one keepalived.conf, against a real
// kernel IPVS (no LD_PRELOAD shim: the VM's kernel has ip_vs). Writes $FIP_VM_OUT/checker-vm.json.
//
//   VM root namespace (director) 10.99.0.11/24 ── veth ── netns r1 10.99.0.201/24, N ports (servers.ts)
//
// Checks are counted by the servers (accepted connections); CPU is user + system time of the checker's
// process tree from /proc, over the same window for both.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { keepalivedArgv } from './keepalived.ts';
import { cpuMs, peakRssMb, processTree } from './proc.ts';

const N = Number(process.env['FIP_CHECKER_VM_SERVERS'] ?? 200);
const WINDOW_S = Number(process.env['FIP_CHECKER_VM_SECONDS'] ?? 15);
const out = process.env['FIP_VM_OUT'] ?? '/run';
const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });

sh(
  [
    'set -e',
    'ip netns add r1',
    'ip link add d0 type veth peer name eth0 netns r1',
    'ip addr add 10.99.0.11/24 dev d0',
    'ip link set d0 up',
    'ip -n r1 link set lo up',
    'ip -n r1 addr add 10.99.0.201/24 dev eth0',
    'ip -n r1 link set eth0 up',
  ].join('\n'),
);

const servers = spawn(
  'ip',
  ['netns', 'exec', 'r1', node, join(import.meta.dirname, 'servers.ts'), '10.99.0.201', '20000', String(N)],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const lines = createInterface({ input: servers.stdout as NodeJS.ReadableStream });
const waiting: Array<(l: string) => void> = [];
lines.on('line', (l) => waiting.shift()?.(l));
const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
const ports = JSON.parse(await next()) as number[];
const count = async (): Promise<number> => {
  servers.stdin?.write('count\n');
  return Number(await next());
};

const rs = ports.map(
  (p) =>
    `    real_server 10.99.0.201 ${p} {\n        weight 1\n        TCP_CHECK {\n            connect_timeout 5\n        }\n    }\n`,
);
const conf = join(out, 'keepalived.conf');
writeFileSync(
  conf,
  `global_defs {\n    router_id checker_vm\n}\n\nvirtual_server 10.99.0.11 80 {\n    delay_loop 1\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n${rs.join('')}}\n`,
);

interface Figures {
  checks: number;
  seconds: number;
  cpuMs: number;
  peakRssMb: number[];
  startS: number;
}

/** Starts `argv`, waits for its checks to reach every server once, then measures WINDOW_S seconds. */
async function run(argv: string[]): Promise<Figures> {
  const t0 = Date.now();
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  try {
    const base = await count();
    for (let i = 0; i < 600 && (await count()) - base < 2 * N; i++) await sleep(500);
    const startS = (Date.now() - t0) / 1000;
    const pids = processTree(child.pid ?? 0);
    const c0 = await count();
    const cpu0 = cpuMs(pids);
    const w0 = Date.now();
    await sleep(WINDOW_S * 1000);
    const c1 = await count();
    const cpu1 = cpuMs(processTree(child.pid ?? 0));
    return {
      checks: c1 - c0,
      seconds: (Date.now() - w0) / 1000,
      cpuMs: cpu1 - cpu0,
      peakRssMb: peakRssMb(processTree(child.pid ?? 0)),
      startS,
    };
  } finally {
    child.kill('SIGTERM');
    await sleep(2000);
    child.kill('SIGKILL');
    sh('ipvsadm -C');
  }
}

const dir = '/run/kbench';
mkdirSync(dir, { recursive: true });
const result = {
  servers: N,
  keepalived: await run(keepalivedArgv(dir, conf)),
  floatip: await run([
    node,
    join(root, 'bin', 'floatip.mjs'),
    'agent',
    '--config',
    conf,
    '--socket',
    '/run/fip.sock',
  ]),
};
servers.stdin?.end();
writeFileSync(join(out, 'checker-vm.json'), JSON.stringify(result, null, 2));
