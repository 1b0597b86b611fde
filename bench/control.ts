/**
 * bench:control — webhook received → first provider API call issued, at 100 and 1,000 requests/s on
 * loopback, with the in-memory provider; printed beside a bare hono round trip measured in the same run.
 *
 * Every request is a distinct incident on its own group, so each one makes one failover job whose first
 * provider call (the observe before acting) is timestamped by a wrapper around the provider. "Received" is
 * stamped as the request enters the HTTP server's fetch handler. The API (`floatip serve`), the worker
 * (`floatip worker`) and the load generator run as separate processes, as deployed; times are compared on
 * the machine's wall clock (performance.timeOrigin + now). Bounded counts, loopback only.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { MemoryVipProvider } from '../adapters/memory/index.ts';
import { createControlApp } from '../adapters/http/index.ts';
import { waitReady } from '../adapters/redis/index.ts';
import { createLogger } from '../adapters/system/index.ts';
import { parseControlPlaneConfig } from '../core/config/control-plane.ts';
import type { ControlPlaneConfig } from '../core/config/control-plane.ts';
import type { Epoch, Outcome } from '../core/model/index.ts';
import type {
  ChangeReport,
  Holder,
  MoveOptions,
  Observation,
  VipProvider,
  VipResource,
} from '../core/ports/index.ts';
import { buildControlPlane } from '../functions/control-plane/index.ts';
import { startWorker } from '../functions/worker/index.ts';

/** The bench's own redis-server (no persistence, as the earlier figures), unless FLOATIP_BENCH_REDIS names one. */
async function benchRedis(): Promise<{ url: string; stop: () => void }> {
  const given = process.env.FLOATIP_BENCH_REDIS;
  if (given !== undefined) return { url: given, stop: () => undefined };
  const port = 7400 + Math.floor(Math.random() * 1000);
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  child.once('error', () => undefined);
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  // killed with the bench, also when a stage throws
  process.on('exit', () => child.kill('SIGKILL'));
  return { url, stop: () => child.kill('SIGKILL') };
}

const isChild = process.argv[2] === 'client' || process.argv[2] === 'worker';
const redis = isChild
  ? { url: process.env.FLOATIP_BENCH_REDIS ?? '', stop: () => undefined }
  : await benchRedis();
