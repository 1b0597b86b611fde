/**
 * `npm run bench:checker` (root; Debian's keepalived, nftables and a C compiler): keepalived's own
 * TCP_CHECK checker and the floatip agent, one after the other on the same keepalived.conf, in the same
 * run and the same network-namespace lab.
 *
 *   director namespace d1 (10.99.0.11)  ── bridge ──  servers namespace r1 (10.99.0.201, N ports)
 *   keepalived -C (LD_PRELOAD ipvs-shim)                 one process accepting and closing, counting
 *   or: floatip agent --config (nftables plane)         SYNs counted by an nftables counter in r1
 *
 * keepalived's checker refuses to start on a kernel without IPVS; bench/checker/ipvs-shim.c (built here
 * with cc) answers its IPVS socket options and logs the destinations it adds and removes. The agent runs
 * as an operator runs it (the package `npm run pack` builds; FIP_CHECKER_AGENT=source: bin/floatip.mjs of the
 * checkout), with its real data plane (nftables on this kernel).
 *
 * Per size (FIP_CHECKER_SIZES, default 1000,5000,10000) and load (quiet, then FIP_CHECKER_HOGS busy
 * processes beside both, default 2 = both cores of this machine), each checker runs FIP_CHECKER_SECONDS
 * (default 15) after its checks reach the servers, FIP_CHECKER_ROUNDS times (default 3, interleaved). Printed
 * for each: checks/s seen by the servers, CPU ms per check (user + system of the whole process tree, /proc;
 * and the system share: the kernel's socket and conntrack work dominates, and varies between runs), peak
 * RSS of the tree, servers declared down (all are healthy, so every one is false), the director's conntrack
 * table at its fullest (see shortTimeWait), and floatip/keepalived ratios of the medians.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createLab, waitFor, type Lab } from '../test/helpers/netns.ts';
import { buildShim, keepalivedArgv, removedDestinations } from './checker/keepalived.ts';
import { conntrackCount, shortTimeWait, TIME_WAIT_S } from './checker/conntrack.ts';
import {
  agentArgv,
  cpuMs,
  packagedAgent,
  peakRssMb,
  processTree,
  rssMb,
  withFdLimit,
} from './checker/proc.ts';

const SIZES = (process.env['FIP_CHECKER_SIZES'] ?? '1000,5000,10000').split(',').map(Number);
const WINDOW_S = Number(process.env['FIP_CHECKER_SECONDS'] ?? 15);
const HOGS = Number(process.env['FIP_CHECKER_HOGS'] ?? 2);
/** FIP_CHECKER_ROUNDS: measurements of each checker per size and load, interleaved (default 3). */
const ROUNDS = Number(process.env['FIP_CHECKER_ROUNDS'] ?? 3);
const IMPLS = (process.env['FIP_CHECKER_ONLY'] ?? 'keepalived,floatip').split(',');
const FIRST_PORT = 20_000;
const checkout = join(import.meta.dirname, '..');
/**
 * FIP_CHECKER_AGENT=packaged (default): the package `npm run pack` builds, as an operator installs it (the
 * CLI bundled as JavaScript); =source: bin/floatip.mjs of this checkout, its TypeScript run by Node.
 */
const AGENT_FROM = process.env['FIP_CHECKER_AGENT'] ?? 'packaged';
let agentRoot = checkout;

function config(director: string, server: string, ports: readonly number[]): string {
  const rs = ports.map(
    (p) =>
      `    real_server ${server} ${p} {\n        weight 1\n        TCP_CHECK {\n            connect_timeout 5\n        }\n    }\n`,
  );
  return `global_defs {\n    router_id checker_bench\n}\n\nvirtual_server ${director} 80 {\n    delay_loop 1\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n${rs.join('')}}\n`;
}

interface Servers {
  ports: number[];
  count(): Promise<number>;
  close(): void;
}

