// Health-check benchmark: TCP_CHECK of 1,000 and 10,000 real servers on loopback at delay_loop 1 s.
//
// A child process (this file with --serve N) listens on N ports of 127.0.0.1 and accepts and closes
// every connection, so the checker's CPU figures (process.cpuUsage of this process) do not include the
// servers. In this process, two phases run one after the other against the same servers:
//   baseline: a bare loop per server (connect, close, wait delay_loop) with no verdict logic at all;
//   floatip:  the HealthEngine (verdict reducer, timers as data) driven by driveHealth through the
//             bounded-concurrency probe runner and the TCP probe.
// Each phase is measured over the same window after the warmup. Printed: checks per second achieved
// against the ideal N/delay_loop, CPU ms per check, share of one core, peak RSS, and floatip/baseline
// ratios. keepalived 2.2.7 for scale (issue 4): ~0.11 ms CPU per check at 1,000 RS, 0.05 at 5,000, 6-9 MB.
//
// Run: npm run bench:health   (FIP_BENCH_SIZES=1000,10000 FIP_BENCH_SECONDS=4 to change the run).
// The bench re-runs itself with the fd limit raised to the hard limit and a bounded heap (young
// generation 8 MB per semi-space, old generation 64 MB, two malloc arenas), the settings the agent is
// meant to run with; without them V8 lets the heap grow lazily to 200-300 MB at 10,000 checks/s.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import os from 'node:os';
import { seededRandom } from '../adapters/memory/index.ts';
import { createProbeRunner, driveHealth } from '../adapters/probes/index.ts';
import { type CheckerSpec, HealthEngine } from '../core/health/index.ts';

const startRss = process.memoryUsage.rss();
const DELAY_LOOP_MS = 1_000;
const FIRST_PORT = 20_000; // below the ephemeral range, so listeners do not eat client ports

async function serve(n: number): Promise<void> {
  const servers: Server[] = [];
  const ports: number[] = [];
  let port = FIRST_PORT;
  while (ports.length < n && port < 32_768) {
    const s = createServer((c) => {
      c.on('error', () => {});
      c.destroy();
    });
    const ok = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.listen({ port, host: '127.0.0.1', backlog: 511 }, () => resolve(true));
    });
    if (ok) {
      servers.push(s);
      ports.push(port);
    }
    port += 1;
  }
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

async function startServers(n: number): Promise<{ child: ChildProcess; ports: number[] }> {
  const child = spawn(process.execPath, [import.meta.filename, '--serve', String(n)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const line = await new Promise<string>((resolve, reject) => {
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
  });
  const ports = JSON.parse(line) as number[];
  if (ports.length < n)
    throw new Error(`only ${ports.length} of ${n} listeners could be opened (ulimit -n?)`);
  return { child, ports };
}

interface Load {
  /** Checks completed so far. */
  count(): number;
  /** Failed checks so far. */
  failures(): number;
  stop(): Promise<void>;
}

function baseline(ports: readonly number[]): Load {
  let count = 0;
  let failures = 0;
  let stopped = false;
  let inFlight = 0;
  const timers = new Set<NodeJS.Timeout>();
  const loop = (port: number): void => {
    if (stopped) return;
    inFlight += 1;
    const s = connect({ port, host: '127.0.0.1' });
    const t = setTimeout(() => s.destroy(new Error('timeout')), 5_000);
    const next = (ok: boolean): void => {
      clearTimeout(t);
      s.destroy();
      inFlight -= 1;
      count += 1;
      if (!ok) failures += 1;
      const w = setTimeout(() => {
        timers.delete(w);
        loop(port);
      }, DELAY_LOOP_MS);
      timers.add(w);
    };
    s.once('connect', () => next(true));
    s.once('error', () => next(false));
  };
  const rnd = seededRandom(7);
  for (const p of ports) {
    const w = setTimeout(
      () => {
        timers.delete(w);
        loop(p);
      },
      DELAY_LOOP_MS + Math.floor(rnd.float() * DELAY_LOOP_MS),
    );
    timers.add(w);
  }
  return {
    count: () => count,
    failures: () => failures,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 10));
    },
  };
}

function floatip(ports: readonly number[]): Load {
  let failures = 0;
  const engine = new HealthEngine({
    random: seededRandom(7),
    onChange: (c) => {
      if (c.kind === 'checker-verdict' && !c.up) failures += 1;
    },
  });
  const now = () => performance.now();
  ports.forEach((port, i) => {
    const spec: CheckerSpec = {
      id: 'tcp',
      probe: { kind: 'tcp' },
      timing: {
        delayLoopMs: DELAY_LOOP_MS,
        retry: 1,
        delayBeforeRetryMs: 1_000,
        warmupMs: DELAY_LOOP_MS,
        alpha: false,
      },
      connect: { host: '127.0.0.1', port, timeoutMs: 5_000 },
    };
    engine.upsert(`rs-${i}`, [spec], now());
  });
  const runner = createProbeRunner({ concurrency: 4_096 });
  const driver = driveHealth(engine, runner, { now });
  driver.submit(engine.start(now()));
  driver.kick();
  return {
    count: () => driver.completed,
    failures: () => failures,
    async stop() {
      driver.stop();
      while (runner.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
    },
  };
}

interface Figures {
  heapUsedMb: number;
  checksPerSec: number;
  cpuMsPerCheck: number;
  coreShare: number;
  peakRssMb: number;
  failures: number;
}

async function measure(load: () => Load, settleMs: number, windowMs: number): Promise<Figures> {
  const l = load();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  await new Promise((r) => setTimeout(r, settleMs));
  const c0 = l.count();
  const f0 = l.failures();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = performance.now() - t0;
  const checks = l.count() - c0;
  const failures = l.failures() - f0;
  const heapUsedMb = process.memoryUsage().heapUsed / 2 ** 20;
  clearInterval(sampler);
  await l.stop();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    heapUsedMb,
    checksPerSec: (checks * 1000) / elapsed,
    cpuMsPerCheck: checks > 0 ? cpuMs / checks : Number.NaN,
    coreShare: cpuMs / elapsed,
    peakRssMb: peak / 2 ** 20,
    failures,
  };
}