const redisUrl = redis.url;
/** Redis' own CPU (user+sys, ms) and commands processed, read from INFO. */
async function redisCounters(): Promise<{ cpuMs: number; commands: number }> {
  const r = new Redis(redisUrl);
  try {
    const info = await r.info();
    const num = (k: string): number => Number(new RegExp(`^${k}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
    return {
      cpuMs: (num('used_cpu_user') + num('used_cpu_sys')) * 1000,
      commands: num('total_commands_processed'),
    };
  } finally {
    r.disconnect();
  }
}
const cpuMsOf = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const stages = [
  { rate: 100, count: Number(process.env.FLOATIP_BENCH_N100 ?? 500) },
  { rate: 1000, count: Number(process.env.FLOATIP_BENCH_N1000 ?? 2000) },
];
const token = 'bench-token';

/** Stamps the first provider call per resource (the job's first API call). */
class StampingProvider implements VipProvider {
  readonly name = 'memory';
  readonly first = new Map<string, number>();
  readonly inner: MemoryVipProvider;
  readonly #now: () => number;
  constructor(inner: MemoryVipProvider, now: () => number) {
    this.inner = inner;
    this.#now = now;
  }
  #stamp(id: string): void {
    if (!this.first.has(id)) this.first.set(id, this.#now());
  }
  observe(r: VipResource): Promise<Outcome<Observation>> {
    this.#stamp(r.id);
    return this.inner.observe(r);
  }
  acquire(r: VipResource, h: Holder, e: Epoch, o?: MoveOptions): Promise<Outcome<ChangeReport>> {
    this.#stamp(r.id);
    return this.inner.acquire(r, h, e, o);
  }
  release(r: VipResource, h: Holder, e: Epoch, o?: MoveOptions): Promise<Outcome<ChangeReport>> {
    this.#stamp(r.id);
    return this.inner.release(r, h, e, o);
  }
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};

/** Sends `count` requests open-loop at `rate`/s; resolves with each one's client-side round trip. */
async function openLoop(
  rate: number,
  count: number,
  send: (i: number) => Promise<number>,
): Promise<number[]> {
  const t0 = performance.now();
  const rtts: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const start = performance.now();
    rtts.push(
      send(i).then((status) => {
        if (status >= 300) throw new Error(`request ${i}: HTTP ${status}`);
        return performance.now() - start;
      }),
    );
  }
  return Promise.all(rtts);
}

/**
 * The load generator's HTTP client: node:http over kept-alive connections, as a webhook sender
 * (Alertmanager, SNS) reuses its connections. `fetch` (undici) cost the generator ~1.5 ms of CPU per
 * request, more than the server it measured, on the same two cores. A request waiting for a free
 * connection counts in its round trip (the clock starts before it is queued).
 */
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function listen(
  fetchFn: (req: Request) => Response | Promise<Response>,
): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: fetchFn, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
  });
}

/** The load generator runs in its own process, so its CPU does not queue behind the server's event loop. */
function clientProcess(
  mode: 'baseline' | 'webhook',
  url: string,
  rate: number,
  count: number,
): Promise<{ rtts: number[]; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), 'client', mode, url, String(rate), String(count)],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FLOATIP_BENCH_REDIS: redisUrl } },
    );
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { rtts: number[]; cpuMs: number })
        : reject(new Error(`client exited ${code}`)),
    );
  });
}

const alertFor = (i: number): string =>
  JSON.stringify({
    version: '4',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'NodeDown', floatip_group: `g${i}`, instance: 'a' },
        startsAt: '2026-01-01T00:00:00Z',
        fingerprint: `bench-${i}`,
      },
    ],
  });

/** Requests sent before the measured ones (JIT, connections, Lua script cache), not counted. */
const warmOf = (count: number): number => Math.min(100, Math.floor(count / 5));

async function runClient(mode: string, url: string, rate: number, count: number): Promise<void> {
  const warm = warmOf(count);
  const cpu0 = process.cpuUsage();
  const rtts = await openLoop(rate, warm + count, (i) =>
    mode === 'baseline'
      ? post(`${url}/hook`, { 'content-type': 'application/json' }, alertFor(i))
      : post(
          `${url}/v1/webhooks/alertmanager`,
          {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'x-bench-group': `g${i}`,
          },
          alertFor(i),
        ),
  );
  process.stdout.write(
    JSON.stringify({ rtts: rtts.slice(warm), cpuMs: cpuMsOf(process.cpuUsage(cpu0)) / (warm + count) }),
  );
}

/** The baseline: a bare hono handler that parses the same JSON body, on the same server stack. */
async function baseline(rate: number, count: number): Promise<{ rtts: number[]; cpuMs: number }> {
  const app = new Hono();
  app.post('/hook', async (c) =>
    c.json({ ok: true, n: ((await c.req.json()) as { alerts: unknown[] }).alerts.length }, 202),
  );
  const s = await listen(app.fetch);
  try {
    return await clientProcess('baseline', s.url, rate, count);
  } finally {
    await s.close();
  }
}

/** Wall-clock time with sub-millisecond resolution, comparable between processes on this machine. */
const nowAbs = (): number => performance.timeOrigin + performance.now();

function stageConfig(prefix: string, total: number): ControlPlaneConfig {
  const parsed = parseControlPlaneConfig({
    redis: { url: redisUrl, prefix },
    http: { ratePerMinute: 10_000_000 },
    worker: { concurrency: Number(process.env.FLOATIP_BENCH_CONCURRENCY ?? 64), lockTtlMs: 30_000 },
    sweep: { everyMs: 3_600_000 },
    tokens: [{ name: 'bench', value: token, scopes: ['read', 'failover'] }],
    alerts: [{ match: { alertname: 'NodeDown' }, groupLabel: 'floatip_group', memberLabel: 'instance' }],
    groups: Array.from({ length: total }, (_, i) => ({
      id: `g${i}`,
      members: { a: { priority: 200 }, b: { priority: 100 } },
      resources: [{ id: `vip${i}`, provider: 'memory', kind: 'address', spec: {} }],
    })),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

/**
 * `floatip worker` as its own process (as deployed): runs jobs against a stamping in-memory provider and
 * prints, once every resource has seen its first call, the absolute time of each first call.
 */
async function runWorkerProcess(prefix: string, total: number): Promise<void> {
  const memory = new MemoryVipProvider('memory');
  for (let i = 0; i < total; i++) memory.set(`vip${i}`, 'a');
  const provider = new StampingProvider(memory, nowAbs);
  const cp = buildControlPlane(stageConfig(prefix, total), {
    logger: createLogger({ level: 'silent' }),
    providers: { memory: provider },
  });
  await waitReady(cp.workerRedis);
  const worker = await startWorker(cp, { schedule: false });
  process.stdout.write('ready\n');
  const cpu0 = process.cpuUsage();
  const deadline = Date.now() + 90_000;
  while (provider.first.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // Every job has made its first call; let the last ones finish (settle, audit) before reading the CPU.
  while ((await (await cp.queue()).getActiveCount()) > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const cpuMs = cpuMsOf(process.cpuUsage(cpu0));
  await worker.close();
  await cp.close();
  process.stdout.write(`${JSON.stringify({ cpuMs, first: Object.fromEntries(provider.first) })}\n`);
}

function workerProcess(
  prefix: string,
  total: number,
): {
  ready: Promise<void>;
  stamps: Promise<{ cpuMs: number; first: Map<string, number> }>;
  kill: () => void;
} {
  const p = spawn(process.execPath, [fileURLToPath(import.meta.url), 'worker', prefix, String(total)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FLOATIP_BENCH_REDIS: redisUrl },
  });
  let out = '';
  let readyFn: () => void = () => undefined;
  const ready = new Promise<void>((r) => (readyFn = r));
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) readyFn();
  });
  const stamps = new Promise<{ cpuMs: number; first: Map<string, number> }>((resolve, reject) =>
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`worker exited ${code}`));
      const line =
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .pop() ?? '{}';
      const r = JSON.parse(line) as { cpuMs: number; first: Record<string, number> };
      resolve({ cpuMs: r.cpuMs, first: new Map(Object.entries(r.first)) });
    }),
  );
  // A failed stage must not leave the worker waiting for jobs that never come (it holds stderr open).
  return { ready, stamps, kill: () => p.exitCode === null && p.kill('SIGKILL') };
}

interface StageCpu {
  apiMs: number;
  workerMs: number;
  redisMs: number;
  redisCommands: number;
  /** The load generator's CPU per request (not floatip's; shown because it shares the cores). */
  clientMs: number;
}

async function controlStage(
  rate: number,
  count: number,
): Promise<{ latencies: number[]; rtts: number[]; cpu: StageCpu }> {
  const prefix = `bench-cp-${randomUUID().slice(0, 8)}`;
  const total = warmOf(count) + count;
  const cp = buildControlPlane(stageConfig(prefix, total), {
    logger: createLogger({ level: 'silent' }),
    providers: { memory: new MemoryVipProvider('memory') },
  });
  const received = new Map<string, number>();
  let worker: ReturnType<typeof workerProcess> | null = null;
  const app = createControlApp(cp.http);
  const s = await listen((req) => {
    const g = req.headers.get('x-bench-group');
    if (g !== null) received.set(g, nowAbs());
    return app.fetch(req);
  });
  try {
    await waitReady(cp.apiRedis);
    worker = workerProcess(prefix, total);
    await worker.ready;
    const api0 = process.cpuUsage();
    const redis0 = await redisCounters();
    const { rtts, cpuMs: clientMs } = await clientProcess('webhook', s.url, rate, count);
    const apiMs = cpuMsOf(process.cpuUsage(api0));
    const { cpuMs: workerMs, first } = await worker.stamps;
    const redis1 = await redisCounters();
    const latencies: number[] = [];
    for (let i = warmOf(count); i < total; i++) {
      const a = received.get(`g${i}`);
      const b = first.get(`vip${i}`);
      if (a !== undefined && b !== undefined) latencies.push(b - a);
    }
    if (latencies.length < count)
      console.error(`  warning: only ${latencies.length}/${count} jobs reached the provider`);
    // Per request, warm-up included (it is part of the run the CPU was measured over).
    const n = total;
    const cpu = {
      apiMs: apiMs / n,
      workerMs: workerMs / n,
      redisMs: (redis1.cpuMs - redis0.cpuMs) / n,
      redisCommands: (redis1.commands - redis0.commands) / n,
      clientMs,
    };
    return { latencies, rtts, cpu };
  } finally {
    worker?.kill();
    await s.close();
    await cp.close();
    const r = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0');
    r.disconnect();
  }
}

const fmt = (n: number): string => n.toFixed(2).padStart(8);
if (process.argv[2] === 'client') {
  const [mode, url, rate, count] = process.argv.slice(3);
  await runClient(mode ?? '', url ?? '', Number(rate), Number(count));
  process.exit(0);
}
if (process.argv[2] === 'worker') {
  await runWorkerProcess(process.argv[3] ?? '', Number(process.argv[4]));
  process.exit(0);
}
console.log(
  'bench:control — webhook received → first provider API call (in-memory provider, loopback, real Redis)',
);
console.log(
  `redis ${redisUrl}; each request = one distinct incident on its own group; API, worker and load generator are separate processes (as deployed)\n`,
);
console.log(
  'rate/s   count | baseline RTT p50/p99 ms | webhook RTT p50/p99 ms | received→first call p50/p99 ms | p99 vs baseline p99',
);
let failedTarget = false;
let burst: { rtt: number; first: number } | null = null;
const cpuRows: string[] = [];
for (const { rate, count } of stages.filter((s) => s.count > 0)) {
  const { rtts: base } = await baseline(rate, count);
  const { latencies, rtts, cpu } = await controlStage(rate, count);
  cpuRows.push(
    `${String(rate).padStart(6)} | ${fmt(cpu.apiMs)} ${fmt(cpu.workerMs)} ${fmt(cpu.redisMs)} | ${fmt(cpu.apiMs + cpu.workerMs + cpu.redisMs)} | ${cpu.redisCommands.toFixed(1).padStart(6)} | ${fmt(cpu.clientMs)}`,
  );
  const p99 = pct(latencies, 99);
  console.log(
    `${String(rate).padStart(6)} ${String(count).padStart(7)} | ${fmt(pct(base, 50))} ${fmt(pct(base, 99))}      | ${fmt(pct(rtts, 50))} ${fmt(pct(rtts, 99))}     | ${fmt(pct(latencies, 50))} ${fmt(p99)}              | ${(p99 / pct(base, 99)).toFixed(1)}x`,
  );
  if (rate === 100 && !(p99 < 25)) failedTarget = true;
  if (rate === 1000) burst = { rtt: pct(rtts, 99), first: p99 };
}
console.log(
  '\nCPU per request (ms; stable under load, unlike latency): API, worker, Redis | total | Redis commands/request | load generator',
);
for (const row of cpuRows) console.log(row);
console.log(
  `machine: ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (other work shares them)`,
);
console.log(`\ntarget: p99 received→first call < 25 ms at 100 req/s: ${failedTarget ? 'MISSED' : 'met'}`);
if (burst !== null)
  console.log(
    `target at 1,000 req/s: webhook RTT p99 ≤ 100 ms (${burst.rtt.toFixed(0)}: ${burst.rtt <= 100 ? 'met' : 'MISSED'}), received→first call p99 ≤ 250 ms (${burst.first.toFixed(0)}: ${burst.first <= 250 ? 'met' : 'MISSED'})`,
  );
redis.stop();
process.exit(0);