async function startServers(lab: Lab, n: number): Promise<Servers> {
  const child = lab.spawn('r1', [
    'sh',
    '-c',
    'ulimit -n "$(ulimit -Hn)" && exec "$@"',
    'sh',
    process.execPath,
    join(import.meta.dirname, 'checker', 'servers.ts'),
    lab.nodes['r1']?.ipv4 ?? '',
    String(FIRST_PORT),
    String(n),
  ]);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const waiting: Array<(l: string) => void> = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const ports = JSON.parse(await next()) as number[];
  if (ports.length < n) throw new Error(`only ${ports.length} of ${n} listeners opened (ulimit -n?)`);
  // Checks are counted by the servers' kernel (an nftables counter of incoming SYNs), not by the server
  // process: on a loaded machine its accept loop lags behind, the kernel's count does not.
  lab.exec('r1', ['nft', '-f', '-'], {
    input:
      'table inet fip_checker_bench {\n chain syns {\n  type filter hook input priority 0;\n' +
      '  tcp flags & (syn | ack) == syn counter\n }\n}\n',
  });
  return {
    ports,
    async count() {
      const out = lab.exec('r1', ['nft', 'list', 'table', 'inet', 'fip_checker_bench']);
      return Number(/packets (\d+)/.exec(out)?.[1] ?? Number.NaN);
    },
    close: () => {
      child.stdin?.end();
      lab.exec('r1', ['nft', 'delete', 'table', 'inet', 'fip_checker_bench'], { allowFail: true });
    },
  };
}

interface Checker {
  pid: number;
  /** Servers declared down so far. */
  downs(): number;
  output(): string;
  stop(): Promise<void>;
}

function collect(child: ChildProcess): { text: () => string; exited: Promise<void> } {
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return { text: () => text, exited: new Promise((r) => child.once('exit', () => r())) };
}

/**
 * The agent's nftables plane registers NAT hooks in the director's namespace, which turns on connection
 * tracking there: every check connection then costs the kernel a conntrack entry, charged to the checker
 * as system time. keepalived (IPVS, here the shim) does not. So that both checkers pay the same kernel
 * path, an empty NAT table stands in the namespace while keepalived runs (FIP_CHECKER_CONNTRACK=agent-only
 * leaves it out).
 */
const EQUAL_CONNTRACK = process.env['FIP_CHECKER_CONNTRACK'] !== 'agent-only';
function conntrackOn(lab: Lab, on: boolean): void {
  if (!EQUAL_CONNTRACK) return;
  if (on) {
    lab.exec('d1', ['nft', '-f', '-'], {
      input:
        'table ip fip_checker_ct {\n chain out {\n  type nat hook output priority -100;\n }\n' +
        ' chain post {\n  type nat hook postrouting priority 100;\n }\n}\n',
    });
  } else lab.exec('d1', ['nft', 'delete', 'table', 'ip', 'fip_checker_ct'], { allowFail: true });
}

function startKeepalived(lab: Lab, dir: string, shim: string, configPath: string): Checker {
  const shimLog = join(dir, 'shim.log');
  rmSync(shimLog, { force: true });
  conntrackOn(lab, true);
  const child = lab.spawn(
    'd1',
    withFdLimit([
      'env',
      `LD_PRELOAD=${shim}`,
      `FIP_IPVS_SHIM_LOG=${shimLog}`,
      ...keepalivedArgv(dir, configPath),
    ]),
  );
  const out = collect(child);
  return {
    pid: child.pid ?? 0,
    downs: () => removedDestinations(shimLog),
    output: out.text,
    async stop() {
      child.kill('SIGTERM');
      await out.exited;
      conntrackOn(lab, false);
    },
  };
}

/** FIP_CHECKER_AGENT_LOG=FILE appends each agent's output there (with FLOATIP_AGENT_NODE_FLAGS=--trace-gc ...). */
const AGENT_LOG = process.env['FIP_CHECKER_AGENT_LOG'];

function startAgent(lab: Lab, dir: string, configPath: string): Checker {
  const child = lab.spawn('d1', agentArgv(agentRoot, configPath, join(dir, 'agent.sock')));
  const out = collect(child);
  return {
    pid: child.pid ?? 0,
    downs: () => (out.text().match(/real server \S+ down/g) ?? []).length,
    output: out.text,
    async stop() {
      child.kill('SIGTERM');
      await out.exited;
      if (AGENT_LOG) appendFileSync(AGENT_LOG, out.text());
    },
  };
}