const fmt = (v: number, digits = 0): string =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function row(name: string, f: Figures, target: number): string {
  return [
    name.padEnd(26),
    fmt(f.checksPerSec).padStart(9),
    `${fmt((100 * f.checksPerSec) / target)}%`.padStart(8),
    fmt(f.cpuMsPerCheck, 4).padStart(10),
    `${fmt(100 * f.coreShare)}%`.padStart(8),
    fmt(f.peakRssMb, 1).padStart(9),
    fmt(f.heapUsedMb, 1).padStart(9),
    fmt(1000 / f.cpuMsPerCheck).padStart(11),
    String(f.failures).padStart(6),
  ].join(' ');
}

async function main(): Promise<void> {
  const sizes = (process.env.FIP_BENCH_SIZES ?? '1000,10000').split(',').map(Number);
  const windowMs = Number(process.env.FIP_BENCH_SECONDS ?? 4) * 1000;
  const settleMs = 1_000 + DELAY_LOOP_MS + 300; // bootstrap delay + warmup spread
  console.log(
    `health-check bench: TCP_CHECK on loopback, delay_loop ${DELAY_LOOP_MS / 1000} s, window ${windowMs / 1000} s`,
  );
  console.log('keepalived 2.2.7 for scale: ~0.11 ms CPU/check at 1,000 RS, 0.05 ms at 5,000, 6-9 MB RSS');
  console.log(
    `node ${process.version}, flags: ${process.execArgv.join(' ') || '(none)'}` +
      `${process.env.MALLOC_ARENA_MAX ? `, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}` : ''}; ` +
      `RSS at start ${fmt(startRss / 2 ** 20, 1)} MB (node + TypeScript stripping); load average ${os
        .loadavg()
        .map((v) => v.toFixed(1))
        .join(' ')} on ${os.availableParallelism()} CPUs`,
  );
  console.log(
    'RS per core = 1000 / (CPU ms per check): real servers one core could check at delay_loop 1 s; ' +
      'checks/s falls below ideal when other processes take the CPU (the next check is due delay_loop after the result, as in keepalived)',
  );
  for (const n of sizes) {
    const { child, ports } = await startServers(n);
    try {
      const target = (n * 1000) / DELAY_LOOP_MS;
      const base = await measure(() => baseline(ports), settleMs, windowMs);
      const fip = await measure(() => floatip(ports), settleMs, windowMs);
      console.log(`\n${fmt(n)} real servers (ideal ${fmt(target)} checks/s)`);
      console.log(
        `${'phase'.padEnd(26)} ${'checks/s'.padStart(9)} ${'of ideal'.padStart(8)} ${'CPU ms/chk'.padStart(10)} ${'core'.padStart(8)} ${'peak RSS'.padStart(9)} ${'live heap'.padStart(9)} ${'RS per core'.padStart(11)} ${'fails'.padStart(6)}`,
      );
      console.log(row('baseline: bare connect', base, target));
      console.log(row('floatip: engine+probes', fip, target));
      console.log(
        `ratio floatip/baseline: CPU per check x${fmt(fip.cpuMsPerCheck / base.cpuMsPerCheck, 2)}, ` +
          `checks/s x${fmt(fip.checksPerSec / base.checksPerSec, 2)}`,
      );
      const ka = n >= 5_000 ? 0.05 : 0.11;
      console.log(
        `targets: ${fmt(n)} RS at delay_loop 1 on one core ${1000 / fip.cpuMsPerCheck >= n ? 'met' : 'MISSED'}; ` +
          `CPU/check <= keepalived ${ka} ms ${fip.cpuMsPerCheck <= ka ? 'met' : 'MISSED'}; ` +
          `RSS < 150 MB ${fip.peakRssMb < 150 ? 'met' : 'MISSED'}`,
      );
    } finally {
      child.stdin?.end();
      child.kill();
    }
  }
  console.log(`\nprocess max RSS over the whole run: ${fmt(process.resourceUsage().maxRSS / 1024, 1)} MB`);
}

/** Node flags and environment the figures are taken with; the bench re-runs itself under them. */
const NODE_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=64'];

if (process.argv[2] === '--serve') await serve(Number(process.argv[3]));
else if (process.env.FIP_HC_BENCH_CHILD === '1') await main();
else {
  // Raise the fd limit to the hard limit (10,000 listeners in the server child) and bound the heap.
  const r = spawnSync(
    'bash',
    [
      '-c',
      'ulimit -n "$(ulimit -Hn)" && exec "$@"',
      'bash',
      process.execPath,
      ...NODE_FLAGS,
      import.meta.filename,
    ],
    { stdio: 'inherit', env: { ...process.env, MALLOC_ARENA_MAX: '2', FIP_HC_BENCH_CHILD: '1' } },
  );
  process.exitCode = r.status ?? 1;
}