interface Figures {
  checksPerSec: number;
  cpuMsPerCheck: number;
  /** The kernel's share of cpuMsPerCheck (system time: sockets, connects, conntrack). */
  sysMsPerCheck: number;
  /** Sum of the peak RSS (VmHWM) of the long-lived processes. */
  peakRssMb: number;
  /** The largest of those (the agent's one process; keepalived's checker child or parent). */
  largestMb: number;
  /** Highest sampled RSS of the whole tree at one moment, helpers such as `nft` included. */
  peakTreeRssMb: number;
  processes: number;
  falseDowns: number;
  /** Highest sampled count of the director namespace's conntrack table (nf_conntrack_max: a full one drops SYNs). */
  conntrackPeak: number;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? (v[mid] ?? Number.NaN) : ((v[mid - 1] ?? 0) + (v[mid] ?? 0)) / 2;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(checker: Checker, servers: Servers, n: number, lab: Lab): Promise<Figures> {
  let peak = 0;
  let processes = 0;
  let ct = 0;
  let ticks = 0;
  const sampler = setInterval(() => {
    const tree = processTree(checker.pid);
    processes = Math.max(processes, tree.length);
    peak = Math.max(peak, rssMb(tree));
    if (ticks++ % 10 === 0) ct = Math.max(ct, conntrackCount(lab));
  }, 200);
  try {
    // Running once the servers see checks (a tenth of the ideal rate over one second; a starved checker
    // may never reach half), then one delay_loop plus the warmup spread to settle.
    await waitFor(
      'the checks to reach the servers',
      async () => {
        const a = await servers.count();
        await sleep(1000);
        return (await servers.count()) - a >= n / 10 ? true : undefined;
      },
      90_000,
      0,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${checker.output().slice(-2000)}`, { cause: e });
    });
    await sleep(3000);
    const c0 = await servers.count();
    const cpu0 = cpuMs(processTree(checker.pid));
    const sys0 = cpuMs(processTree(checker.pid), 'system');
    const t0 = performance.now();
    await sleep(WINDOW_S * 1000);
    const tree = processTree(checker.pid);
    const cpu = cpuMs(tree) - cpu0;
    const sys = cpuMs(tree, 'system') - sys0;
    const checks = (await servers.count()) - c0;
    const elapsed = performance.now() - t0;
    const hwm = peakRssMb(tree);
    return {
      checksPerSec: (checks * 1000) / elapsed,
      cpuMsPerCheck: cpu / checks,
      sysMsPerCheck: sys / checks,
      peakRssMb: hwm.reduce((a, b) => a + b, 0),
      largestMb: hwm[0] ?? 0,
      peakTreeRssMb: peak,
      processes,
      falseDowns: checker.downs(),
      conntrackPeak: Math.max(ct, conntrackCount(lab)),
    };
  } finally {
    clearInterval(sampler);
  }
}

function startHogs(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
}

const fmt = (v: number, digits = 0): string =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';

function row(name: string, f: Figures): string {
  return [
    name.padEnd(12),
    fmt(f.checksPerSec).padStart(9),
    fmt(f.cpuMsPerCheck, 4).padStart(10),
    fmt(f.sysMsPerCheck, 4).padStart(10),
    fmt(f.peakRssMb, 1).padStart(9),
    fmt(f.largestMb, 1).padStart(9),
    fmt(f.peakTreeRssMb, 1).padStart(9),
    String(f.processes).padStart(6),
    String(f.falseDowns).padStart(11),
    fmt(f.conntrackPeak).padStart(9),
  ].join(' ');
}

/**
 * Starts the agent once on a one-server config and stops it: Node's compile cache (bin/floatip.mjs) is
 * then warm, as it is for every start of a deployed agent after its first, so the figures are those of
 * an agent that does not load the TypeScript stripper.
 */
async function warmCompileCache(lab: Lab, dir: string): Promise<void> {
  const configPath = join(dir, 'warm.conf');
  writeFileSync(configPath, config(lab.nodes['d1']?.ipv4 ?? '', lab.nodes['r1']?.ipv4 ?? '', [FIRST_PORT]));
  const agent = startAgent(lab, dir, configPath);
  await waitFor('the warm-up agent to start', () =>
    agent.output().includes('floatip agent started') ? true : undefined,
  ).finally(() => agent.stop());
}

async function main(): Promise<void> {
  const lab = createLab({ directors: 1, client: false, realServers: 1 });
  const dir = mkdtempSync(join(os.tmpdir(), 'fip-checker-bench-'));
  const hogs: ChildProcess[] = [];
  try {
    const shim = buildShim(dir);
    shortTimeWait(lab);
    if (IMPLS.includes('floatip')) {
      if (AGENT_FROM === 'packaged') {
        const pkg = packagedAgent(checkout, dir);
        if (!pkg)
          throw new Error(
            'bench:checker: scripts/build-package.ts failed (FIP_CHECKER_AGENT=source runs the checkout)',
          );
        agentRoot = pkg;
      } else if (AGENT_FROM !== 'source')
        throw new Error(`FIP_CHECKER_AGENT=${AGENT_FROM}: packaged or source`);
      await warmCompileCache(lab, dir);
    }
    console.log(
      `bench:checker: TCP_CHECK, delay_loop 1, connect_timeout 5; window ${WINDOW_S} s per checker; ` +
        `agent ${AGENT_FROM === 'packaged' ? 'packaged (npm run pack)' : 'from source'}; ` +
        `load average ${os
          .loadavg()
          .map((v) => v.toFixed(2))
          .join(' ')} on ${os.availableParallelism()} CPUs at start; conntrack ` +
        (EQUAL_CONNTRACK
          ? 'on for both (an empty NAT table beside keepalived)'
          : 'on for the agent only (its nftables plane)') +
        `, closed entries kept ${TIME_WAIT_S} s`,
    );
    for (const n of SIZES) {
      const servers = await startServers(lab, n);
      try {
        const configPath = join(dir, `keepalived-${n}.conf`);
        writeFileSync(
          configPath,
          config(lab.nodes['d1']?.ipv4 ?? '', lab.nodes['r1']?.ipv4 ?? '', servers.ports),
        );
        for (const load of ['quiet', `${HOGS} hogs`]) {
          if (load !== 'quiet') hogs.push(...startHogs(HOGS));
          // Rounds interleave the checkers (the order flips each round), so a drift in the machine's state
          // (conntrack, page cache, another process) falls on both; ratios are of the medians.
          const results = new Map<string, Figures[]>();
          for (let round = 0; round < ROUNDS; round++) {
            const order = round % 2 === 0 ? IMPLS : [...IMPLS].reverse();
            for (const impl of order) {
              const checker =
                impl === 'keepalived'
                  ? startKeepalived(lab, dir, shim, configPath)
                  : startAgent(lab, dir, configPath);
              try {
                const f = await measure(checker, servers, n, lab);
                results.set(impl, [...(results.get(impl) ?? []), f]);
              } finally {
                await checker.stop();
              }
            }
          }
          for (const h of hogs.splice(0)) h.kill('SIGKILL');
          console.log(`\n${fmt(n)} real servers, ${load} (ideal ${fmt(n)} checks/s; ${ROUNDS} round(s))`);
          console.log(
            `${'checker'.padEnd(12)} ${'checks/s'.padStart(9)} ${'CPU ms/chk'.padStart(10)} ${'of it sys'.padStart(10)} ${'peak RSS'.padStart(9)} ${'largest'.padStart(9)} ${'tree max'.padStart(9)} ${'procs'.padStart(6)} ${'false downs'.padStart(11)} ${'conntrack'.padStart(9)}`,
          );
          for (const [impl, fs] of results) for (const f of fs) console.log(row(impl, f));
          const ka = results.get('keepalived');
          const fip = results.get('floatip');
          if (ka && fip) {
            const m = (fs: Figures[], k: keyof Figures) => median(fs.map((f) => f[k]));
            const ratio = (k: keyof Figures, digits = 2) => fmt(m(fip, k) / m(ka, k), digits);
            console.log(
              `floatip/keepalived (medians): checks/s x${ratio('checksPerSec')}, CPU/check x${ratio('cpuMsPerCheck')} ` +
                `(user x${fmt((m(fip, 'cpuMsPerCheck') - m(fip, 'sysMsPerCheck')) / (m(ka, 'cpuMsPerCheck') - m(ka, 'sysMsPerCheck')), 2)}, ` +
                `system x${ratio('sysMsPerCheck')}), RSS x${ratio('peakRssMb', 1)}, false downs ` +
                `${fip.reduce((a, f) => a + f.falseDowns, 0)} vs ${ka.reduce((a, f) => a + f.falseDowns, 0)}`,
            );
          }
        }
      } finally {
        servers.close();
      }
    }
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
